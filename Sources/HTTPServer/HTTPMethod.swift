/// A request method this server implements.
///
/// Why an enum and not the token as a `String`: the parser answers every other token with 501
/// (RFC 9110 §9.1), so past the parser the set is closed; routes, `Allow` headers and HEAD
/// handling switch over it instead of comparing strings that a typo would silently miss.
/// TRACE, CONNECT and QUERY (the safe method with a body, draft-ietf-httpbis-safe-method-w-body)
/// are methods this server knows but never routes: the router answers them 405 with the path's
/// `Allow` (§15.5.6), not 501, which says the method is not recognised at all.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case patch = "PATCH"
    case options = "OPTIONS"
    case trace = "TRACE"
    case connect = "CONNECT"
    case query = "QUERY"

    /// The method token as sent on the wire.
    public var description: String { rawValue }
}
