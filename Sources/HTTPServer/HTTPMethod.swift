/// A request method this server implements.
///
/// Why an enum and not the token as a `String`: the parser answers every other token with 501
/// (RFC 9110 §9.1), so past the parser the set is closed; routes, `Allow` headers and HEAD
/// handling switch over it instead of comparing strings that a typo would silently miss.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case patch = "PATCH"
    case options = "OPTIONS"

    /// The method token as sent on the wire.
    public var description: String { rawValue }
}
