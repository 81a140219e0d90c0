import Foundation
import Synchronization
import Domain
import SpoolBroker

/// One holder of a queue's durable pull consumer: claims are pulls, settles are acks on the
/// delivery's `$JS.ACK` subject (the `Delivery.claim`), retries are NAKs with the backoff as
/// delay, dead letters are published to the queue's dead stream before the original is acked.
///
/// Every `NATSConsumer` of a queue, in any process, pulls from the same durable consumer, so
/// the server hands each message to one of them. A message pulled by `waitForMessages` waits
/// in this consumer's buffer (already claimed by it) for the next `claim`.
///
/// Pulled messages arrive under their stream subject (the server rewrites it), so they are
/// routed by subscription: each consumer subscribes to `_PULL.<random>.*` and asks each pull's
/// answers to `_PULL.<random>.<n>`; a status (404, 408) names the pull it ends by that subject.
final class NATSConsumer: MessageConsumer {
    let broker: NATSMessageBroker
    let name: QueueName
    /// Claims made and not yet settled, kept with progress acks; NAKed at once when this consumer goes.
    private let open: HeldClaims
    private let prefetched = Mutex<[Delivery]>([])
    private let mailbox = NATSMailbox()
    private let pullPrefix = "_PULL.\(NATSConnection.randomToken())."
    private let pulls = Atomic<Int>(0)
    private let sid: Int
    /// The thread `messages` waits on, never the cooperative pool.
    private let waiter: DispatchQueue

    init(broker: NATSMessageBroker, name: QueueName) throws(SpoolError) {
        self.broker = broker
        self.name = name
        waiter = DispatchQueue(label: "nats-consumer.\(name.rawValue)")
        let connection = broker.connection
        open = HeldClaims(ackWait: broker.configuration.effectiveAckWait, lease: broker.configuration.lease) { subject in
            try? connection.publish(subject, payload: Array("+WPI".utf8), waitForConnection: false)
        }
        let mailbox = mailbox
        do { sid = try broker.connection.subscribe(pullPrefix + "*") { mailbox.deliver($0) } } catch {
            throw NATSMessageBroker.spoolError(error, "subscribe", path: name.rawValue)
        }
    }

    /// Released: its claims go back to the queue now rather than after the lease.
    deinit {
        open.stop()
        broker.connection.unsubscribe(sid)
        var held = open.subjects.union(prefetched.withLock { Set($0.map(\.claim)) })
        for m in mailbox.take(max: .max) { if let r = m.replyTo { held.insert(r) } }
        for subject in held where subject.hasPrefix("$JS.ACK.") {
            try? broker.connection.publish(subject, payload: Array("-NAK".utf8), waitForConnection: false)
        }
    }

    private var stream: String { NATSNames.stream(name) }
    private var connection: NATSConnection { broker.connection }

    // MARK: - Claiming

    func claim(max: Int, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery] {
        guard max > 0 else { return [] }
        var out = prefetched.withLock { p in
            let n = Swift.min(max, p.count)
            let taken = Array(p.prefix(n))
            p.removeFirst(n)
            return taken
        }
        if out.count < max { out += try pull(batch: max - out.count, wait: nil, knownTypes: knownTypes) }
        return out
    }

