import Synchronization

/// Routes the answers arriving on a connection's one wildcard inbox to the mailbox of the
/// request waiting for each (by the subject's last token).
///
/// A class of its own so the inbox subscription's handler holds it and not the connection.
final class InboxRouter: Sendable {
    let prefix: String
    private let pending = Mutex<[String: NATSMailbox]>([:])

    init(prefix: String) { self.prefix = prefix }

    func open(_ token: String, _ mailbox: NATSMailbox) { pending.withLock { $0[token] = mailbox } }

    func close(_ token: String) { _ = pending.withLock { $0.removeValue(forKey: token) } }

    /// Called on the reader thread for every message of the inbox subscription; an answer to a
    /// request that gave up waiting is dropped (pulls use their consumer's own subscription).
    func route(_ message: NATSMessage) {
        let token = String(message.subject.dropFirst(prefix.count))
        pending.withLock { $0[token] }?.deliver(message)
    }
}
