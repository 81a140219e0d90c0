import Synchronization
import Domain
import Logging

/// The spool as a `MessageBroker`: queues are directories under `<root>/queues/`, exchanges under
/// `<root>/exchanges/` (docs/queue.md has the layout).
///
/// Why a class beside `Spool`: a send needs an open queue handle (four directory descriptors),
/// and opening one per send would cost more than a volatile send itself; this keeps one send
/// handle per target queue for its lifetime. `Spool` stays the operator's view (the `queue`
/// CLI, benchmarks, tests of the file layout); services get this through `any MessageBroker`.
public final class SpoolMessageBroker: MessageBroker {
    /// The spool underneath, for operator tools and tests that look at files.
    public let spool: Spool
    private let senders = Mutex<[QueueName: SpoolQueue]>([:])

    /// A broker over an opened spool.
    public init(spool: Spool) { self.spool = spool }

    /// Opens (and creates) the spool at `root`; see `Spool.init`.
    public convenience init(root: String, clock: any WallClock = SystemClock(), limits: SpoolLimits = SpoolLimits(),
                            logger: Logger = Logger(component: "spool")) throws(SpoolError) {
        self.init(spool: try Spool(root: root, clock: clock, limits: limits, logger: logger))
    }

    public var maxMessageBytes: Int { spool.limits.maxMessageBytes }
    public var maxBatchBytes: Int { spool.limits.maxFileBytes }

    public func send(_ batch: [Envelope], to queue: QueueName, durability: Durability) throws(SpoolError) {
        try sender(for: queue).send(batch: batch, durability: durability)
    }

    public func sendReplies(_ replies: [Envelope], to replyQueue: QueueName) throws(SpoolError) {
        try spool.sendReplies(replies, to: replyQueue)
    }

    @discardableResult
    public func publish(_ batch: [Envelope], to exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        try spool.exchange(exchange).publish(batch)
    }

    public func bind(_ queue: QueueName, to exchange: ExchangeName) throws(SpoolError) {
        try spool.exchange(exchange).bind(queue)
    }

    public func bindings(of exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        try spool.exchange(exchange).bindings()
    }

    public func consumer(of queue: QueueName) throws(SpoolError) -> any MessageConsumer {
        try spool.queue(queue)
    }

    public func queueExists(_ queue: QueueName) -> Bool { spool.queueExists(queue) }

    public func removeQueue(_ queue: QueueName) {
        senders.withLock { _ = $0.removeValue(forKey: queue) }
        SpoolIO.removeTree(spool.path(of: queue))
    }

    @discardableResult
    public func removeDeadReplyQueues() -> [QueueName] { spool.removeDeadReplyQueues() }

    /// The cached send handle of `queue`, opened (and the queue created) on first use.
    private func sender(for queue: QueueName) throws(SpoolError) -> SpoolQueue {
        if let q = senders.withLock({ $0[queue] }) { return q }
        let q = try spool.queue(queue)
        senders.withLock { $0[queue] = q }
        return q
    }
}
