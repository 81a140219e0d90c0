import Foundation
import Synchronization
import Domain
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The one request/reply client: sends requests through a `MessageBroker` and routes every reply
/// on this process's reply queue to whoever waits for it.
///
/// One per process and name: the reply queue is `reply.<processName>.<pid>` (reply queues of dead
/// processes are removed when a client starts), one listener thread claims replies and hands each
/// to its waiter by correlation id, and a reply nobody waits for any more (late, after a timeout)
/// is acked and discarded. Three ways to send share that machinery:
/// - `request(_:to:timeout:durability:)`: one request, one write (volatile queries, probes);
/// - the same call with `Options.groupCommit`: durable requests that arrive while one write is
///   being made durable go out together in the next write, with one fsync for all (the gateway's
///   commands: one file per request stopped it near 540 tickets/s, docs/performance.md);
/// - `send(_:to:options:progress:)` (RequestClient+Bulk.swift): thousands of commands with a
///   window, resends under the same command id, a give-up time and progress (import, demo).
public final class RequestClient: Sendable {
    /// How requests are written; the defaults write each request at once.
    public struct Options: Sendable {
        /// Durable requests wait for the sender thread and go out together (group commit);
        /// volatile ones are still written at once (they have no fsync to share).
        public var groupCommit = false
        /// Most requests in one group-committed write (the ticket worker claims 512 at a time).
        public var maxGroup = 256

        public init(groupCommit: Bool = false) { self.groupCommit = groupCommit }
    }

    /// Where replies to this client come back (`reply.<processName>.<pid>`).
    public let replyQueue: QueueName
    /// The broker requests go through.
    public let broker: any MessageBroker
    let core: Core

    /// Creates the reply queue (after removing those of dead processes) and starts the listener
    /// thread, and with `groupCommit` the sender thread.
    public init(broker: any MessageBroker, processName: String, options: Options = Options(),
                clock: any WallClock = SystemClock(), logger: Logger = Logger(component: "request-client")) throws(SpoolError) {
        self.broker = broker
        let clean = String(processName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(60))
        replyQueue = try QueueName("\(QueueName.replyPrefix)\(clean.isEmpty ? "process" : clean).\(getpid())")
        broker.removeDeadReplyQueues()
        core = Core(broker: broker, replies: try broker.consumer(of: replyQueue), options: options, clock: clock, logger: logger)
        let core = self.core
        let listener = Thread { core.listen() }
        listener.name = "reply-listener"
        listener.start()
        if options.groupCommit {
            let sender = Thread { core.sendLoop() }
            sender.name = "request-sender"
            sender.start()
        }
    }

    deinit { core.stop() }

    /// Replies that arrived with nobody waiting (late, after a timeout) and were dropped.
    public var discardedReplies: Int { core.discarded.load(ordering: .relaxed) }

    /// Stops the threads and removes the reply queue; requests still waiting time out.
    public func close() {
        core.stop()
        broker.removeQueue(replyQueue)
    }

    /// Sends `envelope` to `queue` and waits up to `timeout` (counted from the write) for its reply.
    ///
    /// - Throws: `.sendFailed` when nothing was enqueued; `.timedOut` when the request is queued
    ///   but unanswered (answer "accepted, still processing", not "failed"); `.cancelled`.
    public func request(_ envelope: Envelope, to queue: QueueName, timeout: Duration,
                        durability: Durability = .durable) async throws(RequestError) -> Envelope {
        let id = UUID().uuidString.lowercased()
        var env = envelope
        env.replyTo = replyQueue
        env.correlationID = id
        let outgoing = Core.Outgoing(id: id, envelope: env, queue: queue, timeout: timeout)
        let core = self.core
        let grouped = core.options.groupCommit && durability == .durable
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Envelope, RequestError>, Never>) in
                core.waiting.withLock { $0[id] = .caller(c, timeout: nil) }
                if grouped {
                    core.outbox.withLock { $0.append(outgoing) }
                    core.wakeSender.signal()
                } else {
                    // The write may block on fsync; keep it off the cooperative pool.
                    DispatchQueue.global().async { core.sendAlone(outgoing, durability: durability) }
                }
            }
        } onCancel: {
            core.complete(id, .failure(.cancelled))
        }
        return try result.get()
    }
}

