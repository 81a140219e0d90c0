import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SpoolBroker
@testable import Analytics
@testable import Supervisor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProcfileTests {
    @Test func parsesEntriesSkippingCommentsAndBlankLines() throws {
        let text = "# CampusDesk\n\nweb: campusdesk gateway --port $PORT\r\n  # indented comment\nworker:campusdesk ticket-worker   \n"
        let procfile = try Procfile.parse(text)
        #expect(procfile.entries == [
            ProcfileEntry(name: "web", command: "campusdesk gateway --port $PORT", line: 3),
            ProcfileEntry(name: "worker", command: "campusdesk ticket-worker", line: 5),
        ])
    }

    @Test(arguments: [
        ("web: a\nbroken line\n", 2, "expected 'name: command'"),
        ("web: a\n\nweb: b\n", 3, "process 'web' already defined on line 1"),
        ("we b: a\n", 1, "process name must be letters, digits, '_' or '-'"),
        (": a\n", 1, "process name must be letters, digits, '_' or '-'"),
        ("# only\nweb:   \n", 2, "process 'web' has no command"),
        ("# nothing here\n", 2, "no processes defined"),
    ])
    func reportsBadLinesWithTheirNumber(text: String, line: Int, reason: String) {
        #expect(throws: ProcfileError(line: line, reason: reason)) { try Procfile.parse(text) }
    }

    @Test func resolvesLeadingCampusDeskToTheRunningBinary() {
        let entry = ProcfileEntry(name: "web", command: "campusdesk gateway", line: 1)
        #expect(entry.resolvingCampusDesk(to: "/opt/build/campusdesk") == "/opt/build/campusdesk gateway")
        #expect(entry.resolvingCampusDesk(to: "/my dir/it's") == "'/my dir/it'\\''s' gateway")
        let other = ProcfileEntry(name: "x", command: "campusdesk-tool run", line: 1)
        #expect(other.resolvingCampusDesk(to: "/bin/cd") == "campusdesk-tool run")
        let assigned = ProcfileEntry(name: "web", command: "HOST=$HOST PORT=$PORT  campusdesk gateway", line: 1)
        #expect(assigned.resolvingCampusDesk(to: "/b/campusdesk") == "HOST=$HOST PORT=$PORT  /b/campusdesk gateway")
        let echoing = ProcfileEntry(name: "x", command: "echo campusdesk", line: 1)
        #expect(echoing.resolvingCampusDesk(to: "/b/c") == "echo campusdesk")
    }

    @Test func execsASimpleLineAndLeavesCompoundLinesToTheShell() {
        let line = { (command: String) in ProcfileEntry(name: "x", command: command, line: 1).launchCommand(executable: "/b/campusdesk") }
        #expect(line("campusdesk gateway") == "exec /b/campusdesk gateway")
        #expect(line("HOST=$HOST PORT=$PORT campusdesk gateway > gw.log") == "HOST=$HOST PORT=$PORT exec /b/campusdesk gateway > gw.log")
        #expect(line("sleep 60") == "exec sleep 60")
        #expect(line("exec sleep 60") == "exec sleep 60")
        #expect(line("echo hi; exec sleep 60") == "echo hi; exec sleep 60")
        #expect(line("campusdesk version && sleep 1") == "/b/campusdesk version && sleep 1")
        #expect(line("yes | head") == "yes | head")
        #expect(line("sleep 60 &") == "sleep 60 &")
        #expect(line("(sleep 60)") == "(sleep 60)")
        #expect(line("{ sleep 60; }") == "{ sleep 60; }")
        #expect(line("echo `date`") == "echo `date`")
    }

    @Test func theShippedProcfileNamesTheFiveServices() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Procfile")
        let procfile = try Procfile.parse(String(contentsOf: url, encoding: .utf8))
        #expect(procfile.entries.map(\.command) == [
            "HOST=$HOST PORT=$PORT campusdesk gateway", "campusdesk ticket-worker", "campusdesk analytics open-tickets",
            "campusdesk analytics resolution-time", "campusdesk analytics category-load",
        ])
    }
}

@Suite struct RestartTrackerTests {
    @Test func backsOffExponentiallyUpToTheCap() {
        var t = RestartTracker(policy: RestartPolicy(initialDelay: 1, maximumDelay: 8, stableAfter: 30, crashLimit: 100, crashWindow: 60))
        let delays = (0..<6).map { t.recordExit(at: Double($0), ranFor: 0.5).delay }
        #expect(delays == [1, 2, 4, 8, 8, 8])
    }

    @Test func aLongRunResetsTheBackoff() {
        var t = RestartTracker(policy: RestartPolicy(initialDelay: 1, maximumDelay: 8, stableAfter: 30, crashLimit: 100))
        _ = t.recordExit(at: 0, ranFor: 1)
        #expect(t.recordExit(at: 2, ranFor: 1).delay == 2)
        #expect(t.recordExit(at: 100, ranFor: 45).delay == 1)
    }

