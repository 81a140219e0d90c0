import Foundation
import Synchronization
import Domain
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Sends many commands through the broker and collects one reply per command.
///
/// Operator tools (`import`, `demo`, `up --demo`) send thousands of `import_ticket` commands;
/// one request/reply round trip each would cost an fsync and a wake-up per command. The client
/// instead keeps a window of commands in flight, sends them in batches (one file and one fsync
/// per `batchSize` commands, `SpoolQueue.send(batch:)`), and matches replies on its own reply
/// queue by correlation id (the command id). A command still unanswered after `resendAfter`
/// (doubling per attempt) is sent again with the SAME command id: the ticket worker records
/// every applied id, so a resent command is applied once and answered with the stored reply.
///
/// One client per process and name: its reply queue is `reply.<processName>.<pid>`, so do not
/// give it the name of a `Requester` in the same process.
public final class CommandClient: Sendable {
    /// Tuning for one `send` run; the defaults suit a live system on one machine.
    public struct Options: Sendable {
        /// Commands per batch file (one fsync each).
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
    public struct Progress: Sendable, Equatable {
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
    public enum StopReason: Sendable, Equatable, CustomStringConvertible {
        /// No reply came for `giveUpAfter`; what was sent stays queued and will still be applied.
        case gaveUp(waited: Duration)
        /// The calling task was cancelled; what was sent stays queued.
        case cancelled
        /// The spool refused a send (disk full, permissions); later commands were not sent.
        case spoolFailed(SpoolError)

        public var description: String {
            switch self {
            case .gaveUp(let waited): "no reply from the ticket worker for \(waited.components.seconds) s"
            case .cancelled: "cancelled"
            case .spoolFailed(let e): "spool: \(e)"
            }
        }
    }

    /// What a run yields: a reply per command (by input position) and what is still open.
    public struct Outcome: Sendable {
        /// The reply for `commands[i]`, nil when none came.
        public var replies: [CommandReply?]
        /// Commands that could not be sent at all (too large, not encodable), by position, with the reason.
        public var notSent: [Int: String]
        /// Resends made.
        public var resent: Int
        /// Set when the run ended before every sent command was answered.
        public var stopReason: StopReason?

        /// Positions of commands that were sent but never answered (they stay queued).
        public var unanswered: [Int] {
            replies.indices.filter { replies[$0] == nil && notSent[$0] == nil }
        }
        /// Positions whose reply says applied.
        public var applied: [Int] { replies.indices.filter { replies[$0]?.isApplied == true } }
        /// Positions whose reply is a refusal.
        public var refused: [Int] { replies.indices.filter { replies[$0]?.refusal != nil } }
    }

    /// The queue replies come back on (`reply.<processName>.<pid>`).
    public let replyQueue: QueueName
    public let spool: Spool
    public let target: QueueName
    private let replies: SpoolQueue
    private let commands: SpoolQueue
    private let logger: Logger

    /// Creates the reply queue (removing those of dead processes) and opens the target queue.
    public init(spool: Spool, processName: String, target: QueueName = .commands,
                logger: Logger = Logger(component: "command-client")) throws(SpoolError) {
        self.spool = spool
        self.target = target
        self.logger = logger
        let clean = String(processName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(60))
        replyQueue = try QueueName("\(QueueName.replyPrefix)\(clean.isEmpty ? "client" : clean).\(getpid())")
        spool.removeDeadReplyQueues()
        replies = try spool.queue(replyQueue)
        commands = try spool.queue(target)
    }

    /// Removes the reply queue; late replies are then dropped by the worker (requester gone).
    public func close() { SpoolIO.removeTree(spool.path(of: replyQueue)) }

    /// Sends every command and returns when each has a reply, or the run stops (see `StopReason`).
    ///
    /// Runs on a thread of its own (sends fsync and the reply wait blocks), so it never holds a
    /// thread of the cooperative pool. Cancelling the calling task stops it at the next step.
    /// - Parameter progress: called from that thread, at most every `options.progressInterval`
    ///   and once at the end.
    public func send(_ commands: [Command], options: Options = Options(),
                     progress: @escaping @Sendable (Progress) -> Void = { _ in }) async -> Outcome {
        let cancelled = CancelFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
                let thread = Thread { [self] in
                    c.resume(returning: run(commands, options: options, cancelled: cancelled, progress: progress))
                }
                thread.name = "command-client"
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
    }

    // MARK: - The run (blocking, on its own thread)

