/// One consumer's hold on a queue: claims messages and settles each claim exactly once.
///
/// Why a handle of its own: claims belong to the consumer that made them (the spool counts the
/// open messages of each claimed batch file in its handle; a JetStream pull consumer owns its
/// acks), so every delivery is acked, retried or rejected through the consumer that claimed it.
public protocol MessageConsumer: AnyObject, Sendable {
    /// The queue consumed.
    var name: QueueName { get }

    /// Takes up to `max` waiting messages, oldest first, without blocking.
    ///
    /// Messages that cannot be read as envelopes, and with `knownTypes` those of any other type,
    /// go to the dead letters with a reason instead of being returned.
    func claim(max: Int, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery]

    /// Waits (on a thread of the consumer's own, never the cooperative pool) up to `timeout` for
    /// messages, then claims up to `max`; returns an empty array when none came.
    func messages(max: Int, timeout: Duration, knownTypes: Set<String>?) async throws(SpoolError) -> [Delivery]

    /// Blocks the calling thread until a message may be claimable or `timeout` passes.
    ///
    /// For loops that own a dedicated thread (reply listeners); async code uses `messages`.
    /// - Returns: true if something may be there.
    func waitForMessages(timeout: Duration) -> Bool

    /// Marks a delivery done; it is never delivered again.
    ///
    /// A settle (`ack`, `retry`, `reject`) that throws (the spool's disk is full, say) is not lost:
    /// the consumer keeps the claim and finishes that same settle at its next claim or wait once
    /// the broker can write again, so the message is neither delivered twice nor left claimed for
    /// the lease. The error is for the caller's log; do not settle the delivery again.
    func ack(_ delivery: Delivery) throws(SpoolError)

    /// Delivers the message again after the policy's backoff (with `attempts + 1`), or moves it
    /// to the dead letters when its attempts are used up.
    func retry(_ delivery: Delivery, policy: RetryPolicy, reason: String) throws(SpoolError)

    /// Moves a delivery to the dead letters with `reason`.
    func reject(_ delivery: Delivery, reason: String) throws(SpoolError)

    /// Returns claims abandoned by other consumers to the queue: at once when their holder is
    /// gone, else after the broker's lease.
    ///
    /// - Returns: how many messages (spool: files) came back.
    @discardableResult
    func recoverClaims() throws(SpoolError) -> Int

    /// Counts of the queue's messages (waiting, claimed, dead), for operators and tests.
    func stats() throws(SpoolError) -> QueueStats

    /// The queue's dead letters with their reasons, oldest first.
    func deadLetters() throws(SpoolError) -> [DeadLetter]
}

extension MessageConsumer {
    /// `claim(max:knownTypes:)` for every type.
    public func claim(max: Int = 1) throws(SpoolError) -> [Delivery] {
        try claim(max: max, knownTypes: nil)
    }

    /// `messages(max:timeout:knownTypes:)` for every type.
    public func messages(max: Int, timeout: Duration) async throws(SpoolError) -> [Delivery] {
        try await messages(max: max, timeout: timeout, knownTypes: nil)
    }

    /// `retry(_:policy:reason:)` with a generic reason.
    public func retry(_ delivery: Delivery, policy: RetryPolicy) throws(SpoolError) {
        try retry(delivery, policy: policy, reason: "processing failed")
    }
}
