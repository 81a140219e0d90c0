import Foundation
import Testing

/// A task executor with threads of its own, one more whenever all are busy.
///
/// Why: `swift test` runs suites in parallel on the cooperative pool, which has one thread per
/// core (two here). A test that blocks a thread (waiting on a child process, a socket, a
/// 100,000-row import) for tens of seconds then starves every other test's awaits and timers,
/// and tests with deadlines fail for no fault of the code. Tests that block run here instead;
/// the kernel shares the cores, the cooperative pool stays free. Threads are never retired: a
/// test process is short-lived and needs only as many as it ever blocks at once.
///
/// The lock is an `NSCondition` (pthread mutex and condition variable), not `Synchronization.Mutex`:
/// on Linux `Mutex` locks with atomics and futex syscalls inside the uninstrumented Synchronization
/// library, which ThreadSanitizer cannot see, so every hand-over of a job between threads was reported
/// as a race (83 reports in the first `--sanitize=thread` run).
public final class DedicatedThreads: TaskExecutor, @unchecked Sendable {
    // Safe because `jobs` and `idle` are read and written only while `condition` is locked.
    /// The one instance every suite shares.
    public static let shared = DedicatedThreads()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// Threads waiting for a job (signalled ones included until they wake).
    private var idle = 0

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        // Every queued job has a waiting thread of its own, or a new thread starts for it.
        let startThread = jobs.count > idle
        if !startThread { condition.signal() }
        condition.unlock()
        if startThread { Thread { [self] in work() }.start() }
    }

    private func work() {
        condition.lock()
        while true {
            if jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
                continue
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
            condition.lock()
        }
    }
}

/// Runs a suite's tests (recursively) or one test on ``DedicatedThreads``.
public struct OnDedicatedThreads: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(DedicatedThreads.shared) { try await function() }
    }
}

extension Trait where Self == OnDedicatedThreads {
    /// Blocking waits in this suite or test do not hold the cooperative pool.
    public static var onDedicatedThreads: Self { Self() }
}
