import Foundation
import Domain
import Logging
import SpoolBroker
import TicketStore

/// The ticket service as a process: the only writer of `tickets.db`.
///
/// Why this shape: commands arrive at least once on `commands`; the store records each command id
/// with its reply and writes the change events to its outbox in the same transaction, so applying
/// a batch is exactly-once. Only after the commit does the worker reply (one file per reply queue
/// and batch), acknowledge the messages, publish the outbox to the `events` exchange and mark it
/// published. A crash anywhere leaves either
/// unacked messages (redelivered, answered from the stored replies) or unpublished events
/// (published at the next start): never a lost change, never a change without its event.
/// An actor because its loop and its callers (tests, tools) share the counters; the store it
/// drives is an actor of its own.
public actor TicketWorker {
    /// Limits and waits for one worker; the defaults suit production, tests shorten the waits.
    public struct Settings: Sendable {
        /// Messages claimed and applied in one transaction (one fsync shared by all of them).
        public var batchSize: Int = 512
        /// How long one wait for messages lasts before the stop flag is checked again.
        public var idleWait: Duration = .milliseconds(250)
        /// Change events per published file (outbox relay and replays).
        public var eventsPerFile: Int = 2_000
        /// Backoff while a batch cannot be committed (disk full, I/O error): the batch is held, never dropped.
        public var storageRetry = RetryPolicy(maxAttempts: .max, base: .milliseconds(100), cap: .seconds(10))
        /// Events one replay sends per loop turn before the worker looks at `commands` again.
        ///
        /// About 40 ms of work at a million tickets (`campusdesk-bench replay`): what a command waits
        /// behind a replay, where one shot kept it waiting 87 s.
        public var replaySlice: Int = 500
        /// For a replay request that cannot be written (the target queue's disk failing).
        public var replayRetry = RetryPolicy(maxAttempts: 5, base: .milliseconds(500), cap: .seconds(30))
        /// Imported tickets full-text indexed per background transaction: a live command that arrives
        /// during the pass waits for at most one chunk (docs/performance.md has the measured time).
        public var searchChunk: Int = 2_000
        /// The search backlog left is logged each time this many more tickets have been indexed.
        public var searchProgressEvery: Int = 100_000
        public init() {}
    }

    /// What the worker has done since it started, for logs, tests and benchmarks.
    public struct Counters: Sendable, Equatable {
        /// Command messages answered (including redeliveries answered from the stored reply).
        public var commandsProcessed = 0
        /// Change events written to the `events` exchange by the outbox relay.
        public var eventsPublished = 0
        /// Events re-sent to one queue on request.
        public var eventsReplayed = 0
        /// Messages moved to `dead/` (undecodable, unknown type, invalid replay request).
        public var rejected = 0
        /// Replay requests whose events could not be sent (disk full, say), handed back for a retry.
        public var replaysFailed = 0
        /// Failed attempts to commit a batch.
        public var storageFailures = 0
        /// Batches whose commit succeeded.
        public var batchesCommitted = 0
        /// Imported tickets added to the full-text index by the background pass.
        public var ticketsSearchIndexed = 0
        /// Replication batches handed to the broker (NATS only).
        public var replicationBatchesPublished = 0
        public init() {}
    }

    let store: TicketStore
    let broker: any MessageBroker
    let commands: any MessageConsumer
    let clock: any WallClock
    let logger: Logger
    let settings: Settings
    /// Where replication batches go when the store replicates (NATS); nil: nowhere (the spool).
    let replication: (any ReplicationPublishing)?
    /// True when replication batches may be waiting in the store's outbox (a publish failed).
    var replicationPending = true
    private let decoder = JSONDecoder()
    /// One encoder for every reply and event body (the same output as `Envelope(type:body:)`'s).
    private let encoder = JSONEncoder()
    /// True when events may be waiting in the outbox (a publish failed); the loop tries again.
    private var outboxPending = true
    /// Where the background full-text pass stands (TicketWorker+Search.swift).
    var search = SearchPass()
    /// Replays in progress, oldest first (TicketWorker+Replay.swift); one slice per loop turn.
    var replayJobs: [ReplayJob] = []
    public internal(set) var counters = Counters()

    /// Wires a worker to its store and broker; creates the `commands` queue if needed.
    public init(store: TicketStore, broker: any MessageBroker, clock: any WallClock = SystemClock(),
                logger: Logger = Logger(component: "ticket-worker"), settings: Settings = Settings(),
                replication: (any ReplicationPublishing)? = nil) throws(SpoolError) {
        self.store = store
        self.replication = replication
        self.broker = broker
        self.commands = try broker.consumer(of: .commands)
        self.clock = clock
        self.logger = logger
        self.settings = settings
    }

    // MARK: - Running

    /// Recovers, then applies commands until `shouldStop` returns true (checked at least every
    /// `idleWait`); the batch in hand is finished before returning. Whenever `commands` has nothing
    /// waiting, it full-text indexes imported tickets, one `searchChunk` at a time (TicketWorker+Search.swift).
    ///
    /// - Throws: a `SpoolError` when the `commands` queue cannot be read (the supervisor restarts the process).
    public func run(shouldStop: @escaping @Sendable () -> Bool) async throws {
        let recovered = try await recover()
        let backlog = await searchBacklogAtStart()
        logger.info("ticket worker started", ["claims.returned": String(recovered.claimsReturned),
                                              "events.published": String(recovered.eventsPublished),
                                              "replication.published": String(counters.replicationBatchesPublished),
                                              "batch.size": String(settings.batchSize),
                                              "search.backlog": String(backlog)])
        while !shouldStop() {
            // While imported tickets wait for full-text indexing, only look for commands (no wait):
            // live work goes first, the pass fills the gaps between batches.
            // A replay in progress also only looks: one slice of it follows every batch (or empty look).
            let busy = search.isDue(ContinuousClock.now) || !replayJobs.isEmpty
            let batch = try await commands.messages(max: settings.batchSize, timeout: busy ? .zero : settings.idleWait, knownTypes: nil)
            if batch.isEmpty {
                if outboxPending { await relayOutbox() }
                if replicationPending { await relayReplication() }
                if !replayJobs.isEmpty {
                    await replayTurn()
                } else if search.isDue(ContinuousClock.now) {
                    await indexSearchChunk()
                }
                continue
            }
            await handle(batch, shouldStop: shouldStop)
            await replayTurn()
        }
        // Commands per batch is the group commit's size: how far the worker is behind its load.
        logger.info("ticket worker stopped", ["commands.processed": String(counters.commandsProcessed),
                                              "batches.committed": String(counters.batchesCommitted),
                                              "events.published": String(counters.eventsPublished)])
    }

    /// Start-up duties: return claims of a crashed worker to the queue, then publish events a crash
    /// left in the outbox (committed but not yet published).
    @discardableResult
    public func recover() async throws -> (claimsReturned: Int, eventsPublished: Int) {
        let claims = try commands.recoverClaims()
        let published = try await publishOutbox()
        outboxPending = false
        // Batches a crash left between commit and publish (the stream drops those it already has).
        await relayReplication()
        return (claims, published)
    }

    // MARK: - One batch

    /// Applies one claimed batch: decode, one `store.apply`, then reply, ack, publish, mark; then
    /// takes its replay requests (sent a slice per loop turn by ``replayTurn()``).
    func handle(_ deliveries: [Delivery], shouldStop: @Sendable () -> Bool) async {
        var toApply: [Command] = []
        var applied: [Delivery] = []
        var replays: [(Delivery, TicketWorkerReplayRequest)] = []
        for delivery in deliveries {
            let envelope = delivery.envelope
            switch envelope.type {
            case TicketWorkerMessageType.command:
                do {
                    toApply.append(try decoder.decode(Command.self, from: envelope.body))
                    applied.append(delivery)
                } catch {
                    reject(delivery, reason: "undecodable command: \(Self.describe(error))")
                }
            case TicketWorkerReplayRequest.type:
                do {
                    replays.append((delivery, try decoder.decode(TicketWorkerReplayRequest.self, from: envelope.body)))
                } catch {
                    reject(delivery, reason: "undecodable replay request: \(Self.describe(error))")
                }
            default:
                reject(delivery, reason: "unknown message type '\(envelope.type.prefix(60))' on commands")
            }
        }
        if !toApply.isEmpty {
            guard var replies = await applyHolding(toApply, shouldStop: shouldStop) else {
                // Stopped while the store was failing: nothing committed, nothing acked. The claims
                // go back to new/ when the next worker starts (this pid will be gone).
                return
            }
            if replication != nil {
                // Published before the replies, so a gateway waiting for its replica waits least.
                await relayReplication()
                let seq = await store.replicationSeq
                for index in replies.indices { replies[index].replicationSeq = seq }
            }
            counters.batchesCommitted += 1
            if toApply.contains(where: \.isImport) { search.pending = true }
            // An `import_ticket` from the import tools (channel `import`: `campusdesk import`, `demo`) is
            // answered without its ticket: they only count replies, and encoding the whole ticket here
            // and decoding it there took 15 % of this worker's and 22 % of the import's CPU (perf,
            // docs/performance.md). Other senders get the ticket; the stored reply keeps it for all.
            for index in replies.indices where toApply[index].isImport && toApply[index].channel == .import { replies[index].ticket = nil }
            sendReplies(replies, to: applied)
            // Acked before the relay: the events are already durable in the outbox, so a crash
            // between the two publishes them at the next start; the commands are settled either way.
            for delivery in applied { ack(delivery) }
            counters.commandsProcessed += applied.count
            await relayOutbox()
        }
        for (delivery, request) in replays { await startReplay(request, delivery: delivery) }
    }

    /// `store.apply`, retried with backoff while it throws; nil only when asked to stop meanwhile.
    ///
    /// A throw means nothing of the batch was committed (the store rolls back), so holding the
    /// claimed messages and trying again is safe; nothing is acked, replied or published meanwhile.
    private func applyHolding(_ batch: [Command], shouldStop: @Sendable () -> Bool) async -> [CommandReply]? {
        var attempt = 0
        while true {
            do {
                let replies = try await store.apply(batch)
                if attempt > 0 {
                    logger.info("batch committed after storage failures", ["batch.size": String(batch.count), "attempts": String(attempt + 1)])
                }
                return replies
            } catch {
                attempt += 1
                counters.storageFailures += 1
                let delay = settings.storageRetry.delayMilliseconds(forAttempt: attempt)
                logger.error("batch not committed, holding it and retrying", [
                    "batch.size": String(batch.count), "attempt": String(attempt),
                    "retry.in_ms": String(delay), "error": Self.describe(error)])
                let deadline = ContinuousClock.now.advanced(by: .milliseconds(delay))
                while ContinuousClock.now < deadline {
                    if shouldStop() || Task.isCancelled { return nil }
                    let slice = min(ContinuousClock.now.duration(to: deadline), .milliseconds(50))
                    do { try await Task.sleep(for: slice) } catch { return nil }  // cancelled: stop holding
                }
            }
        }
    }

    // MARK: - Replies, outbox, settling

    /// Answers the committed batch: one reply file per reply queue (JSON Lines), not one per command.
    ///
    /// Called only after the commit. Replies keep their batch order within each queue, so a
    /// requester sees them in the order its commands were applied.
    private func sendReplies(_ replies: [CommandReply], to deliveries: [Delivery]) {
        let now = clock.now()
        var byQueue: [QueueName: [Envelope]] = [:]
        var order: [QueueName] = []
        for (delivery, reply) in zip(deliveries, replies) {
            guard let replyTo = delivery.envelope.replyTo else { continue }
            let body: Data
            do { body = try encoder.encode(reply) } catch {
                logger.warning("reply not encoded", ["command.id": reply.commandID.rawValue, "error": Self.describe(error)])
                continue
            }
            let envelope = Envelope(type: TicketWorkerMessageType.commandReply, sentAt: now,
                                    correlationID: delivery.envelope.correlationID, rawBody: body)
            if byQueue[replyTo] == nil { order.append(replyTo) }
            byQueue[replyTo, default: []].append(envelope)
        }
        for queue in order {
            do {
                try broker.sendReplies(byQueue[queue] ?? [], to: queue)
            } catch {
                // The commands are committed; the requesters time out and read the result on their next look.
                logger.warning("replies not sent", ["queue.name": queue.rawValue, "replies": String(byQueue[queue]?.count ?? 0),
                                                    "error": error.description])
            }
        }
    }

    /// Publishes the replication outbox and prunes what the broker holds; a failure is logged and
    /// retried on the next loop (the batches wait in the outbox, a gateway waits for them).
    private func relayReplication() async {
        guard let replication else {
            replicationPending = false
            return
        }
        do {
            while true {
                let batches = try await store.unpublishedReplication(limit: 256)
                guard let last = batches.last else { break }
                try replication.publish(batches)
                try await store.pruneReplication(through: last.seq)
                counters.replicationBatchesPublished += batches.count
                if batches.count < 256 { break }
            }
            replicationPending = false
        } catch {
            replicationPending = true
            logger.error("replication batches not published, will retry", ["error": Self.describe(error)])
        }
    }

    /// Publishes the outbox; a failure is logged and retried on the next loop (events wait in the outbox).
    private func relayOutbox() async {
        do {
            _ = try await publishOutbox()
            outboxPending = false
        } catch {
            outboxPending = true
            logger.error("events not published, will retry", ["error": Self.describe(error)])
        }
    }

    /// Publishes every unpublished event to the `events` exchange, in seq order, in files of
    /// `eventsPerFile`, marking each file published once written to every bound queue.
    /// A queue with a replay in progress is left out: its replay sends these events in their turn.
    ///
    /// Envelope ids are `event-<seq>`, so a consumer deduplicating by id or by seq sees one event once.
    /// - Returns: how many events were published.
    @discardableResult
    public func publishOutbox() async throws -> Int {
        var total = 0
        while true {
            let events = try await store.unpublishedEvents(limit: settings.eventsPerFile)
            guard let last = events.last else { break }
            let envelopes = try changeEventEnvelopes(events)
            if replayJobs.isEmpty {
                try broker.publish(envelopes, to: .events)
            } else {
                let replaying = Set(replayJobs.map(\.queue))
                for queue in try broker.bindings(of: .events) where !replaying.contains(queue) {
                    try broker.send(envelopes, to: queue)
                }
            }
            try await store.markPublished(through: last.seq)
            total += events.count
            if events.count < settings.eventsPerFile { break }
        }
        counters.eventsPublished += total
        return total
    }

    /// One `change_event` envelope per event, id `event-<seq>` (the same on every publish and replay).
    func changeEventEnvelopes(_ events: [ChangeEvent]) throws -> [Envelope] {
        let now = clock.now()
        return try events.map {
            Envelope(id: EnvelopeID("event-\($0.seq.rawValue)"), type: TicketWorkerMessageType.changeEvent, sentAt: now,
                     rawBody: try encoder.encode($0))
        }
    }

    private func ack(_ delivery: Delivery) {
        do { try commands.ack(delivery) } catch {
            // The effect is committed; the queue removes the claim once it can (MessageConsumer.ack),
            // and if this process dies first a redelivery is answered from the stored reply.
            logger.warning("ack failed, the queue will finish it", ["queue.file": delivery.claim, "error": error.description])
        }
    }

    private func reject(_ delivery: Delivery, reason: String) {
        counters.rejected += 1
        do { try commands.reject(delivery, reason: reason) } catch {
            // Still claimed: the queue writes the dead letter once it can (MessageConsumer.ack).
            logger.error("reject failed", ["queue.file": delivery.claim, "error": error.description])
        }
    }

    static func describe(_ error: any Error) -> String { String(String(describing: error).prefix(300)) }
}
