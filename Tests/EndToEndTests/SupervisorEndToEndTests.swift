import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    @Suite struct SupervisorEndToEndTests {
        @Test func upRunsTheProcfileRefusesASecondUpAndStopsOnSIGTERM() async throws {
            let directory = try TemporaryDirectory("up")
            defer { directory.remove() }
            let dir = directory.url
            try """
                # a test Procfile of small shell commands
                web: echo "listening on $HOST:$PORT spool=$CAMPUSDESK_SPOOL"; exec sleep 60
                stubborn: trap '' TERM; echo ready; while :; do sleep 1; done
                self: campusdesk version; exec sleep 60
                """.write(to: dir.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18089", "HOST": "127.0.0.1", "CAMPUSDESK_SPOOL": "s"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            try await up.stdoutLine(containing: "web      | listening on 127.0.0.1:18089 spool=\(dir.path)/s")
            try await up.stdoutLine(containing: "stubborn | ready")
            try await up.stdoutLine(containing: "self     | campusdesk 0.1.0")
            #expect(up.stdout.contains("system   | CampusDesk: open http://127.0.0.1:18089/"))

            let second = try RunningCommand(["up"], in: dir, environment: ["CAMPUSDESK_SPOOL": "s"])
            try await second.process.waitForExit()
            #expect(second.process.terminationStatus == 1)
            try await second.stderrLine(containing: "another 'campusdesk up' is already running on this spool")

            kill(up.process.processIdentifier, SIGTERM)
            try await up.process.waitForExit(within: .seconds(30))
            #expect(up.process.terminationStatus == 0)
            try await up.stdoutLine(containing: "system   | all processes stopped")
            #expect(up.stdout.contains("stubborn did not stop within 5 s, sending SIGKILL"))
            #expect(up.stdout.contains("web was killed by signal 15 (SIGTERM)"))

            // The lock died with its holder: a new `up` gets it (and is stopped at once).
            let third = try RunningCommand(["up"], in: dir, environment: ["CAMPUSDESK_SPOOL": "s"])
            try await third.stdoutLine(containing: "self     | campusdesk 0.1.0")
            kill(third.process.processIdentifier, SIGINT)
            kill(third.process.processIdentifier, SIGINT)
            try await third.process.waitForExit(within: .seconds(30))
            #expect(third.process.terminationStatus == 0)
        }

        /// dash does not exec a line's last command: SIGTERM ends the shell at once while the
        /// program it started is still finishing. The grace period is the program's, not the shell's.
        @Test func aProgramBehindTheLinesShellGetsItsGracePeriod() async throws {
            let directory = try TemporaryDirectory("up")
            defer { directory.remove() }
            let dir = directory.url
            try """
                graceful: sh -c 'trap "sleep 1; echo cleanly > graceful.done; exit 0" TERM; echo ready; while :; do sleep 0.2; done'
                """.write(to: dir.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18090", "CAMPUSDESK_SPOOL": "s"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            try await up.stdoutLine(containing: "graceful | ready")
            kill(up.process.processIdentifier, SIGTERM)
            try await up.process.waitForExit(within: .seconds(30))
            #expect(up.process.terminationStatus == 0)
            #expect(!up.stdout.contains("graceful did not stop"))
            #expect((try? String(contentsOf: dir.appendingPathComponent("graceful.done"), encoding: .utf8)) == "cleanly\n")
        }

        /// A simple line runs the program itself (`exec`): SIGTERM reaches the program, which finishes
        /// and exits 0, and `up` reports that stop rather than a shell killed by the signal.
        @Test func aSimpleLineIsTheProgramAndItsCleanStopIsReported() async throws {
            let directory = try TemporaryDirectory("up")
            defer { directory.remove() }
            let dir = directory.url
            try "worker: campusdesk ticket-worker\n".write(to: dir.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18091", "CAMPUSDESK_SPOOL": "s", "CAMPUSDESK_DATA": "d"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            // Its start line comes after its signal handling is in place.
            try await up.stdoutLine(containing: "ticket worker started")
            kill(up.process.processIdentifier, SIGTERM)
            try await up.process.waitForExit(within: .seconds(30))
            #expect(up.process.terminationStatus == 0)
            #expect(up.stdout.contains("system | worker stopped"), "\(up.stdout.suffix(2000))")
            #expect(up.stdout.contains("ticket worker stopped"))
            #expect(!up.stdout.contains("killed by signal"))
        }

        @Test func upReportsABadProcfileLine() async throws {
            let directory = try TemporaryDirectory("up")
            defer { directory.remove() }
            let dir = directory.url
            try "web: echo\nnonsense\n".write(to: dir.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir)
            try await up.process.waitForExit()
            #expect(up.process.terminationStatus == 1)
            try await up.stderrLine(containing: "Procfile: Procfile line 2: expected 'name: command'")
        }
    }
}
