/// Why a request to another machine's files (attachments, inbox) failed.
public struct RemoteFilesError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No answer: no responder, a timeout after the retries, no connection.
        case unavailable
        /// The home answered no (bad request, over the limit, missing chunks).
        case refused
        /// The bytes that came do not hash to the name they were asked by.
        case hashMismatch
    }

    public var kind: Kind
    public var operation: String
    public var detail: String

    public init(_ kind: Kind, _ operation: String, _ detail: String = "") {
        self.kind = kind
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(operation): \(kind.rawValue)\(detail.isEmpty ? "" : " (\(detail))")" }
}
