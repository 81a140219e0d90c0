import Foundation
import Synchronization
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Why a request got no reply.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing was enqueued: the send itself failed.
    case sendFailed(SpoolError)
    /// The request IS durably enqueued but no reply came in time; it will still be processed.
    case timedOut
    /// The waiting task was cancelled; the request is enqueued as with `timedOut`.
    case cancelled

    public var description: String {
        switch self {
        case .sendFailed(let e): "request not sent: \(e)"
        case .timedOut: "no reply in time (the request is queued and will be processed)"
        case .cancelled: "cancelled while waiting for the reply (the request is queued)"
        }
    }
}

/// Sends requests and waits for their replies on this process's own reply queue.
///
/// Create one per process: the reply queue is `reply.<processName>.<pid>` and one listener
/// thread routes replies to waiters by correlation id. A reply nobody waits for any more
/// (late, after a timeout) is discarded. Reply queues of dead processes are removed on init.
public final class Requester: Sendable {
    public let replyQueue: QueueName
    public let spool: Spool
    private let core: Core

    /// Shared by the requester and its listener thread.
    final class Core: Sendable {
        let queue: SpoolQueue
        let pending = Mutex<[String: CheckedContinuation<Result<Envelope, RequestError>, Never>]>([:])
        let targets = Mutex<[QueueName: SpoolQueue]>([:])
        let stopped = Atomic<Bool>(false)
        let discarded = Atomic<Int>(0)
        let logger: Logger

        init(queue: SpoolQueue, logger: Logger) {
            self.queue = queue
            self.logger = logger
        }

        func complete(_ id: String, _ result: Result<Envelope, RequestError>) {
            let c = pending.withLock { $0.removeValue(forKey: id) }
            c?.resume(returning: result)
        }

        func target(_ spool: Spool, _ name: QueueName) throws(SpoolError) -> SpoolQueue {
            if let q = targets.withLock({ $0[name] }) { return q }
            let q = try spool.queue(name)
            targets.withLock { $0[name] = q }
            return q
        }

        /// The listener loop: wait, claim replies, hand each to its waiter, ack.
        func listen() {
            while !stopped.load(ordering: .relaxed) {
                guard queue.waitForMessages(timeout: .milliseconds(200)) else { continue }
                let deliveries: [Delivery]
                do { deliveries = try queue.claim(max: 64) } catch {
                    if stopped.load(ordering: .relaxed) { return }
                    logger.error("reply claim failed", ["queue.name": queue.name.rawValue, "error": error.description])
                    usleep(50_000)
                    continue
                }
                for d in deliveries {
                    if let id = d.envelope.correlationID, pending.withLock({ $0[id] != nil }) {
                        complete(id, .success(d.envelope))
                    } else {
                        discarded.add(1, ordering: .relaxed)
                        logger.debug("late reply discarded", ["queue.name": queue.name.rawValue])
                    }
                    do { try queue.ack(d) } catch {
                        logger.warning("reply ack failed", ["queue.name": queue.name.rawValue, "error": error.description])
                    }
                }
            }
        }
    }

    /// Creates the reply queue, removes reply queues of dead processes, starts the listener thread.
    public init(spool: Spool, processName: String) throws(SpoolError) {
        self.spool = spool
        let clean = String(processName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(60))
        replyQueue = try QueueName("\(QueueName.replyPrefix)\(clean.isEmpty ? "process" : clean).\(getpid())")
        spool.removeDeadReplyQueues()
        core = Core(queue: try spool.queue(replyQueue), logger: spool.logger)
        let core = self.core
        let thread = Thread { core.listen() }
        thread.name = "reply-listener"
        thread.start()
    }

    /// Replies that arrived with nobody waiting (late, or for `enqueue`d requests) and were dropped.
    public var discardedReplies: Int { core.discarded.load(ordering: .relaxed) }

    deinit { core.stopped.store(true, ordering: .relaxed) }

    /// Stops the listener and removes this process's reply queue; waiting requests time out.
    public func close() {
        core.stopped.store(true, ordering: .relaxed)
        SpoolIO.removeTree(spool.path(of: replyQueue))
    }

    /// Sends `envelope` to `queue` (durably by default) and waits up to `timeout` for its reply.
    ///
    /// - Throws: `.sendFailed` when nothing was enqueued; `.timedOut` when the request is queued
    ///   but unanswered (answer "accepted, still processing", not "failed").
    public func request(_ envelope: Envelope, to queue: QueueName, timeout: Duration,
                        durability: Durability = .durable) async throws(RequestError) -> Envelope {
        let id = UUID().uuidString.lowercased()
        var env = envelope
        env.replyTo = replyQueue
        env.correlationID = id
        let request = env
        let core = self.core
        let spool = self.spool
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Envelope, RequestError>, Never>) in
                core.pending.withLock { $0[id] = c }
                // The send blocks on fsync; keep it off the cooperative pool.
                DispatchQueue.global().async {
                    do throws(SpoolError) {
                        try core.target(spool, queue).send(request, durability: durability)
                    } catch {
                        core.complete(id, .failure(.sendFailed(error)))
                        return
                    }
                    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.nanoseconds))) {
                        core.complete(id, .failure(.timedOut))
                    }
                }
            }
        } onCancel: {
            core.complete(id, .failure(.cancelled))
        }
        return try result.get()
    }

    /// Sends a request without waiting; its reply (if any) is discarded when it arrives.
    ///
    /// - Returns: the envelope as sent (with `reply_to` and `correlation_id` filled in).
    @discardableResult
    public func enqueue(_ envelope: Envelope, to queue: QueueName) throws(SpoolError) -> Envelope {
        var env = envelope
        env.replyTo = replyQueue
        env.correlationID = UUID().uuidString.lowercased()
        try core.target(spool, queue).send(env)
        return env
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, attos) = components
        return s * 1_000_000_000 + attos / 1_000_000_000
    }
}
