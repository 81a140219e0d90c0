import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Supervisor
#if canImport(Glibc)
import Glibc
#endif

/// Collects supervisor output lines (colour off) for assertions.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    var output: SupervisorOutput { SupervisorOutput { [self] line in lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
    /// Lines without the `HH:MM:SS ` clock, e.g. `web    | hello`.
    var bodies: [String] { all.map { String($0.dropFirst(9).dropLast()) } }
}

/// Runs a supervisor on a thread of its own, as `campusdesk up` does.
final class SupervisorRun: Sendable {
    let supervisor: Supervisor
    private let finished = Mutex(false)
    var isFinished: Bool { finished.withLock { $0 } }

    init(_ supervisor: Supervisor) {
        self.supervisor = supervisor
        Thread.detachNewThread { [self] in
            supervisor.run()
            finished.withLock { $0 = true }
        }
    }
}

/// The supervisor in-process with real children (shell lines, `echo`, `sleep`), as `campusdesk up` runs them.
@Suite(.onDedicatedThreads) struct SupervisorProcessTests {
    func supervisor(_ procfile: String, policy: RestartPolicy = RestartPolicy(), grace: Double = 5, into collector: LineCollector) throws -> Supervisor {
        var env = ProcessInfo.processInfo.environment
        env["GREETING"] = "hello from the environment"
        return Supervisor(
            procfile: try Procfile.parse(procfile),
            options: .init(environment: env, executablePath: "/bin/echo", gracePeriod: grace, restartPolicy: policy),
            output: collector.output)
    }

    @Test func prefixesEachProcessOutputAndExpandsVariables() async throws {
        let lines = LineCollector()
        let run = SupervisorRun(try supervisor("""
            web: echo "$GREETING"; exec sleep 60
            longer-name: echo to stderr >&2; printf 'no newline'; exec sleep 60
            tool: campusdesk resolved
            """, into: lines))
        // A failed wait must not leave the children running: stop them on the way out.
        defer { if !run.isFinished { run.supervisor.requestStop() } }
        try await eventually("every process's first lines") { lastSeen in
            lastSeen = "\(lines.bodies)"
            return Set(lines.bodies).isSuperset(of: [
                "web         | hello from the environment", "longer-name | to stderr",
                "tool        | resolved",
            ])
        }
        run.supervisor.requestStop()
        try await eventually("the supervisor to finish") { run.isFinished }
        #expect(lines.bodies.contains("longer-name | no newline"))
        #expect(lines.bodies.contains("web         | was killed by signal 15 (SIGTERM)") == false)
        #expect(lines.bodies.contains("system      | web was killed by signal 15 (SIGTERM)"))
        #expect(lines.bodies.last == "system      | all processes stopped")
        #expect(lines.all.allSatisfy { $0.range(of: #"^\d\d:\d\d:\d\d "#, options: .regularExpression) != nil })
    }