    @Test func reportsACrashLoopOncePerLoop() {
        var t = RestartTracker(policy: RestartPolicy(initialDelay: 1, maximumDelay: 8, crashLimit: 5, crashWindow: 60, crashLoopPause: 30))
        let decisions = (0..<5).map { t.recordExit(at: Double($0 * 10), ranFor: 1) }
        #expect(decisions.prefix(4).allSatisfy { $0.crashLoop == nil })
        #expect(decisions[4].crashLoop?.exits == 5)
        #expect(decisions[4].delay == 30)
        #expect(t.recordExit(at: 80, ranFor: 1).crashLoop == nil)
    }

    @Test func exitsOutsideTheWindowDoNotCount() {
        var t = RestartTracker(policy: RestartPolicy(crashLimit: 3, crashWindow: 60))
        let loops = [0.0, 50, 120, 170, 240].map { t.recordExit(at: $0, ranFor: 1).crashLoop }
        #expect(loops.allSatisfy { $0 == nil })
    }
}

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

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 20, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

@Suite(.onDedicatedThreads) struct SupervisorTests {
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
        #expect(try await eventually {
            Set(lines.bodies).isSuperset(of: [
                "web         | hello from the environment", "longer-name | to stderr",
                "tool        | resolved",
            ])
        })
        run.supervisor.requestStop()
        #expect(try await eventually { run.isFinished })
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
        #expect(try await eventually { lines.bodies.filter { $0 == "flaky  | run" }.count >= 5 })
        run.supervisor.requestStop()
        #expect(try await eventually { run.isFinished })
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
        #expect(try await eventually { lines.bodies.contains("system  | gateway exited 3 times in 60 s, waiting 30 s") })
        run.supervisor.requestStop()
        #expect(try await eventually { run.isFinished })
        #expect(lines.bodies.filter { $0.hasSuffix("started (pid") || $0.contains("gateway started") }.count == 3)
    }

    @Test func killsAProcessThatIgnoresSIGTERMAfterTheGrace() async throws {
        let lines = LineCollector()
        let run = SupervisorRun(try supervisor("""
            polite: echo ready; exec sleep 60
            stubborn: trap '' TERM; echo ready; while :; do sleep 1; done
            """, grace: 0.5, into: lines))
        #expect(try await eventually { lines.bodies.filter { $0.hasSuffix("| ready") }.count == 2 })
        let pids = lines.bodies.compactMap { line -> pid_t? in
            guard let r = line.range(of: #"started \(pid (\d+)\)"#, options: .regularExpression) else { return nil }
            return pid_t(line[r].dropFirst("started (pid ".count).dropLast())
        }
        #expect(pids.count == 2)
        run.supervisor.requestStop()
        #expect(try await eventually { run.isFinished })
        #expect(lines.bodies.contains("system   | polite was killed by signal 15 (SIGTERM)"))
        #expect(lines.bodies.contains("system   | stubborn did not stop within 0.5 s, sending SIGKILL"))
        #expect(lines.bodies.contains("system   | stubborn was killed by signal 9 (SIGKILL)"))
        for pid in pids {
            // Gone, process group included (the orphaned `sleep 1` is reaped by init shortly after).
            #expect(kill(pid, 0) == -1)
            #expect(try await eventually { kill(-pid, 0) == -1 })
        }
    }
}

@Suite(.onDedicatedThreads) struct SupervisorLockTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aSecondHolderIsRefusedUntilTheFirstLetsGo() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("up.lock").path
        do {
            let first = try SupervisorLock(path: path)
            #expect(throws: SupervisorLock.Failure.held(path: path, pid: getpid())) { try SupervisorLock(path: path) }
            withExtendedLifetime(first) {}
        }
        // Polled, not taken once: a child that another test is spawning at this moment holds a copy
        // of the descriptor (and so the flock) between its fork and its exec, where close-on-exec
        // drops it.
        #expect(try await eventually { (try? SupervisorLock(path: path)) != nil })
    }

    @Test func aDeadHolderFreesTheLock() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("up.lock").path
        let holder = Process()
        // One process holding the lock: the shell takes it on fd 9 and becomes `sleep` with fd 9 open.
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>\"$0\"; /usr/bin/flock -n 9 || exit 1; exec sleep 60", path]
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        #expect(try await eventually {
            do { _ = try SupervisorLock(path: path); return false } catch {
                if case .held = error as? SupervisorLock.Failure { return true }
                return false
            }
        })
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        _ = try SupervisorLock(path: path)
    }
}

@Suite struct ProcessGroupsTests {
    @Test func theGroupIsReadAfterTheLastParenthesisAndZombiesHaveNone() {
        #expect(ProcessGroups.group(fromStat: "4242 (campusdesk) S 1 4240 4240 0 -1 4194560") == 4240)
        #expect(ProcessGroups.group(fromStat: "4242 (a) b (c) R 1 77 77 0") == 77)
        #expect(ProcessGroups.group(fromStat: "4242 (sh) Z 1 4240 4240 0") == nil)
        #expect(ProcessGroups.group(fromStat: "garbage") == nil)
    }

    @Test func ourOwnGroupIsLive() {
        #expect(ProcessGroups.live().contains(getpgrp()))
    }
}
