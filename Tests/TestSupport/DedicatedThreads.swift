import Foundation
import Synchronization
import Testing

/// A task executor with threads of its own, one more whenever all are busy.
///
/// Why: `swift test` runs suites in parallel on the cooperative pool, which has one thread per
/// core (two here). A test that blocks a thread (waiting on a child process, a socket, a
/// 100,000-row import) for tens of seconds then starves every other test's awaits and timers,
/// and tests with deadlines fail for no fault of the code. Tests that block run here instead;
/// the kernel shares the cores, the cooperative pool stays free. Threads are never retired: a
/// test process is short-lived and needs only as many as it ever blocks at once.
public final class DedicatedThreads: TaskExecutor {
    /// The one instance every suite shares.
    public static let shared = DedicatedThreads()

    private struct State {
        var jobs: [UnownedJob] = []
        var idle = 0
    }
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let startThread = state.withLock { s -> Bool in
            s.jobs.append(job)
            guard s.idle > 0 else { return true }
            s.idle -= 1
            return false
        }
        if startThread { Thread { [self] in work() }.start() } else { wake.signal() }
    }

    private func work() {
        while true {
            if let job = state.withLock({ s in s.jobs.isEmpty ? nil : s.jobs.removeFirst() }) {
                job.runSynchronously(on: asUnownedTaskExecutor())
                continue
            }
            state.withLock { $0.idle += 1 }
            wake.wait()
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
