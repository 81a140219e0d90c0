import Foundation
import Synchronization
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// Bulk mode: many commands in flight, one reply each, matched through the client's one table.
///
/// Operator tools (`import`, `demo`, `up --demo`) send thousands of `import_ticket` commands;
/// one round trip each would cost a write and a wake-up per command. A run instead keeps a
/// window of commands in flight, sends them in batches (one write and one fsync per `batchSize`),
/// and collects the replies the listener hands it by correlation id (the command id). A command
/// still unanswered after `resendAfter` (doubling per attempt) is sent again with the SAME
/// command id: the ticket worker records every applied id, so a resent command is applied once
/// and answered with the stored reply.
extension RequestClient {
    /// Tuning for one bulk run; the defaults suit a live system on one machine.
    public struct BulkOptions: Sendable {
        /// Commands per batch (one write and one fsync each).
        public var batchSize: Int = 256
        /// Commands sent but not yet answered, at most; bounds the backlog we add to the queue.
        public var window: Int = 4_096
        /// Age after which an unanswered command is sent again; doubles with each resend.
        public var resendAfter: Duration = .seconds(20)
        /// Stop when no reply at all has come for this long (the worker is down or stuck).
        public var giveUpAfter: Duration = .seconds(120)
        /// Least time between two progress callbacks (the last one always comes).
        public var progressInterval: Duration = .milliseconds(100)

        public init() {}
    }

    /// Where a run stands, for progress bars and "waiting for the worker" notes.
    public struct BulkProgress: Sendable, Equatable {
        /// Commands in the run.
        public var total: Int
        /// Commands sent at least once.
        public var sent: Int
        /// Commands with a reply (applied or refused).
        public var answered: Int
        /// Replies that carried a refusal.
        public var refused: Int
        /// Resends so far (a command sent three times counts two).
        public var resent: Int
        /// Time since the last reply (or since the start, before the first one).
        public var sinceLastReply: Duration
    }

    /// Why a run stopped before every command was answered.
    public enum BulkStopReason: Sendable, Equatable, CustomStringConvertible {
        /// No reply came for `giveUpAfter`; what was sent stays queued and will still be applied.
        case gaveUp(waited: Duration)
        /// The calling task was cancelled; what was sent stays queued.
        case cancelled
        /// The broker refused a send (disk full, permissions); later commands were not sent.
        case sendFailed(SpoolError)

        public var description: String {
            switch self {
            case .gaveUp(let waited): "no reply from the ticket worker for \(waited.components.seconds) s"
            case .cancelled: "cancelled"
            case .sendFailed(let e): "broker: \(e)"
            }
        }
    }

    /// What a run yields: a reply per command (by input position) and what is still open.
    public struct BulkOutcome: Sendable {
        /// The reply for `commands[i]`, nil when none came.
        public var replies: [CommandReply?]
        /// Commands that could not be sent at all (too large, not encodable), by position, with the reason.
        public var notSent: [Int: String]
        /// Resends made.
        public var resent: Int
        /// Set when the run ended before every sent command was answered.
        public var stopReason: BulkStopReason?

        /// Positions of commands that were sent but never answered (they stay queued).
        public var unanswered: [Int] {
            replies.indices.filter { replies[$0] == nil && notSent[$0] == nil }
        }
        /// Positions whose reply says applied.
        public var applied: [Int] { replies.indices.filter { replies[$0]?.isApplied == true } }
        /// Positions whose reply is a refusal.
        public var refused: [Int] { replies.indices.filter { replies[$0]?.refusal != nil } }
    }

    /// Sends every command to `target` and returns when each has a reply, or the run stops.
    ///
    /// Runs on a thread of its own (sends fsync, the wait for replies blocks), so it never holds
    /// a thread of the cooperative pool. Cancelling the calling task stops it at the next step.
    /// - Parameter progress: called from that thread, at most every `options.progressInterval`
    ///   and once at the end.
    public func send(_ commands: [Command], to target: QueueName = .commands, options: BulkOptions = BulkOptions(),
                     progress: @escaping @Sendable (BulkProgress) -> Void = { _ in }) async -> BulkOutcome {
        let run = BulkRun(commands: commands)
        let core = self.core
        let replyQueue = self.replyQueue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<BulkOutcome, Never>) in
                let thread = Thread {
                    c.resume(returning: run.execute(core: core, replyQueue: replyQueue, target: target, options: options,
                                                    progress: progress))
                }
                thread.name = "bulk-sender"
                thread.start()
            }
        } onCancel: {
            run.cancel()
        }
    }
}

/// One bulk run: its commands, the replies the listener hands it, and the blocking loop.
final class BulkRun: Sendable {
    let commands: [Command]
    /// Command id → position in `commands`.
    let position: [String: Int]
    private let inbox = Mutex<[(Int, CommandReply)]>([])
    private let wake = DispatchSemaphore(value: 0)
    private let cancelled = Atomic<Bool>(false)