// MARK: - Core (shared with the threads)

extension RequestClient {
    /// A request's timeout timer.
    struct Timeout: @unchecked Sendable {
        // Safe because a dispatch source is made for use from any thread: this one is scheduled and
        // activated once by `armTimeout`, then only cancelled (`cancel` is thread-safe and idempotent).
        let source: any DispatchSourceTimer
    }

    /// Who waits for a correlation id: one caller, or a bulk run collecting many replies.
    enum Waiter {
        /// A caller, and once its request is written the timer that will time it out; the timer is
        /// cancelled when the caller is answered, so it holds nothing of the request past that.
        case caller(CheckedContinuation<Result<Envelope, RequestError>, Never>, timeout: Timeout?)
        case run(BulkRun)
    }

    /// The state the client, its listener and its sender share; the threads hold only this, so
    /// the client's `deinit` can stop them.
    final class Core: Sendable {
        struct Outgoing: Sendable {
            var id: String
            var envelope: Envelope
            var queue: QueueName
            var timeout: Duration
        }

        let broker: any MessageBroker
        let replies: any MessageConsumer
        let options: Options
        let clock: any WallClock
        let logger: Logger
        /// The one table of waiting callers, by correlation id.
        let waiting = Mutex<[String: Waiter]>([:])
        /// Durable requests waiting for the next group-committed write.
        let outbox = Mutex<[Outgoing]>([])
        let wakeSender = DispatchSemaphore(value: 0)
        let stopped = Atomic<Bool>(false)
        let discarded = Atomic<Int>(0)

        init(broker: any MessageBroker, replies: any MessageConsumer, options: Options, clock: any WallClock, logger: Logger) {
            self.broker = broker
            self.replies = replies
            self.options = options
            self.clock = clock
            self.logger = logger
        }

        func stop() {
            stopped.store(true, ordering: .relaxed)
            wakeSender.signal()
        }

        /// Resumes the caller waiting for `id`, if one still is (a bulk run is never completed here).
        func complete(_ id: String, _ result: Result<Envelope, RequestError>) {
            let caller: Waiter? = waiting.withLock { w in
                guard case .caller? = w[id] else { return nil }
                return w.removeValue(forKey: id)
            }
            guard case .caller(let c, let timer)? = caller else { return }
            timer?.source.cancel()
            c.resume(returning: result)
        }

        /// Starts the request's timeout once it is written.
        ///
        /// A timer source per request rather than `asyncAfter`: an `asyncAfter` block cannot be
        /// withdrawn, so every answered request stayed in memory (envelope and all) until its
        /// deadline, and LeakSanitizer reported the blocks still pending at exit as leaks.
        private func armTimeout(_ item: Outgoing) {
            let id = item.id
            let timer = Timeout(source: DispatchSource.makeTimerSource(queue: .global()))
            timer.source.setEventHandler { [self] in complete(id, .failure(.timedOut)) }
            timer.source.schedule(deadline: .now() + .nanoseconds(Int(item.timeout.nanoseconds)))
            let armed = waiting.withLock { w -> Bool in
                // Answered (or cancelled) already: the reply can beat this line.
                guard case .caller(let c, nil)? = w[id] else { return false }
                w[id] = .caller(c, timeout: timer)
                return true
            }
            // A source must be activated before it is released, even one that will never fire.
            if !armed { timer.source.cancel() }
            timer.source.activate()
        }

        /// Writes one request on its own; the timeout starts once it is written.
        func sendAlone(_ item: Outgoing, durability: Durability) {
            do throws(SpoolError) {
                try broker.send([item.envelope], to: item.queue, durability: durability)
                armTimeout(item)
            } catch {
                complete(item.id, .failure(.sendFailed(error)))
            }
        }

