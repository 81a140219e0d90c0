/// Why a request got no reply.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing was enqueued: the send itself failed.
    case sendFailed(SpoolError)
    /// The request IS enqueued (durably, unless sent volatile) but no reply came in time; it will
    /// still be processed, so the answer is "accepted, still processing", not "failed".
    case timedOut
    /// The waiting task was cancelled; the request is enqueued as with `timedOut`.
    case cancelled

    public var description: String {
        switch self {
        case .sendFailed(let e): "request not sent: \(e)"
        case .timedOut: "no reply in time (the request is queued and will be processed)"
        case .cancelled: "cancelled while waiting for the reply (the request is queued)"
        }
    }
}
