import Foundation
import Synchronization
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// A `MessageBroker` held in this process's memory, for unit tests of the services.
///
/// Why: a service test that is not about the spool should not pay for files, fsyncs and
/// directory scans, nor depend on the disk. It keeps the same contract as the spool (the shared
/// conformance suite runs on both): send order, one holder per claim, retries deferred by the
/// `RetryPolicy` backoff against the injected clock, dead letters with reasons, claims of a
/// released consumer returned at once and others after the lease. Nothing survives the process.
public final class InMemoryBroker: MessageBroker {
    public let clock: any WallClock
    /// How long a live consumer may hold a claim before another consumer's `recoverClaims` takes it back.
    public let lease: Duration
    public let maxMessageBytes: Int
    public let maxBatchBytes: Int
    let state = Mutex(State())

    struct Stored {
        var seq: Int
        var envelope: Envelope
        var enqueuedAt: Int64
    }

    struct Claim {
        var message: Stored
        var consumer: Int
        var claimedAt: Int64
    }

    struct DeadMessage {
        var name: String
        var envelope: Envelope
        var reason: String
    }

    struct QueueState {
        /// Waiting messages in send order (`seq` ascending).
        var ready: [Stored] = []
        var deferred: [(due: Int64, message: Stored)] = []
        var claims: [String: Claim] = [:]
        var dead: [DeadMessage] = []
    }

    struct State {
        var queues: [QueueName: QueueState] = [:]
        var bindings: [ExchangeName: Set<QueueName>] = [:]
        var nextSeq = 0
        var nextConsumer = 0
        var liveConsumers: Set<Int> = []
        /// When set, every send and publish throws it (a test's full disk).
        var failure: SpoolError?

        mutating func store(_ envelope: Envelope, in queue: QueueName, at now: Int64) {
            nextSeq += 1
            queues[queue, default: QueueState()].ready.append(Stored(seq: nextSeq, envelope: envelope, enqueuedAt: now))
        }
    }

    /// An empty broker; `lease` and the limits mirror `SpoolLimits`' defaults.
    public init(clock: any WallClock = SystemClock(), lease: Duration = .seconds(300),
                maxMessageBytes: Int = 1 << 20, maxBatchBytes: Int = 4 << 20) {
        self.clock = clock
        self.lease = lease
        self.maxMessageBytes = maxMessageBytes
        self.maxBatchBytes = maxBatchBytes
    }

    /// Makes every later send and publish throw `error` (nil: work again), like a full disk.
    public func failWrites(with error: SpoolError?) {
        state.withLock { $0.failure = error }
    }

    private var nowMs: Int64 { clock.now().millisecondsSinceEpoch }

