import Logging
import SpoolBroker
import HTTPServer
import Dispatch
import Foundation
import Synchronization

/// Request/reply for commands with group commit: the commands that arrive while one file is
/// being made durable go out together in the next file, with one fsync for all of them.
///
/// Why: a durable send is a file write, an fsync and a directory fsync, about 2 ms on this disk.
/// `Requester` sends each request in its own file from the shared Dispatch pool, so commands
/// took turns on two threads and the gateway stopped near 540 tickets/s however many clients
/// waited. The spool already reads JSON Lines files (`SpoolQueue.send(batch:)`) and the ticket
/// worker applies what it claims in one transaction, so batching here carries through.
///
/// Same contract as `Requester.request`: when `request` throws `.timedOut` the command is on
/// disk and will be applied; `.sendFailed` means nothing was written for it. Replies come back
/// on this process's own reply queue `reply.gateway-commands.<pid>`.
public final class CommandBatcher: Sendable {
    /// Where the ticket worker answers this process's commands (`reply.gateway-commands.<pid>`).
    public let replyQueue: QueueName
    private let spool: Spool
    private let target: SpoolQueue
    private let replies: SpoolQueue
    private let pending = Mutex<[String: CheckedContinuation<Result<Envelope, RequestError>, Never>]>([:])
    private let outbox = Mutex<[(id: String, envelope: Envelope, timeout: Duration)]>([])
    private let wakeSender = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let logger: Logger
    /// Largest number of commands in one file (the worker claims 512 at a time).
    static let maxBatch = 256

    /// Creates the reply queue and starts the sender and reply-listener threads.
    public init(spool: Spool, queue: QueueName = .commands, logger: Logger) throws(SpoolError) {
        self.spool = spool
        self.logger = logger
        replyQueue = try QueueName("\(QueueName.replyPrefix)gateway-commands.\(getpid())")
        target = try spool.queue(queue)
        replies = try spool.queue(replyQueue)
        let sender = Thread { [self] in sendLoop() }
        sender.name = "command-sender"
        sender.start()
        let listener = Thread { [self] in listenLoop() }
        listener.name = "command-replies"
        listener.start()
    }

    /// Stops both threads and removes the reply queue; requests still waiting time out.
    public func close() {
        stopped.store(true, ordering: .relaxed)
        wakeSender.signal()
        // Spool layout (docs/queue.md): queues live under <root>/queues/<name>.
        try? FileManager.default.removeItem(atPath: spool.root + "/queues/" + replyQueue.rawValue)
    }

    /// Sends `envelope` durably with whatever else is waiting, then waits up to `timeout` for its reply.
    public func request(_ envelope: Envelope, timeout: Duration) async throws(RequestError) -> Envelope {
        let id = UUID().uuidString.lowercased()
        var env = envelope
        env.replyTo = replyQueue
        env.correlationID = id
        let request = env
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Envelope, RequestError>, Never>) in
                pending.withLock { $0[id] = c }
                outbox.withLock { $0.append((id, request, timeout)) }
                wakeSender.signal()
            }
        } onCancel: {
            complete(id, .failure(.cancelled))
        }
        return try result.get()
    }

    private func complete(_ id: String, _ result: Result<Envelope, RequestError>) {
        let c = pending.withLock { $0.removeValue(forKey: id) }
        c?.resume(returning: result)
    }

    /// One file per turn holding everything queued since the last one: while an fsync runs, the
    /// next batch gathers.
    ///
    /// A batch is cut to fit one spool file, so a failed send means none of it was written and
    /// every command in it can truthfully be answered "not sent". A batch refused for one bad
    /// message (too large, not JSON: checked before anything is written) is sent again one by one,
    /// so only that command fails.
    private func sendLoop() {
        while !stopped.load(ordering: .relaxed) {
            wakeSender.wait()
            while true {
                let batch = takeBatch()
                if batch.isEmpty { break }
                do throws(SpoolError) {
                    try target.send(batch: batch.map(\.envelope))
                    for item in batch { armTimeout(item.id, item.timeout) }
                } catch where batch.count > 1 && (error.kind == .tooLarge || error.kind == .encoding) {
                    for item in batch {
                        do throws(SpoolError) {
                            try target.send(item.envelope)
                            armTimeout(item.id, item.timeout)
                        } catch {
                            complete(item.id, .failure(.sendFailed(error)))
                        }
                    }
                } catch {
                    logger.error("command batch not sent", ["batch.size": String(batch.count), "error": error.description])
                    for item in batch { complete(item.id, .failure(.sendFailed(error))) }
                }
            }
        }
    }

    /// The oldest waiting commands, at most `maxBatch` and (with room for the envelope fields) one file's worth.
    private func takeBatch() -> [(id: String, envelope: Envelope, timeout: Duration)] {
        let fileBytes = spool.limits.maxFileBytes
        return outbox.withLock { box in
            var n = 0
            var bytes = 0
            while n < box.count && n < Self.maxBatch {
                let size = box[n].envelope.body.count + 1024
                if n > 0 && bytes + size > fileBytes { break }
                bytes += size
                n += 1
            }
            defer { box.removeFirst(n) }
            return Array(box.prefix(n))
        }
    }

    private func armTimeout(_ id: String, _ timeout: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(Self.nanoseconds(timeout)))) { [self] in
            complete(id, .failure(.timedOut))
        }
    }

    private func listenLoop() {
        while !stopped.load(ordering: .relaxed) {
            guard replies.waitForMessages(timeout: .milliseconds(200)) else { continue }
            let deliveries: [Delivery]
            do { deliveries = try replies.claim(max: 256) } catch {
                if stopped.load(ordering: .relaxed) { return }
                logger.error("reply claim failed", ["queue.name": replyQueue.rawValue, "error": error.description])
                usleep(50_000)
                continue
            }
            for d in deliveries {
                if let id = d.envelope.correlationID { complete(id, .success(d.envelope)) }
                do { try replies.ack(d) } catch {
                    // After close() the queue is gone on purpose; only a live queue's failure is news.
                    if stopped.load(ordering: .relaxed) { continue }
                    logger.warning("reply ack failed", ["queue.name": replyQueue.rawValue, "error": error.description])
                }
            }
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, attos) = d.components
        return s * 1_000_000_000 + attos / 1_000_000_000
    }
}
