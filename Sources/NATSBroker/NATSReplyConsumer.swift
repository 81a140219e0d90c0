import Foundation
import Synchronization
import Domain
import SpoolBroker

/// A reply queue on NATS: a core subscription to `campusdesk.reply.<queue>` whose messages wait
/// in this process's memory until claimed.
///
/// Why not a stream: a reply only matters to a requester that is alive and waiting (the
/// protocol's `sendReplies` contract), so nothing is stored on the server, a reply to a gone
/// requester is dropped by NATS itself, and nothing is left behind when the process dies.
final class NATSReplyConsumer: MessageConsumer {
    let name: QueueName
    private let connection: NATSConnection
    private let mailbox = NATSMailbox()
    private let sid: Int

    init(connection: NATSConnection, name: QueueName) throws(SpoolError) {
        self.connection = connection
        self.name = name
        let mailbox = mailbox
        do {
            sid = try connection.subscribe(NATSNames.replySubject(name)) { mailbox.deliver($0) }
            // The SUB is processed before any request this process publishes after it.
            try connection.flush()
        } catch {
            throw NATSMessageBroker.spoolError(error, "subscribe", path: name.rawValue)
        }
    }

    func stop() { connection.unsubscribe(sid) }

    func claim(max: Int, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery] {
        mailbox.take(max: max).compactMap { m in
            guard let envelope = try? Envelope.decode(line: m.payload) else { return nil }  // not a reply: dropped
            if let knownTypes, !knownTypes.contains(envelope.type) { return nil }
            return Delivery(envelope: envelope, claim: "reply", index: 0, total: 1)
        }
    }

    func messages(max: Int, timeout: Duration, knownTypes: Set<String>?) async throws(SpoolError) -> [Delivery] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let got = try claim(max: max, knownTypes: knownTypes)
            if !got.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return got }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    func waitForMessages(timeout: Duration) -> Bool { mailbox.waitForMessage(timeout: timeout) }

    /// Replies are settled by being taken: nothing to acknowledge.
    func ack(_ delivery: Delivery) throws(SpoolError) {}
    func retry(_ delivery: Delivery, policy: RetryPolicy, reason: String) throws(SpoolError) {}
    func reject(_ delivery: Delivery, reason: String) throws(SpoolError) {}
    @discardableResult
    func recoverClaims() throws(SpoolError) -> Int { 0 }

    func stats() throws(SpoolError) -> QueueStats {
        QueueStats(queue: name, waiting: mailbox.count, claimed: 0, dead: 0, oldestAgeSeconds: nil)
    }

    func deadLetters() throws(SpoolError) -> [DeadLetter] { [] }
}
