import Domain

/// The broker as every service sees it: queues and exchanges by name, never by path.
///
/// Why a protocol: the services (ticket worker, analytics workers, gateway, operator tools) must
/// not know whether messages live in spool directories or in a clustered broker (docs/queue.md,
/// issue 19 plans NATS JetStream). `SpoolMessageBroker` is the embedded default, `InMemoryBroker`
/// serves unit tests, and one conformance suite holds both to the same behaviour.
///
/// The contract (every implementation keeps it):
/// - Delivery is at least once. A send that returns has handed the messages over (with
///   `.durable`, they survive a crash); a send that throws left none of a batch that fits
///   `maxBatchBytes` behind.
/// - A queue delivers in send order. A claimed message is held by one consumer until it is
///   acked, retried (deferred with backoff) or rejected to the dead letters with a reason;
///   a claim abandoned by a crashed consumer comes back through `recoverClaims()`.
/// - Publishing to an exchange puts one copy into every queue bound to it.
/// - Replies go to a requester's reply queue and are dropped quietly when that queue is gone.
///
/// Errors are `SpoolError` (its `path` names the queue or the broker's object that failed).
public protocol MessageBroker: Sendable {
    /// The largest encoded message a send accepts (larger ones throw `.tooLarge` before anything is written).
    var maxMessageBytes: Int { get }

    /// The most bytes of messages a batch may hold to be written in one atomic step; a larger
    /// batch is split, and a failure then may leave its first part sent.
    var maxBatchBytes: Int { get }

    /// Sends `batch` to `queue` (created if missing), in order, in as few writes as the limits allow.
    ///
    /// - Throws: `.tooLarge` or `.encoding` for a bad message (checked before anything is
    ///   written), `.io` when the broker cannot take them (disk full, say).
    func send(_ batch: [Envelope], to queue: QueueName, durability: Durability) throws(SpoolError)

    /// Writes replies to a requester's reply queue without waiting for them to be durable.
    ///
    /// Why not `send`: a reply only matters to a requester that is alive and waiting, so it is
    /// never made durable, and a missing reply queue (the requester died) drops it quietly
    /// instead of creating the queue again.
    func sendReplies(_ replies: [Envelope], to replyQueue: QueueName) throws(SpoolError)

    /// Puts one copy of `batch` into every queue bound to `exchange`.
    ///
    /// - Returns: the queues written to. A failure part way leaves earlier queues with their copy
    ///   (consumers drop the duplicates a retried publish makes, by envelope id).
    @discardableResult
    func publish(_ batch: [Envelope], to exchange: ExchangeName) throws(SpoolError) -> [QueueName]

    /// Binds `queue` (created if missing) to `exchange`; binding twice is harmless.
    func bind(_ queue: QueueName, to exchange: ExchangeName) throws(SpoolError)

    /// The queues bound to `exchange`, sorted by name.
    func bindings(of exchange: ExchangeName) throws(SpoolError) -> [QueueName]

    /// A new consumer of `queue` (created if missing), with claim state of its own.
    ///
    /// Settle every delivery through the consumer that claimed it.
    func consumer(of queue: QueueName) throws(SpoolError) -> any MessageConsumer

    /// Whether `queue` exists.
    func queueExists(_ queue: QueueName) -> Bool

    /// Deletes `queue` with everything in it (a requester closing its reply queue).
    func removeQueue(_ queue: QueueName)

    /// Deletes the reply queues (`reply.<process>.<pid>`) of processes that no longer run.
    ///
    /// - Returns: the queues removed.
    @discardableResult
    func removeDeadReplyQueues() -> [QueueName]
}

extension MessageBroker {
    /// Sends one message to `queue`; see `send(_:to:durability:)`.
    public func send(_ envelope: Envelope, to queue: QueueName, durability: Durability = .durable) throws(SpoolError) {
        try send([envelope], to: queue, durability: durability)
    }

    /// Sends a batch durably; see `send(_:to:durability:)`.
    public func send(_ batch: [Envelope], to queue: QueueName) throws(SpoolError) {
        try send(batch, to: queue, durability: .durable)
    }

    /// Writes one reply envelope; see `sendReplies(_:to:)`.
    public func sendReply(_ reply: Envelope, to replyQueue: QueueName) throws(SpoolError) {
        try sendReplies([reply], to: replyQueue)
    }

    /// Answers `request`: a reply of `type` carrying its correlation id, to its `replyTo` (none: no-op).
    public func reply<B: Encodable>(to request: Envelope, type: String, body: B, sentAt: Timestamp = SystemClock().now()) throws(SpoolError) {
        guard let replyTo = request.replyTo else { return }
        let reply: Envelope
        do {
            reply = try Envelope(type: type, body: body, correlationID: request.correlationID, sentAt: sentAt)
        } catch let e as SpoolError { throw e } catch {
            throw SpoolError(kind: .encoding, operation: "encode reply", path: type, detail: "\(error)")
        }
        try sendReplies([reply], to: replyTo)
    }
}
