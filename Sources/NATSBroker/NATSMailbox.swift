import Foundation
import Synchronization

/// Messages handed over by the reader thread to whoever waits for them (a request, a pull, a
/// reply queue): a buffer behind a mutex and a semaphore counting what arrived.
///
/// Why a semaphore: waiters here are dedicated threads (the broker's API is synchronous), so a
/// blocking wait with a timeout is the plain tool; async callers wait on a queue of their own.
public final class NATSMailbox: Sendable {
    private let buffer = Mutex<[NATSMessage]>([])
    private let arrived = DispatchSemaphore(value: 0)

    public init() {}

    /// Called on the reader thread.
    func deliver(_ message: NATSMessage) {
        buffer.withLock { $0.append(message) }
        arrived.signal()
    }

    /// The next message, waiting up to `timeout`; nil when none came.
    public func next(timeout: Duration) -> NATSMessage? {
        guard arrived.wait(timeout: .now() + .nanoseconds(Int(max(0, timeout.nanoseconds)))) == .success else { return nil }
        return buffer.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Up to `max` messages already here, without waiting.
    public func take(max: Int) -> [NATSMessage] {
        var out: [NATSMessage] = []
        while out.count < max, arrived.wait(timeout: .now()) == .success {
            if let m = buffer.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { out.append(m) }
        }
        return out
    }

    /// Whether a message is waiting, after waiting up to `timeout` for one (it stays for `take`).
    public func waitForMessage(timeout: Duration) -> Bool {
        guard arrived.wait(timeout: .now() + .nanoseconds(Int(max(0, timeout.nanoseconds)))) == .success else { return false }
        arrived.signal()
        return true
    }

    public var count: Int { buffer.withLock { $0.count } }
}