    init(commands: [Command]) {
        self.commands = commands
        var position: [String: Int] = [:]
        position.reserveCapacity(commands.count)
        for (i, c) in commands.enumerated() { position[c.id.rawValue] = i }
        self.position = position
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Takes a reply from the listener; returns why it cannot be read (it goes to the dead letters), else nil.
    func receive(_ envelope: Envelope) -> String? {
        let reply: CommandReply
        do { reply = try envelope.decodeBody(CommandReply.self) } catch {
            return "reply body is not a command reply: \(error)"
        }
        // A reply naming another command than its correlation id is only acked.
        if let i = envelope.correlationID.flatMap({ position[$0] }), commands[i].id == reply.commandID {
            inbox.withLock { $0.append((i, reply)) }
            wake.signal()
        }
        return nil
    }

    private struct Slot {
        var attempts = 0
        var due: ContinuousClock.Instant?
    }

    /// The run itself (blocking, on its own thread).
    func execute(core: RequestClient.Core, replyQueue: QueueName, target: QueueName, options: RequestClient.BulkOptions,
                 progress: @Sendable (RequestClient.BulkProgress) -> Void) -> RequestClient.BulkOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let broker = core.broker
        var outcome = RequestClient.BulkOutcome(replies: Array(repeating: nil, count: commands.count), notSent: [:], resent: 0)
        var slots = Array(repeating: Slot(), count: commands.count)
        var inFlight = Set<Int>()
        var next = 0, sent = 0, answered = 0, refused = 0
        var lastReply = start
        var lastProgress: ContinuousClock.Instant?
        var lastResendScan = start
        let batchSize = max(1, options.batchSize), window = max(1, options.window)
        defer { forget(core) }

        func report(force: Bool) {
            let now = clock.now
            if !force, let last = lastProgress, last.duration(to: now) < options.progressInterval { return }
            lastProgress = now
            progress(RequestClient.BulkProgress(total: commands.count, sent: sent, answered: answered, refused: refused,
                                                resent: outcome.resent, sinceLastReply: lastReply.duration(to: now)))
        }

        /// Builds envelopes for positions (skipping any that cannot be sent), registers them, sends them in one batch.
        func transmit(_ positions: [Int]) throws(SpoolError) -> [Int] {
            var envelopes: [Envelope] = []
            var kept: [Int] = []
            let now = core.clock.now()
            for i in positions {
                do {
                    let e = try Envelope(type: TicketWorkerMessageType.command, body: commands[i], replyTo: replyQueue,
                                         correlationID: commands[i].id.rawValue, sentAt: now)
                    let size = e.encodedLine().count
                    guard size <= broker.maxMessageBytes else {
                        outcome.notSent[i] = "command of \(size) bytes exceeds the broker's limit of \(broker.maxMessageBytes)"
                        continue
                    }
                    envelopes.append(e)
                    kept.append(i)
                } catch {
                    outcome.notSent[i] = "cannot encode the command: \(error)"
                }
            }
            core.waiting.withLock { w in for i in kept { w[commands[i].id.rawValue] = .run(self) } }
            try broker.send(envelopes, to: target, durability: .durable)
            return kept
        }

        while true {
            if cancelled.load(ordering: .relaxed) { outcome.stopReason = .cancelled; break }
            do throws(SpoolError) {
                // Fill the window with first sends.
                while next < commands.count && inFlight.count < window {
                    let end = min(commands.count, next + min(batchSize, window - inFlight.count))
                    let kept = try transmit(Array(next..<end))
                    next = end
                    let due = clock.now.advanced(by: options.resendAfter)
                    for i in kept {
                        slots[i].due = due
                        inFlight.insert(i)
                    }
                    sent += kept.count
                }
                // Resend the overdue (checked a few times a second; the window bounds the scan).
                let now = clock.now
                if lastResendScan.duration(to: now) >= .milliseconds(200) {
                    lastResendScan = now
                    let overdue = inFlight.filter { slots[$0].due.map { $0 <= now } ?? false }.sorted()
                    var k = 0
                    while k < overdue.count {
                        let chunk = Array(overdue[k..<min(overdue.count, k + batchSize)])
                        k += chunk.count
                        _ = try transmit(chunk)
                        for i in chunk {
                            slots[i].attempts += 1
                            let backoff = options.resendAfter * (1 << min(slots[i].attempts, 16))
                            slots[i].due = clock.now.advanced(by: backoff)
                        }
                        outcome.resent += chunk.count
                        core.logger.info("resending unanswered commands", ["queue.name": target.rawValue, "count": String(chunk.count)])
                    }
                }
            } catch {
                outcome.stopReason = .sendFailed(error)
                core.logger.error("command send failed", ["queue.name": target.rawValue, "error": error.description])
                break
            }
            if next >= commands.count && inFlight.isEmpty { break }
            let silent = lastReply.duration(to: clock.now)
            if silent >= options.giveUpAfter { outcome.stopReason = .gaveUp(waited: silent); break }

            // Collect what the listener handed over (a dedicated thread may block here).
            report(force: false)
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            for (i, reply) in inbox.withLock({ box in defer { box.removeAll() }; return box }) where outcome.replies[i] == nil {
                outcome.replies[i] = reply
                inFlight.remove(i)
                answered += 1
                if reply.refusal != nil { refused += 1 }
                lastReply = clock.now
            }
        }
        report(force: true)
        return outcome
    }

    /// Removes this run's entries from the client's table: later replies are late and discarded.
    private func forget(_ core: RequestClient.Core) {
        core.waiting.withLock { w in
            for c in commands {
                if case .run(let r)? = w[c.id.rawValue], r === self { w[c.id.rawValue] = nil }
            }
        }
    }
}
