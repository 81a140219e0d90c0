import Foundation
import Synchronization

/// The claims one consumer holds, kept from redelivery with progress acks (`+WPI`) until the lease.
///
/// Why: JetStream counts a message delivered when it sends it, and a delivery can be lost on
/// its way (the node carrying the connection is killed; a pull answered during a reconnect). The
/// server hands such a message out again only after the ack wait, so the ack wait is short (30 s)
/// for it to come back soon, and so is a dead process's claim. A live holder keeps each claim
/// with a progress ack every third of the ack wait, as long as the spool would let it: until
/// the claim is a lease old. Past that, a holder that is stuck or forgot the claim lets the
/// message go back to the queue, as on the spool.
final class HeldClaims: Sendable {
    /// A repeating timer; a dispatch source is made for use from any thread: scheduled and
    /// activated once in `init`, then only cancelled (thread-safe, idempotent) by `stop`.
    private struct Ticker: @unchecked Sendable { let source: any DispatchSourceTimer }

    /// Ack subject → when it was claimed.
    private let held = Mutex<[String: ContinuousClock.Instant]>([:])
    private let ticker: Ticker

    /// - Parameter touch: sends `+WPI` on one ack subject (best effort: a progress ack lost
    ///   to a reconnect is made good by the next tick, or the message is redelivered). Called
    ///   with this object's lock held: it must not wait for the connection nor call back here.
    init(ackWait: Duration, lease: Duration, touch: @escaping @Sendable (String) -> Void) {
        let source = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        ticker = Ticker(source: source)
        let every = max(Duration.milliseconds(20), ackWait / 3)
        let interval = DispatchTimeInterval.nanoseconds(Int(every.nanoseconds))
        // Weak: the source holds its handler, and `self` holds the source.
        source.setEventHandler { [weak self] in
            guard let self else { return }
            let now = ContinuousClock.now
            // The last touch leaves the claim due back within one tick after its lease, never before.
            // The touches are sent under the lock: a settle removes its claim under the same lock
            // before it sends its verb, so a `+WPI` is never written after the settle's
            // `-NAK {"delay":…}` (it would restart the delay as an ack wait).
            held.withLock { h in
                for (subject, claimed) in h where now - claimed + ackWait < lease + every { touch(subject) }
            }
        }
        source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(10))
        source.activate()
    }

    deinit { ticker.source.cancel() }

    func stop() { ticker.source.cancel() }

    func insert(_ ackSubject: String) {
        held.withLock { $0[ackSubject] = $0[ackSubject] ?? ContinuousClock.now }
    }

    /// Settled, or given up on (a settle that failed: the server redelivers after the ack wait).
    func remove(_ ackSubject: String) {
        _ = held.withLock { $0.removeValue(forKey: ackSubject) }
    }

    var subjects: Set<String> { held.withLock { Set($0.keys) } }
}