    private struct Slot {
        var attempts = 0
        var due: ContinuousClock.Instant?
    }

    private func run(_ list: [Command], options: Options, cancelled: CancelFlag,
                     progress: @Sendable (Progress) -> Void) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var outcome = Outcome(replies: Array(repeating: nil, count: list.count), notSent: [:], resent: 0)
        var slots = Array(repeating: Slot(), count: list.count)
        var position: [String: Int] = [:]
        position.reserveCapacity(list.count)
        for (i, c) in list.enumerated() { position[c.id.rawValue] = i }
        var inFlight = Set<Int>()
        var next = 0, sent = 0, answered = 0, refused = 0
        var lastReply = start
        var lastProgress: ContinuousClock.Instant?
        var lastResendScan = start
        let batchSize = max(1, options.batchSize), window = max(1, options.window)

        func report(force: Bool) {
            let now = clock.now
            if !force, let last = lastProgress, last.duration(to: now) < options.progressInterval { return }
            lastProgress = now
            progress(Progress(total: list.count, sent: sent, answered: answered, refused: refused,
                              resent: outcome.resent, sinceLastReply: lastReply.duration(to: now)))
        }

        /// Builds envelopes for positions (skipping any that cannot be sent) and sends them in one batch call.
        func transmit(_ positions: [Int]) throws(SpoolError) -> [Int] {
            var envelopes: [Envelope] = []
            var kept: [Int] = []
            let now = spool.clock.now()
            for i in positions {
                do {
                    let e = try Envelope(type: TicketWorkerMessageType.command, body: list[i], replyTo: replyQueue,
                                         correlationID: list[i].id.rawValue, sentAt: now)
                    let size = e.encodedLine().count
                    guard size <= spool.limits.maxMessageBytes else {
                        outcome.notSent[i] = "command of \(size) bytes exceeds the spool's limit of \(spool.limits.maxMessageBytes)"
                        continue
                    }
                    envelopes.append(e)
                    kept.append(i)
                } catch {
                    outcome.notSent[i] = "cannot encode the command: \(error)"
                }
            }
            try commands.send(batch: envelopes)
            return kept
        }

        while true {
            if cancelled.isSet { outcome.stopReason = .cancelled; break }
            do throws(SpoolError) {
                // Fill the window with first sends.
                while next < list.count && inFlight.count < window {
                    let end = min(list.count, next + min(batchSize, window - inFlight.count))
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
                        logger.info("resending unanswered commands", ["queue.name": target.rawValue, "count": String(chunk.count)])
                    }
                }
            } catch {
                outcome.stopReason = .spoolFailed(error)
                logger.error("command send failed", ["queue.name": target.rawValue, "error": error.description])
                break
            }
            if next >= list.count && inFlight.isEmpty { break }
            let silent = lastReply.duration(to: clock.now)
            if silent >= options.giveUpAfter { outcome.stopReason = .gaveUp(waited: silent); break }

            // Collect replies.
            report(force: false)
            guard replies.waitForMessages(timeout: .milliseconds(100)) else { continue }
            let deliveries: [Delivery]
            do { deliveries = try replies.claim(max: 1_024) } catch {
                logger.error("reply claim failed", ["queue.name": replyQueue.rawValue, "error": error.description])
                outcome.stopReason = .spoolFailed(error)
                break
            }
            for d in deliveries {
                let reply: CommandReply
                do { reply = try d.envelope.decodeBody(CommandReply.self) } catch {
                    dispose(d, rejecting: "reply body is not a command reply: \(error)")
                    continue
                }
                // A reply to a resent command that was answered already, or a stranger's, is only acked.
                if let i = d.envelope.correlationID.flatMap({ position[$0] }), list[i].id == reply.commandID,
                   outcome.replies[i] == nil {
                    outcome.replies[i] = reply
                    inFlight.remove(i)
                    answered += 1
                    if reply.refusal != nil { refused += 1 }
                    lastReply = clock.now
                }
                dispose(d, rejecting: nil)
            }
        }
        report(force: true)
        return outcome
    }

    /// Acks a reply, or moves it to `dead/` with the reason (nothing is dropped silently).
    private func dispose(_ d: Delivery, rejecting reason: String?) {
        do {
            if let reason { try replies.reject(d, reason: reason) } else { try replies.ack(d) }
        } catch {
            logger.warning("reply settle failed", ["queue.name": replyQueue.rawValue, "error": error.description])
        }
    }
}

/// A cancellation flag shared between a task's cancellation handler and the client's thread.
private final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