        // MARK: Group commit

        /// One write per turn holding everything queued since the last one: while a write is made
        /// durable, the next group gathers.
        ///
        /// A group is cut to fit one atomic write (`maxBatchBytes`), so a failed send means none
        /// of it was written and each request can truthfully be answered "not sent". A group
        /// refused for one bad message (too large, not JSON: checked before anything is written)
        /// is sent again one by one, so only that request fails.
        func sendLoop() {
            while !stopped.load(ordering: .relaxed) {
                wakeSender.wait()
                while true {
                    let group = takeGroup()
                    guard let queue = group.first?.queue else { break }
                    do throws(SpoolError) {
                        try broker.send(group.map(\.envelope), to: queue, durability: .durable)
                        for item in group { armTimeout(item) }
                    } catch where group.count > 1 && (error.kind == .tooLarge || error.kind == .encoding) {
                        for item in group { sendAlone(item, durability: .durable) }
                    } catch {
                        logger.error("request group not sent", ["queue.name": queue.rawValue, "batch.size": String(group.count),
                                                                "error": error.description])
                        for item in group { complete(item.id, .failure(.sendFailed(error))) }
                    }
                }
            }
        }

        /// The oldest waiting requests for one queue: at most `maxGroup`, and (with room for the
        /// envelope fields) one write's worth.
        private func takeGroup() -> [Outgoing] {
            let budget = broker.maxBatchBytes
            let most = max(1, options.maxGroup)
            return outbox.withLock { box in
                var n = 0
                var bytes = 0
                while n < box.count && n < most && box[n].queue == box[0].queue {
                    let size = box[n].envelope.body.count + 1024
                    if n > 0 && bytes + size > budget { break }
                    bytes += size
                    n += 1
                }
                defer { box.removeFirst(n) }
                return Array(box.prefix(n))
            }
        }

        // MARK: Replies

        /// The one listener loop: wait, claim replies, hand each to its waiter, settle it.
        func listen() {
            while !stopped.load(ordering: .relaxed) {
                guard replies.waitForMessages(timeout: .milliseconds(200)) else { continue }
                let deliveries: [Delivery]
                do { deliveries = try replies.claim(max: 256, knownTypes: nil) } catch {
                    if stopped.load(ordering: .relaxed) { return }
                    logger.error("reply claim failed", ["queue.name": replies.name.rawValue, "error": error.description])
                    usleep(50_000)
                    continue
                }
                for d in deliveries { route(d) }
            }
        }

        /// Hands a reply to its waiter; acks it, or dead-letters it when a bulk run cannot read it.
        private func route(_ d: Delivery) {
            let waiter: Waiter? = d.envelope.correlationID.flatMap { id in
                waiting.withLock { w -> Waiter? in
                    switch w[id] {
                    case .caller?: w.removeValue(forKey: id)
                    case .run(let run)?: .run(run)
                    case nil: nil
                    }
                }
            }
            var rejection: String?
            switch waiter {
            case .caller(_, let timer)?: timer?.source.cancel()
            case .run(let run)?: rejection = run.receive(d.envelope)
            case nil: logger.debug("late reply discarded", ["queue.name": replies.name.rawValue])
            }
            // Settled before the caller resumes: a caller that then closes the client removes the
            // queue, and an ack racing that removal found its claim gone ("claim vanished").
            do {
                if let rejection { try replies.reject(d, reason: rejection) } else { try replies.ack(d) }
            } catch {
                // After close() the queue is gone on purpose; only a live queue's failure is news.
                if !stopped.load(ordering: .relaxed) {
                    logger.warning("reply settle failed", ["queue.name": replies.name.rawValue, "error": error.description])
                }
            }
            if case .caller(let c, _)? = waiter { c.resume(returning: .success(d.envelope)) }
            // Counted once settled, so a reader of the counter sees the reply gone from the queue too.
            if waiter == nil { discarded.add(1, ordering: .relaxed) }
        }
    }
}
