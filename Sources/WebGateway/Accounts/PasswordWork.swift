import Foundation
import Synchronization

/// Runs password hashing on threads of its own, never on Swift's cooperative pool.
///
/// Why: one PBKDF2 hash at 600,000 iterations holds a core for about a quarter of a second
/// (docs/performance.md, "Credentials"). The handlers run on the cooperative pool, which has one
/// thread per core (two here); a burst of logins there would stall every other page. Here the
/// work waits its turn on a few serial queues instead, and the handler's task is suspended, not
/// blocked, while it does.
final class PasswordWork: Sendable {
    private let queues: [DispatchQueue]
    private let next = Atomic<Int>(0)

    /// - Parameter threads: hashes computed at once (at most this many cores busy with logins).
    init(threads: Int = 2) {
        queues = (0..<max(1, threads)).map { DispatchQueue(label: "campusdesk.password-work.\($0)", qos: .userInitiated) }
    }

    /// `body`'s result, computed on one of the queues in turn.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let queue = queues[Int(UInt(bitPattern: turn) % UInt(queues.count))]
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
