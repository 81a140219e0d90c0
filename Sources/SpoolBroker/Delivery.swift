/// One claimed message, held by exactly one consumer until it is acked, retried or rejected.
///
/// Settle every delivery through the `MessageConsumer` that claimed it (on the spool, a file with
/// several messages is removed only when all of them are settled).
public struct Delivery: Sendable, Equatable {
    public let envelope: Envelope
    /// The broker's handle on this claim, for settling it and for logs (spool: the claimed file
    /// in `cur/`, `<file>@<pid>-<claimMillis>`; in memory: a message number).
    public let claim: String
    /// The message's place among those claimed together (spool: its line in the file, 0-based).
    public let index: Int
    /// Messages claimed together with it, itself included (spool: lines in the file).
    public let total: Int

    /// For other brokers' consumers (NATSBroker); the spool and the in-memory broker build theirs in this module.
    public init(envelope: Envelope, claim: String, index: Int, total: Int) {
        self.envelope = envelope
        self.claim = claim
        self.index = index
        self.total = total
    }
}

/// Whether a send must survive a crash (spool: fsync) or only needs to be visible (queries, probes).
public enum Durability: Sendable {
    case durable
    case volatile
}
