import Foundation
import Domain
import Logging
import SpoolBroker

/// One analytics service as a process: keeps its aggregate current from `events.<service>` and
/// answers `query.<service>` by request/reply.
///
/// Why an actor: the state file's connection has one owner, while two loops (events, queries)
/// run side by side, so a query is answered between two event batches even during a long replay.
/// Effects are exactly-once from at-least-once delivery: each batch commits its events with the
/// last applied seq, and only then are the messages acked; a redelivered event is skipped by seq.
public actor AnalyticsWorker<Aggregate: PersistedAggregate> {
    /// Limits for one worker; defaults suit production, tests shorten the waits.
    public struct Settings: Sendable {
        /// Events claimed and committed per transaction (large batches amortise the commit).
        public var eventBatch: Int = 1_000
        public var queryBatch: Int = 64
        /// How long one wait for messages lasts before the stop flag is checked again.
        public var idleWait: Duration = .milliseconds(250)
        /// A gap still seen after this long is asked for again.
        public var replayRetryMilliseconds: Int64 = 10_000
        /// The waits between attempts to commit a batch that failed to commit (disk full, say);
        /// only its delays are used: the batch is held, never given up.
        public var retryPolicy = RetryPolicy(maxAttempts: 1_000, base: .milliseconds(200), cap: .seconds(10))
        public init() {}
    }

    private let state: AnalyticsState<Aggregate>
    private let broker: any MessageBroker
    private let events: any MessageConsumer
    private let queries: any MessageConsumer
    private let clock: any WallClock
    private let logger: Logger
    private let settings: Settings
    private var replay: ReplayTracker
    /// A replay request the broker refused (disk full, say), and when to try it again.
    private var unsentReplay: (from: SequenceNumber, nextTry: Timestamp)?
    /// Commits that failed and were tried again (the batch held meanwhile).
    private(set) var failedCommits = 0
    /// Whether a replay request waits to be sent again.
    var hasUnsentReplay: Bool { unsentReplay != nil }
    private let decoder = JSONDecoder()

    /// Opens the state file, binds `events.<service>` to the `events` exchange and creates the queues.
    public init(broker: any MessageBroker, statePath: String, timeZone: TimeZone, clock: any WallClock = SystemClock(),
                logger: Logger, settings: Settings = Settings()) throws {
        state = try AnalyticsState<Aggregate>(path: statePath, timeZone: timeZone)
        self.broker = broker
        let eventQueue = QueueName.events(Aggregate.service)
        try broker.bind(eventQueue, to: .events)
        events = try broker.consumer(of: eventQueue)
        queries = try broker.consumer(of: .query(Aggregate.service))
        self.clock = clock
        self.logger = logger
        self.settings = settings
        replay = ReplayTracker(retryAfterMilliseconds: settings.replayRetryMilliseconds)
    }

    /// The last event seq applied and committed.
    public var lastSeq: SequenceNumber { state.lastSeq }

    /// The current answer to a query body, as the reply would carry it (for the CLI and tests).
    public func answer(_ body: Data) -> (type: String, body: Data) {
        AnalyticsQueryAnswering.reply(to: body, aggregate: state.aggregate, now: clock.now())
    }

    /// Runs until `shouldStop` returns true (checked at least every `idleWait`), then returns after
    /// finishing the batch in hand. Asks for a full replay first if the state is empty.
    ///
    /// - Throws: a broker or state error that a retry cannot fix (the other loop stops too); the
    ///   process then exits 1 and its supervisor restarts it, which is safe at any point.
    public func run(shouldStop: @escaping @Sendable () -> Bool) async throws {
        logger.info("analytics worker started", ["service": Aggregate.service.rawValue, "state.last_seq": lastSeq.description])
        if let from = replay.startupReplayFrom(lastSeq: state.lastSeq, now: clock.now()) {
            requestReplay(from: from)
        }
        let (events, queries, settings) = (self.events, self.queries, self.settings)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                while !shouldStop(), !Task.isCancelled {
                    let batch = try await events.messages(max: settings.eventBatch, timeout: settings.idleWait)
                    if !batch.isEmpty { try await self.handleEvents(batch, shouldStop: shouldStop) }
                    await self.sendUnsentReplay()
                }
            }
            group.addTask {
                while !shouldStop(), !Task.isCancelled {
                    let batch = try await queries.messages(max: settings.queryBatch, timeout: settings.idleWait)
                    if !batch.isEmpty { await self.handleQueries(batch) }
                }
            }
        }
        logger.info("analytics worker stopped", ["service": Aggregate.service.rawValue, "state.last_seq": lastSeq.description])
    }

    // MARK: - Events

    /// Applies a claimed batch: decode, apply in seq order up to any gap, commit, then ack.
    ///
    /// A batch that cannot be committed (disk full, I/O error) is held and tried again with
    /// backoff: the state rolls back to its last commit, nothing is acked, and no broker write is
    /// needed to wait (a retry through the broker would itself fail on a full disk). Stopping
    /// meanwhile leaves the claims, which come back when this process has gone.
    func handleEvents(_ deliveries: [Delivery], shouldStop: @Sendable () -> Bool) async throws {
        var good: [Delivery] = []
        var changes: [ChangeEvent] = []
        for delivery in deliveries {
            do {
                changes.append(try decoder.decode(ChangeEvent.self, from: delivery.envelope.body))
                good.append(delivery)
            } catch {
                // Nothing is dropped silently: an undecodable event goes to dead/ with the reason.
                logger.error("event rejected", ["queue.name": events.name.rawValue, "envelope.id": delivery.envelope.id.rawValue, "envelope.type": String(delivery.envelope.type.prefix(40))])
                try events.reject(delivery, reason: "not a change event: \(String(describing: error).prefix(200))")
            }
        }
        var outcome: AnalyticsState<Aggregate>.BatchOutcome
        var attempt = 0
        while true {
            do {
                outcome = try state.apply(changes)
                if attempt > 0 {
                    logger.info("event batch committed after failures", ["service": Aggregate.service.rawValue, "attempts": String(attempt + 1)])
                }
                break
            } catch {
                attempt += 1
                failedCommits += 1
                let delay = settings.retryPolicy.delayMilliseconds(forAttempt: attempt)
                logger.error("event batch not committed, holding it and retrying", [
                    "service": Aggregate.service.rawValue, "attempt": String(attempt), "retry.in_ms": String(delay),
                    "error": String(describing: error).prefix(200).description])
                let deadline = ContinuousClock.now.advanced(by: .milliseconds(delay))
                while ContinuousClock.now < deadline {
                    if shouldStop() || Task.isCancelled { return }
                    let slice = min(ContinuousClock.now.duration(to: deadline), .milliseconds(50))
                    do { try await Task.sleep(for: slice) } catch { return }
                }
            }
        }
        // After the commit: a crash before these acks only causes redeliveries, which are skipped by seq.
        // Events beyond a gap are acked too: the replay asked for below re-publishes them.
        for delivery in good { try events.ack(delivery) }
        if outcome.applied > 0 {
            logger.debug("events applied", ["service": Aggregate.service.rawValue, "count": String(outcome.applied), "state.last_seq": state.lastSeq.description])
        }
        if let from = replay.replayFrom(lastSeq: state.lastSeq, gapAt: outcome.gapAt, now: clock.now()) {
            logger.warning("event gap, asking for replay", ["service": Aggregate.service.rawValue, "replay.from": from.description])
            requestReplay(from: from)
        }
    }

    /// Asks the ticket worker for the events from `from` on; if the broker refuses the request
    /// (disk full, say) it is kept and sent again from the events loop, once a second.
    private func requestReplay(from: SequenceNumber) {
        let body = ReplayRequest(from: from, queue: events.name.rawValue)
        do {
            try broker.send(try Envelope(type: AnalyticsMessageType.replayRequest, body: body, sentAt: clock.now()), to: .commands)
            unsentReplay = nil
            logger.info("replay requested", ["service": Aggregate.service.rawValue, "replay.from": from.description])
        } catch {
            unsentReplay = (from, clock.now().adding(milliseconds: 1_000))
            logger.error("replay request not sent, will try again", [
                "service": Aggregate.service.rawValue, "replay.from": from.description, "error": String(describing: error).prefix(200).description])
        }
    }

    /// Sends a replay request the broker refused before, when its next try is due.
    func sendUnsentReplay() {
        guard let pending = unsentReplay, clock.now() >= pending.nextTry else { return }
        requestReplay(from: pending.from)
    }

    // MARK: - Queries

    func handleQueries(_ deliveries: [Delivery]) {
        for delivery in deliveries {
            let request = delivery.envelope
            logger.debug("query received", ["queue.name": queries.name.rawValue, "reply_to": request.replyTo?.rawValue ?? "-"])
            let (type, body) = AnalyticsQueryAnswering.reply(to: request.body, aggregate: state.aggregate, now: clock.now())
            do {
                if let replyTo = request.replyTo {
                    let reply = Envelope(type: type, sentAt: clock.now(), correlationID: request.correlationID, rawBody: body)
                    try broker.sendReply(reply, to: replyTo)
                }
                try queries.ack(delivery)
            } catch {
                // A reply that cannot be written is logged; the asker times out and degrades its panel.
                logger.error("query reply failed", ["queue.name": queries.name.rawValue, "error": String(describing: error).prefix(200).description])
                do {
                    try queries.reject(delivery, reason: "reply failed: \(String(describing: error).prefix(200))")
                } catch {
                    // Still claimed: the queue writes the dead letter once it can (MessageConsumer.ack).
                    logger.error("query reject failed", ["queue.name": queries.name.rawValue, "error": error.description])
                }
            }
        }
    }
}
