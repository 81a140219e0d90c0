/// One claimed message, held by exactly one consumer until it is acked, retried or rejected.
///
/// Settle every delivery through the `SpoolQueue` that claimed it; a file with several messages
/// is removed only when all of them are settled.
public struct Delivery: Sendable, Equatable {
    public let envelope: Envelope
    /// The claimed file in `cur/` (`<file>@<pid>-<claimMillis>`).
    public let claim: String
    /// The message's line in the file (0-based).
    public let index: Int
    /// Messages in the file.
    public let total: Int
}

/// Whether a send must survive a crash (fsync) or only needs to be visible (replies).
public enum Durability: Sendable {
    case durable
    case volatile
}
