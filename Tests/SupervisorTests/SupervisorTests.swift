import Foundation
import Testing
import TestSupport
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

    @Test func theShippedProcfileNamesTheEightServices() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Procfile")
        let procfile = try Procfile.parse(String(contentsOf: url, encoding: .utf8))
        #expect(procfile.entries.map(\.command) == [
            "HOST=$HOST PORT=$PORT campusdesk gateway", "campusdesk ticket-worker", "campusdesk analytics open-tickets",
            "campusdesk analytics resolution-time", "campusdesk analytics category-load",
            "campusdesk analytics service-levels", "campusdesk sla-monitor", "campusdesk notifier",
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

/// The `up` lock within this process; a lock held by another process is tested in EndToEndTests (`SupervisorLockHolderTests`).
@Suite struct SupervisorLockTests {
    @Test func aSecondHolderIsRefusedUntilTheFirstLetsGo() async throws {
        let dir = try TemporaryDirectory("lock")
        defer { dir.remove() }
        let path = dir.path("up.lock")
        do {
            let first = try SupervisorLock(path: path)
            #expect(throws: SupervisorLock.Failure.held(path: path, pid: getpid())) { try SupervisorLock(path: path) }
            withExtendedLifetime(first) {}
        }
        // Polled, not taken once: a child that another test is spawning at this moment holds a copy
        // of the descriptor (and so the flock) between its fork and its exec, where close-on-exec
        // drops it.
        try await eventually("the lock to be free again") { (try? SupervisorLock(path: path)) != nil }
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
