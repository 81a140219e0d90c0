/// The one error type of the NATS client: what was attempted and why, with the server's words.
public struct NATSError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No server of the list could be reached (or the connection dropped and did not come back in time).
        case connectionFailed
        /// The server answered with `-ERR`, a JetStream API error or a status we cannot use.
        case server
        /// No reply within the timeout.
        case timedOut
        /// Nobody subscribes to the request's subject (`503` status with `no_responders`).
        case noResponders
        /// The server sent bytes that are not the protocol.
        case protocolViolation
        /// A payload over the server's `max_payload`.
        case tooLarge
        /// The connection was closed by its owner.
        case closed
    }

    public var kind: Kind
    public var operation: String
    public var detail: String
    /// A JetStream API error code (`err_code`, e.g. 10059 stream not found), 0 when none.
    public var code: Int

    public init(_ kind: Kind, _ operation: String, _ detail: String = "", code: Int = 0) {
        self.kind = kind
        self.operation = operation
        self.detail = detail
        self.code = code
    }

    public var description: String {
        "nats: \(operation): \(kind.rawValue)" + (detail.isEmpty ? "" : ": \(detail)") + (code == 0 ? "" : " (code \(code))")
    }
}