    func messages(max: Int, timeout: Duration, knownTypes: Set<String>?) async throws(SpoolError) -> [Delivery] {
        let result: Result<[Delivery], SpoolError> = await withCheckedContinuation { continuation in
            waiter.async { [self] in
                do throws(SpoolError) {
                    var got = try claim(max: max, knownTypes: knownTypes)
                    if got.isEmpty, waitForMessages(timeout: timeout) { got = try claim(max: max, knownTypes: knownTypes) }
                    continuation.resume(returning: .success(got))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    func waitForMessages(timeout: Duration) -> Bool {
        if prefetched.withLock({ !$0.isEmpty }) { return true }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            guard let got = try? pull(batch: 1, wait: left, knownTypes: nil) else { return false }
            if !got.isEmpty {
                prefetched.withLock { $0 += got }
                return true
            }
        }
        return false
    }

    /// One pull request: `no_wait` (wait nil) answers at once; otherwise the server holds it up
    /// to `wait`. Deliveries that are not envelopes, or redelivered past the limit, are
    /// dead-lettered here; `knownTypes` is applied by `claim` on what it returns.
    private func pull(batch: Int, wait: Duration?, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery] {
        var out: [Delivery] = []
        var received = 0
        // Late answers of an earlier pull (already this consumer's) come first.
        for m in mailbox.take(max: batch) where m.headers.status == nil {
            received += 1
            if let d = try accept(m, knownTypes: knownTypes) { out.append(d) }
        }
        guard received < batch else { return out }
        var request: [String: Any] = ["batch": batch - received]
        if let wait { request["expires"] = Swift.max(Int64(1_000_000), wait.nanoseconds) } else { request["no_wait"] = true }
        let payload = (try? JSONSerialization.data(withJSONObject: request)).map(Array.init) ?? []
        let reply = pullPrefix + "\(pulls.add(1, ordering: .relaxed).newValue)"
        do {
            try connection.publish("$JS.API.CONSUMER.MSG.NEXT.\(stream).\(NATSNames.durable)", replyTo: reply, payload: payload)
        } catch {
            throw NATSMessageBroker.spoolError(error, "claim", path: name.rawValue)
        }
        let patience = (wait ?? .zero) + connection.options.requestTimeout
        let deadline = ContinuousClock.now.advanced(by: patience)
        while received < batch {
            let left = deadline - ContinuousClock.now
            guard left > .zero, let m = mailbox.next(timeout: left) else { break }
            if m.headers.status != nil {
                // 404 no messages, 408 expired, 409: this pull is over (an earlier pull's status is not).
                if m.subject == reply { break } else { continue }
            }
            received += 1
            if let d = try accept(m, knownTypes: knownTypes) { out.append(d) }
        }
        return out
    }

    /// A delivery as a `Delivery`, or nil when it went to the dead letters instead.
    private func accept(_ m: NATSMessage, knownTypes: Set<String>?) throws(SpoolError) -> Delivery? {
        guard let ackSubject = m.replyTo, let ack = JetStreamAck(replySubject: ackSubject) else { return nil }
        open.insert(ackSubject)
        _ = broker.retrying.withLock { $0[name]?.remove(ack.streamSequence) }
        let envelope: Envelope
        do { envelope = try Envelope.decode(line: m.payload) } catch {
            try deadLetter(raw: m.payload, seq: ack.streamSequence, ackSubject: ackSubject, reason: error.description)
            return nil
        }
        if let knownTypes, !knownTypes.contains(envelope.type) {
            try deadLetter(raw: m.payload, seq: ack.streamSequence, ackSubject: ackSubject,
                           reason: "unknown type \"\(String(envelope.type.prefix(100)))\"")
            return nil
        }
        if ack.delivered > broker.configuration.maxDeliveries {
            try deadLetter(raw: m.payload, seq: ack.streamSequence, ackSubject: ackSubject,
                           reason: "delivered \(ack.delivered) times without being settled")
            return nil
        }
        var delivered = envelope
        delivered.attempts = Swift.max(envelope.attempts, ack.delivered - 1)
        return Delivery(envelope: delivered, claim: ackSubject, index: 0, total: 1)
    }

    // MARK: - Settling

    func ack(_ delivery: Delivery) throws(SpoolError) {
        try settle(delivery.claim, "+ACK", operation: "ack")
    }

    func retry(_ delivery: Delivery, policy: RetryPolicy, reason: String) throws(SpoolError) {
        let attempts = delivery.envelope.attempts + 1
        if attempts >= policy.maxAttempts {
            try reject(delivery, reason: "gave up after \(attempts) attempts: \(reason)")
            return
        }
        let delayNs = policy.delayMilliseconds(forAttempt: attempts) * 1_000_000
        try settle(delivery.claim, "-NAK {\"delay\":\(delayNs)}", operation: "retry")
        if let seq = JetStreamAck(replySubject: delivery.claim)?.streamSequence {
            _ = broker.retrying.withLock { $0[name, default: []].insert(seq) }
        }
    }

    func reject(_ delivery: Delivery, reason: String) throws(SpoolError) {
        let seq = JetStreamAck(replySubject: delivery.claim)?.streamSequence ?? 0
        var envelope = delivery.envelope
        envelope.attempts = delivery.envelope.attempts
        try deadLetter(raw: envelope.encodedLine(), seq: seq, ackSubject: delivery.claim, reason: reason)
    }

    /// Publishes the message to the dead stream (waiting for its PubAck), then acks the original:
    /// a crash between the two leaves a redelivery whose dead letter the stream de-duplicates.
    private func deadLetter(raw: [UInt8], seq: Int, ackSubject: String, reason: String) throws(SpoolError) {
        let clean = String(reason.map { $0 == "\r" || $0 == "\n" ? " " : $0 }.prefix(1000))
        let headers = NATSHeaders([
            ("Nats-Msg-Id", "dead.\(seq)"), (NATSNames.reasonHeader, clean), (NATSNames.sequenceHeader, "\(seq)"),
        ])
        do {
            let reply = try connection.request(NATSNames.deadSubject(name), headers: headers, payload: raw)
            _ = try PubAck.read(reply, subject: NATSNames.deadSubject(name))
        } catch {
            open.remove(ackSubject)
            throw NATSMessageBroker.spoolError(error, "dead-letter", path: name.rawValue)
        }
        try settle(ackSubject, "+ACK", operation: "dead-letter")
    }

    /// Sends an ack-family verb and waits for the server to confirm it (an ack lost to a drop
    /// would redeliver an applied message).
    /// Settled or not, the claim is no longer kept: a verb that did not arrive leaves the message
    /// to come back after the ack wait, which progress acks must not hold off. It is let go
    /// before the verb is sent, so no progress ack follows the verb (`HeldClaims`).
    private func settle(_ ackSubject: String, _ verb: String, operation: String) throws(SpoolError) {
        open.remove(ackSubject)
        do {
            _ = try connection.request(ackSubject, payload: Array(verb.utf8))
        } catch {
            throw NATSMessageBroker.spoolError(error, operation, path: name.rawValue)
        }
    }

    /// The server redelivers an abandoned claim by itself after the ack wait (30 s); there
    /// is nothing to move back, so this reports 0.
    @discardableResult
    func recoverClaims() throws(SpoolError) -> Int { 0 }

    // MARK: - Inspection

    func stats() throws(SpoolError) -> QueueStats { try Self.stats(broker: broker, queue: name) }

    func deadLetters() throws(SpoolError) -> [DeadLetter] { try Self.deadLetters(broker: broker, queue: name) }

    /// A queue's stats without a consumer of it (`campusdesk queue list`).
    static func stats(broker: NATSMessageBroker, queue name: QueueName) throws(SpoolError) -> QueueStats {
        do {
            let info = try broker.api.consumerInfo(stream: NATSNames.stream(name), durable: NATSNames.durable)
            let dead = try broker.api.streamInfo(NATSNames.deadStream(name))
            let deadCount = ((dead?["state"] as? [String: Any])?["messages"] as? Int) ?? 0
            let pending = info["num_pending"] as? Int ?? 0
            let ackPending = info["num_ack_pending"] as? Int ?? 0
            let backingOff = broker.retrying.withLock { $0[name]?.count ?? 0 }
            return QueueStats(queue: name, waiting: pending + backingOff, claimed: Swift.max(0, ackPending - backingOff),
                              dead: deadCount, oldestAgeSeconds: nil)
        } catch {
            throw NATSMessageBroker.spoolError(error, "stats", path: name.rawValue)
        }
    }

    /// A queue's dead letters, oldest first; `file` is the dead stream's sequence.
    static func deadLetters(broker: NATSMessageBroker, queue name: QueueName) throws(SpoolError) -> [DeadLetter] {
        do {
            guard let info = try broker.api.streamInfo(NATSNames.deadStream(name)),
                  let state = info["state"] as? [String: Any],
                  let first = state["first_seq"] as? Int, let last = state["last_seq"] as? Int, last >= first, last > 0 else { return [] }
            var out: [DeadLetter] = []
            for seq in first...last {
                guard let (headers, data) = try broker.api.message(stream: NATSNames.deadStream(name), seq: seq) else { continue }
                let envelope = try? Envelope.decode(line: data)
                out.append(DeadLetter(file: "\(seq)", reason: headers[NATSNames.reasonHeader] ?? "", id: envelope?.id, type: envelope?.type))
            }
            return out
        } catch {
            throw NATSMessageBroker.spoolError(error, "dead letters", path: name.rawValue)
        }
    }
}