    /// The same checks as the spool's, so a message refused here is refused there.
    private func check(_ batch: [Envelope], operation: String, queue: String) throws(SpoolError) {
        for envelope in batch {
            guard envelope.body.isEmpty || Envelope.isValidJSONValue(envelope.body) else {
                throw SpoolError(kind: .encoding, operation: operation, path: queue,
                                 detail: "body of \(envelope.type) is not one JSON value")
            }
            let size = envelope.encodedLine().count
            guard size <= maxMessageBytes else {
                throw SpoolError(kind: .tooLarge, operation: operation, path: queue,
                                 detail: "message of \(size) bytes exceeds limit of \(maxMessageBytes)")
            }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    // MARK: - MessageBroker

    public func send(_ batch: [Envelope], to queue: QueueName, durability: Durability) throws(SpoolError) {
        try check(batch, operation: "send", queue: queue.rawValue)
        let now = nowMs
        state.withLock { s in
            if s.queues[queue] == nil { s.queues[queue] = QueueState() }
            for envelope in batch { s.store(envelope, in: queue, at: now) }
        }
    }

    public func sendReplies(_ replies: [Envelope], to replyQueue: QueueName) throws(SpoolError) {
        try check(replies, operation: "reply", queue: replyQueue.rawValue)
        let now = nowMs
        state.withLock { s in
            guard s.queues[replyQueue] != nil else { return }  // the requester is gone
            for envelope in replies { s.store(envelope, in: replyQueue, at: now) }
        }
    }

    @discardableResult
    public func publish(_ batch: [Envelope], to exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        try check(batch, operation: "publish", queue: exchange.rawValue)
        let now = nowMs
        return state.withLock { s in
            let targets = (s.bindings[exchange] ?? []).sorted()
            for queue in targets {
                for envelope in batch { s.store(envelope, in: queue, at: now) }
            }
            return targets
        }
    }

    public func bind(_ queue: QueueName, to exchange: ExchangeName) throws(SpoolError) {
        state.withLock { s in
            if s.queues[queue] == nil { s.queues[queue] = QueueState() }
            s.bindings[exchange, default: []].insert(queue)
        }
    }

    public func bindings(of exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        state.withLock { ($0.bindings[exchange] ?? []).sorted() }
    }

    public func consumer(of queue: QueueName) throws(SpoolError) -> any MessageConsumer {
        let id = state.withLock { s in
            if s.queues[queue] == nil { s.queues[queue] = QueueState() }
            s.nextConsumer += 1
            s.liveConsumers.insert(s.nextConsumer)
            return s.nextConsumer
        }
        return InMemoryConsumer(broker: self, name: queue, id: id)
    }

    public func queueExists(_ queue: QueueName) -> Bool {
        state.withLock { $0.queues[queue] != nil }
    }

    public func removeQueue(_ queue: QueueName) {
        state.withLock { s in
            s.queues[queue] = nil
            for exchange in Array(s.bindings.keys) { s.bindings[exchange]?.remove(queue) }
        }
    }

    /// Nothing to do: reply queues in memory die with the process that made them.
    @discardableResult
    public func removeDeadReplyQueues() -> [QueueName] { [] }

    // MARK: - Consumers' operations (InMemoryConsumer delegates here)

    func release(consumer: Int) {
        state.withLock { _ = $0.liveConsumers.remove(consumer) }
    }

    func claim(_ queue: QueueName, consumer: Int, max: Int, knownTypes: Set<String>?) -> [Delivery] {
        guard max > 0 else { return [] }
        let now = nowMs
        return state.withLock { s in
            guard var q = s.queues[queue] else { return [] }
            promoteDue(&q, now: now, nextSeq: &s.nextSeq)
            var out: [Delivery] = []
            while out.count < max, !q.ready.isEmpty {
                let message = q.ready.removeFirst()
                let token = "\(queue.rawValue)#\(message.seq)"
                if let knownTypes, !knownTypes.contains(message.envelope.type) {
                    let reason = "unknown type \(JSONText.quoted(String(message.envelope.type.prefix(100))))"
                    q.dead.append(DeadMessage(name: token, envelope: message.envelope, reason: reason))
                    continue
                }
                q.claims[token] = Claim(message: message, consumer: consumer, claimedAt: now)
                out.append(Delivery(envelope: message.envelope, claim: token, index: 0, total: 1))
            }
            s.queues[queue] = q
            return out
        }
    }

    private func promoteDue(_ q: inout QueueState, now: Int64, nextSeq: inout Int) {
        let due = q.deferred.filter { $0.due <= now }.sorted { $0.due < $1.due }
        guard !due.isEmpty else { return }
        q.deferred.removeAll { $0.due <= now }
        for entry in due {
            nextSeq += 1
            var message = entry.message
            message.seq = nextSeq
            q.ready.append(message)
        }
    }

    func hasClaimable(_ queue: QueueName) -> Bool {
        let now = nowMs
        return state.withLock { s in
            guard let q = s.queues[queue] else { return false }
            return !q.ready.isEmpty || q.deferred.contains { $0.due <= now }
        }
    }

    func settle(_ queue: QueueName, _ delivery: Delivery, consumer: Int, dead reason: String?) {
        state.withLock { s in
            guard var q = s.queues[queue], let claim = q.claims[delivery.claim], claim.consumer == consumer else { return }
            q.claims[delivery.claim] = nil
            if let reason { q.dead.append(DeadMessage(name: delivery.claim, envelope: delivery.envelope, reason: reason)) }
            s.queues[queue] = q
        }
    }

    func deferRetry(_ queue: QueueName, _ delivery: Delivery, consumer: Int, attempts: Int, policy: RetryPolicy) {
        var envelope = delivery.envelope
        envelope.attempts = attempts
        let now = nowMs
        let due = now + policy.delayMilliseconds(forAttempt: attempts)
        state.withLock { s in
            s.nextSeq += 1
            let message = Stored(seq: s.nextSeq, envelope: envelope, enqueuedAt: now)
            s.queues[queue, default: QueueState()].deferred.append((due, message))
        }
        settle(queue, delivery, consumer: consumer, dead: nil)
    }

    func recoverClaims(_ queue: QueueName, consumer: Int) -> Int {
        let now = nowMs
        let leaseMs = lease.milliseconds
        return state.withLock { s in
            guard var q = s.queues[queue] else { return 0 }
            let abandoned = q.claims.filter { _, c in
                c.consumer != consumer && (!s.liveConsumers.contains(c.consumer) || now - c.claimedAt >= leaseMs)
            }
            for (token, claim) in abandoned {
                q.claims[token] = nil
                let at = q.ready.firstIndex { $0.seq > claim.message.seq } ?? q.ready.count
                q.ready.insert(claim.message, at: at)
            }
            s.queues[queue] = q
            return abandoned.count
        }
    }

    func stats(_ queue: QueueName) throws(SpoolError) -> QueueStats {
        let now = nowMs
        let q: QueueState? = state.withLock { $0.queues[queue] }
        guard let q else { throw SpoolError(kind: .notFound, operation: "stats", path: queue.rawValue, detail: "no such queue") }
        let oldest = q.ready.map(\.enqueuedAt).min()
        return QueueStats(queue: queue, waiting: q.ready.count + q.deferred.count, claimed: q.claims.count, dead: q.dead.count,
                          oldestAgeSeconds: oldest.map { Double(max(0, now - $0)) / 1000 })
    }

    func deadLetters(_ queue: QueueName) -> [DeadLetter] {
        state.withLock { s in
            (s.queues[queue]?.dead ?? []).map {
                DeadLetter(file: $0.name, reason: $0.reason, id: $0.envelope.id, type: $0.envelope.type)
            }
        }
    }
}