    @Test func restartsADyingProcessWithGrowingDelays() async throws {
        let lines = LineCollector()
        let policy = RestartPolicy(initialDelay: 0.1, maximumDelay: 0.4, stableAfter: 30, crashLimit: 100, crashWindow: 60)
        let run = SupervisorRun(try supervisor("flaky: echo run; exit 3\n", policy: policy, into: lines))
        // A failed wait must not leave the children running: stop them on the way out.
        defer { if !run.isFinished { run.supervisor.requestStop() } }
        try await eventually("five runs of flaky") { lines.bodies.filter { $0 == "flaky  | run" }.count >= 5 }
        run.supervisor.requestStop()
        try await eventually("the supervisor to finish") { run.isFinished }
        let restarts = lines.bodies.filter { $0.hasPrefix("system | restarting flaky in ") }
        #expect(Array(restarts.prefix(4)) == [
            "system | restarting flaky in 0.1 s", "system | restarting flaky in 0.2 s",
            "system | restarting flaky in 0.4 s", "system | restarting flaky in 0.4 s",
        ])
        #expect(lines.bodies.contains("system | flaky exited with code 3"))
    }

    @Test func saysSoWhenAProcessKeepsDying() async throws {
        let lines = LineCollector()
        let policy = RestartPolicy(initialDelay: 0.05, maximumDelay: 0.05, crashLimit: 3, crashWindow: 60, crashLoopPause: 30)
        let run = SupervisorRun(try supervisor("gateway: exit 1\n", policy: policy, into: lines))
        // A failed wait must not leave the children running: stop them on the way out.
        defer { if !run.isFinished { run.supervisor.requestStop() } }
        try await eventually("the crash-loop message") { lines.bodies.contains("system  | gateway exited 3 times in 60 s, waiting 30 s") }
        run.supervisor.requestStop()
        try await eventually("the supervisor to finish") { run.isFinished }
        #expect(lines.bodies.filter { $0.hasSuffix("started (pid") || $0.contains("gateway started") }.count == 3)
    }

    @Test func killsAProcessThatIgnoresSIGTERMAfterTheGrace() async throws {
        let lines = LineCollector()
        let run = SupervisorRun(try supervisor("""
            polite: echo ready; exec sleep 60
            stubborn: trap '' TERM; echo ready; while :; do sleep 1; done
            """, grace: 0.5, into: lines))
        // A failed wait must not leave the children running: stop them on the way out.
        defer { if !run.isFinished { run.supervisor.requestStop() } }
        try await eventually("both processes to say ready") { lines.bodies.filter { $0.hasSuffix("| ready") }.count == 2 }
        let pids = lines.bodies.compactMap { line -> pid_t? in
            guard let r = line.range(of: #"started \(pid (\d+)\)"#, options: .regularExpression) else { return nil }
            return pid_t(line[r].dropFirst("started (pid ".count).dropLast())
        }
        #expect(pids.count == 2)
        run.supervisor.requestStop()
        try await eventually("the supervisor to finish") { run.isFinished }
        #expect(lines.bodies.contains("system   | polite was killed by signal 15 (SIGTERM)"))
        #expect(lines.bodies.contains("system   | stubborn did not stop within 0.5 s, sending SIGKILL"))
        #expect(lines.bodies.contains("system   | stubborn was killed by signal 9 (SIGKILL)"))
        for pid in pids {
            // Gone, process group included (the orphaned `sleep 1` is reaped by init shortly after).
            #expect(kill(pid, 0) == -1)
            try await eventually("process group \(pid) to be gone") { kill(-pid, 0) == -1 }
        }
    }
}

/// The `up` lock while another process holds it.
@Suite(.onDedicatedThreads) struct SupervisorLockHolderTests {
    /// The holder says when it holds the lock (a line on its stdout) and the test checks only then.
    ///
    /// It used to take the lock with `flock -n` while the test polled by taking the same lock itself:
    /// when a poll held it at the moment the shell tried, the shell exited 1 and the test waited out
    /// its deadline (issue 21). Now the test touches the lock only once the holder has it.
    @Test func aDeadHolderFreesTheLock() async throws {
        let dir = try TemporaryDirectory("lock")
        defer { dir.remove() }
        let path = dir.path("up.lock")
        let holder = Process()
        // One process holding the lock: the shell takes it on fd 9 (waiting for it, not giving up),
        // says so, and becomes `sleep` with fd 9 open.
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>\"$0\"; /usr/bin/flock -w 20 9 || exit 1; echo locked; exec sleep 60", path]
        let stdout = Pipe()
        holder.standardOutput = stdout
        let output = ProcessOutput(stdout)
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() } }
        try await output.line(containing: "locked")
        #expect { try SupervisorLock(path: path) } throws: { error in
            if case .held = error as? SupervisorLock.Failure { return true }
            return false
        }
        kill(holder.processIdentifier, SIGKILL)
        try await holder.waitForExit()
        _ = try SupervisorLock(path: path)
    }
}
