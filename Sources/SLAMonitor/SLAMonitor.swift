import Foundation
import Domain
import Logging
import SpoolBroker
import Analytics

/// The SLA monitor as a process: follows the change events on `events.sla-monitor`, keeps every
/// running timer in its state file, and when a transition falls due sends the command that records
/// it (`record_sla_transition`, channel `sla`) on `commands`.
///
/// Exactly once, from at-least-once parts:
/// - A command's id is derived from ticket, timer, state and instant (``commandID(for:)``), so a
///   resend (after a crash, or when an event arrives before the worker recorded what was sent)
///   is answered from the worker's applied commands, and the worker refuses stale transitions.
/// - Order: the commands are sent durably, then the state that no longer holds them is saved,
///   then the events it reflects are acked. A kill -9 anywhere only causes resends and redeliveries.
/// - Time: the wall clock is read again at least every `maxWait`, so a jump forward fires what
///   fell due (with the true instant in `at`) and a jump back fires nothing early.
/// - Nothing fires while the events queue still has a backlog or a replay is awaited: a rebuild
///   from seq 1 would otherwise send transitions for timers that later events show were met.
public actor SLAMonitor {
    public struct Settings: Sendable {
        /// Events claimed per batch.
        public var eventBatch = 1_000
        /// Commands sent per file on `commands`.
        public var commandBatch = 500
        /// The longest wait before the wall clock is read again (and a stop request noticed).
        public var maxWait: Duration = .milliseconds(500)
        /// The shortest time between two saves of the state file; a save also waits at least 20
        /// times as long as the last one took, so a million timers cost under 5 % in saving.
        public var saveInterval: Duration = .seconds(1)
        /// Events held unacked (with their bodies) before a save is forced whatever the interval,
        /// so a long replay does not hold millions of messages in memory.
        public var maxUnsaved = 20_000
        /// A gap still seen after this long is asked for again.
        public var replayRetryMilliseconds: Int64 = 10_000
        /// After a failed send (disk full, say), the wait before trying again.
        public var sendRetry: Duration = .seconds(1)
        public init() {}
    }

    /// The queue the monitor's events arrive on, bound to the `events` exchange.
    public static let eventQueue: QueueName = .slaMonitorEvents
    /// The channel and name its commands are recorded under in the audit trail.
    public static let actorName = "SLA monitor"

    public let statePath: String
    private var state: SLAMonitorState
    private let broker: any MessageBroker
    private let events: any MessageConsumer
    private let clock: any WallClock
    private let logger: Logger
    private let settings: Settings
    private var replay: ReplayTracker
    private var unsentReplay: (from: SequenceNumber, nextTry: Timestamp)?
    /// Deliveries whose events are applied in memory but not yet saved; acked after the save.
    private var unsaved: [Delivery] = []
    private var dirty = false
    private var lastSave = ContinuousClock.now
    private var lastSaveDuration: Duration = .zero
    private var sendBlockedUntil: ContinuousClock.Instant?
    /// Transitions sent since start (resends included).
    public private(set) var sent = 0
    private let decoder = JSONDecoder()

    /// Opens the state file (a damaged one is moved aside to `<path>.damaged` and rebuilt by a full
    /// replay), binds `events.sla-monitor` to the `events` exchange and creates the queues.
    public init(broker: any MessageBroker, statePath: String, clock: any WallClock = SystemClock(), logger: Logger,
                settings: Settings = Settings()) throws {
        self.statePath = statePath
        do {
            state = try SLAStateFile.load(from: statePath)
        } catch {
            logger.error("state file unusable, moving it aside and rebuilding from a full replay", ["error": error.description])
            let aside = statePath + ".damaged"
            try? FileManager.default.removeItem(atPath: aside)
            try FileManager.default.moveItem(atPath: statePath, toPath: aside)
            state = SLAMonitorState()
        }
        self.broker = broker
        try broker.bind(Self.eventQueue, to: .events)
        events = try broker.consumer(of: Self.eventQueue)
        self.clock = clock
        self.logger = logger
        self.settings = settings
        replay = ReplayTracker(retryAfterMilliseconds: settings.replayRetryMilliseconds)
    }

    public var lastSeq: SequenceNumber { state.lastSeq }
    public var runningTimers: Int { state.timers.count }

    /// The command that records `transition`; its id is the same on every send of the same transition.
    public static func command(for transition: PendingTransition) -> Command {
        Command(id: commandID(for: transition), role: .admin, action: .recordSLATransition(transition.transition),
                channel: .sla, actorName: actorName)
    }

    /// `sla-<ticket>-<timer>-<state>-<instant ms>`, e.g. `sla-42-first_response-at_risk-1772355600000`.
    public static func commandID(for transition: PendingTransition) -> CommandID {
        let key = transition.key
        return CommandID("sla-\(key.ticket.rawValue)-\(key.kind.rawValue)-\(transition.state.rawValue)-\(transition.instant)")
    }

    /// Runs until `shouldStop` returns true (checked at least every `maxWait`), then saves and returns.
    ///
    /// - Throws: a broker error that a retry cannot fix; the process exits 1 and is restarted,
    ///   which is safe at any point.
    public func run(shouldStop: @escaping @Sendable () -> Bool) async throws {
        // Events a killed predecessor had claimed but not acked come back at once (their holder is gone).
        try events.recoverClaims()
        logger.info("sla monitor started", ["state.last_seq": state.lastSeq.description, "timers.running": String(state.timers.count)])
        if let from = replay.startupReplayFrom(lastSeq: state.lastSeq, now: clock.now()) { requestReplay(from: from) }
        while !shouldStop(), !Task.isCancelled {
            let batch = try await events.messages(max: settings.eventBatch, timeout: waitTime())
            if !batch.isEmpty { try handleEvents(batch) }
            sendUnsentReplay()
            if batch.count < settings.eventBatch { fireDue(shouldStop: shouldStop) }
            saveIfDue(force: false)
        }
        saveIfDue(force: true)
        logger.info("sla monitor stopped", ["state.last_seq": state.lastSeq.description, "timers.running": String(state.timers.count),
                                            "transitions.sent": String(sent)])
    }

    /// How long to wait for events: until the next transition falls due, at most `maxWait`.
    private func waitTime() -> Duration {
        guard canFire, sendBlockedUntil == nil, let next = state.nextInstant else { return settings.maxWait }
        let ms = max(0, next.millisecondsSinceEpoch - clock.now().millisecondsSinceEpoch)
        return min(.milliseconds(ms), settings.maxWait)
    }

    /// Whether the events applied are the whole story: no replay awaited.
    private var canFire: Bool { replay.requested == nil }

    /// Decodes and applies a claimed batch; the deliveries are acked once a save holds their effect.
    func handleEvents(_ deliveries: [Delivery]) throws {
        var changes: [ChangeEvent] = []
        for delivery in deliveries {
            do {
                changes.append(try decoder.decode(ChangeEvent.self, from: delivery.envelope.body))
                unsaved.append(delivery)
            } catch {
                logger.error("event rejected", ["queue.name": events.name.rawValue, "envelope.id": delivery.envelope.id.rawValue])
                try events.reject(delivery, reason: "not a change event: \(String(describing: error).prefix(200))")
            }
        }
        let outcome = state.apply(changes)
        if outcome.applied > 0 { dirty = true }
        if unsaved.count > 0 && !dirty {
            // Only duplicates (or events past a gap): nothing to save, so they are settled now.
            ackUnsaved()
        }
        if let from = replay.replayFrom(lastSeq: state.lastSeq, gapAt: outcome.gapAt, now: clock.now()) {
            logger.warning("event gap, asking for replay", ["replay.from": from.description])
            requestReplay(from: from)
        }
    }

    /// Sends every transition due at the wall clock's now, in instant order, batch by batch.
    func fireDue(shouldStop: () -> Bool = { false }) {
        guard canFire else { return }
        if let blocked = sendBlockedUntil {
            guard ContinuousClock.now >= blocked else { return }
            sendBlockedUntil = nil
        }
        let now = clock.now()
        // A stop between two batches leaves the rest due: it is sent at the next start.
        while !shouldStop() {
            let taken = state.takeDue(now: now, max: settings.commandBatch)
            guard !taken.isEmpty else { return }
            do {
                let envelopes = try taken.map { t in
                    let command = Self.command(for: t)
                    return try Envelope(type: TicketWorkerMessageType.command, body: command, sentAt: now, id: EnvelopeID(command.id.rawValue))
                }
                try broker.send(envelopes, to: .commands, durability: .durable)
            } catch {
                state.putBack(taken)
                sendBlockedUntil = ContinuousClock.now.advanced(by: settings.sendRetry)
                logger.error("transitions not sent, will try again", ["count": String(taken.count), "error": String(describing: error).prefix(200).description])
                return
            }
            dirty = true
            sent += taken.count
            for t in taken {
                logger.info("sla transition sent", ["ticket.id": t.key.ticket.description, "sla.timer": t.key.kind.rawValue,
                                                    "sla.state": t.state.rawValue, "sla.at": Timestamp(millisecondsSinceEpoch: t.instant).iso8601])
            }
            if taken.count < settings.commandBatch { return }
        }
    }

    /// Saves the state when something changed and the save interval has passed (or `force`), then acks.
    func saveIfDue(force: Bool) {
        guard dirty else { return }
        let since = lastSave.duration(to: ContinuousClock.now)
        guard force || unsaved.count >= settings.maxUnsaved || (since >= settings.saveInterval && since >= lastSaveDuration * 20) else { return }
        let start = ContinuousClock.now
        do {
            try SLAStateFile.save(state, to: statePath)
        } catch {
            // Kept in memory, nothing acked: the next pass tries again; a crash meanwhile redelivers.
            logger.error("state not saved, will try again", ["error": error.description])
            lastSave = ContinuousClock.now
            return
        }
        lastSaveDuration = start.duration(to: ContinuousClock.now)
        lastSave = ContinuousClock.now
        dirty = false
        ackUnsaved()
    }

    private func ackUnsaved() {
        for delivery in unsaved {
            do { try events.ack(delivery) } catch {
                logger.warning("ack failed, the queue will finish it", ["queue.file": delivery.claim, "error": error.description])
            }
        }
        unsaved.removeAll(keepingCapacity: true)
    }

    /// Asks the ticket worker for the events from `from` on (kept and sent again if the broker refuses).
    private func requestReplay(from: SequenceNumber) {
        let body = ReplayRequest(from: from, queue: events.name.rawValue)
        do {
            try broker.send(try Envelope(type: AnalyticsMessageType.replayRequest, body: body, sentAt: clock.now()), to: .commands)
            unsentReplay = nil
            logger.info("replay requested", ["replay.from": from.description])
        } catch {
            unsentReplay = (from, clock.now().adding(milliseconds: 1_000))
            logger.error("replay request not sent, will try again", ["replay.from": from.description, "error": String(describing: error).prefix(200).description])
        }
    }

    private func sendUnsentReplay() {
        guard let pending = unsentReplay, clock.now() >= pending.nextTry else { return }
        requestReplay(from: pending.from)
    }
}
