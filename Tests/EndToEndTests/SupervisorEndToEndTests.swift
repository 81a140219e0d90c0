import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `campusdesk` binary next to the test bundle.
func campusdeskBinary() -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if dir.path.hasSuffix(".xctest/Contents/MacOS") { dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    return dir.appendingPathComponent("campusdesk")
}

/// A running `campusdesk` process with its output collected.
final class RunningCommand: Sendable {
    let process: Process
    private let out = Mutex("")
    private let err = Mutex("")
    var stdout: String { out.withLock { $0 } }
    var stderr: String { err.withLock { $0 } }

    init(_ args: [String], in dir: URL, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = campusdeskBinary()
        process.arguments = args
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        self.process = process
        // Handlers capture self only after every stored property is set. Each removes itself at end of
        // file: self → process → pipe → handler → self is a cycle until then (LeakSanitizer found it).
        outPipe.fileHandleForReading.readabilityHandler = { [self] h in
            let data = h.availableData
            if data.isEmpty { h.readabilityHandler = nil }
            out.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        errPipe.fileHandleForReading.readabilityHandler = { [self] h in
            let data = h.availableData
            if data.isEmpty { h.readabilityHandler = nil }
            err.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// Foundation's `Process` keeps itself alive until someone waits for it, even after the child has exited.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

func eventually(_ seconds: Double = 30, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return condition()
}

extension SystemTests {
    @Suite struct SupervisorEndToEndTests {
        @Test func upRunsTheProcfileRefusesASecondUpAndStopsOnSIGTERM() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-up-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try """
                # a test Procfile of small shell commands
                web: echo "listening on $HOST:$PORT spool=$CAMPUSDESK_SPOOL"; exec sleep 60
                stubborn: trap '' TERM; echo ready; while :; do sleep 1; done
                self: campusdesk version; exec sleep 60
                """.write(to: dir.appendingPathComponent("Procfile"), atomically: true, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18089", "HOST": "127.0.0.1", "CAMPUSDESK_SPOOL": "s"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            #expect(try await eventually {
                up.stdout.contains("web      | listening on 127.0.0.1:18089 spool=\(dir.path)/s")
                    && up.stdout.contains("stubborn | ready") && up.stdout.contains("self     | campusdesk 0.1.0")
            })
            #expect(up.stdout.contains("system   | CampusDesk: open http://127.0.0.1:18089/"))

            let second = try RunningCommand(["up"], in: dir, environment: ["CAMPUSDESK_SPOOL": "s"])
            second.process.waitUntilExit()
            #expect(second.process.terminationStatus == 1)
            #expect(try await eventually { second.stderr.contains("another 'campusdesk up' is already running on this spool") })

            kill(up.process.processIdentifier, SIGTERM)
            #expect(try await eventually { !up.process.isRunning })
            #expect(up.process.terminationStatus == 0)
            #expect(try await eventually { up.stdout.contains("system   | all processes stopped") })
            #expect(up.stdout.contains("stubborn did not stop within 5 s, sending SIGKILL"))
            #expect(up.stdout.contains("web was killed by signal 15 (SIGTERM)"))

            // The lock died with its holder: a new `up` gets it (and is stopped at once).
            let third = try RunningCommand(["up"], in: dir, environment: ["CAMPUSDESK_SPOOL": "s"])
            #expect(try await eventually { third.stdout.contains("self     | campusdesk 0.1.0") })
            kill(third.process.processIdentifier, SIGINT)
            kill(third.process.processIdentifier, SIGINT)
            #expect(try await eventually { !third.process.isRunning })
            #expect(third.process.terminationStatus == 0)
        }

        /// dash does not exec a line's last command: SIGTERM ends the shell at once while the
        /// program it started is still finishing. The grace period is the program's, not the shell's.
        @Test func aProgramBehindTheLinesShellGetsItsGracePeriod() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-up-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try """
                graceful: sh -c 'trap "sleep 1; echo cleanly > graceful.done; exit 0" TERM; echo ready; while :; do sleep 0.2; done'
                """.write(to: dir.appendingPathComponent("Procfile"), atomically: true, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18090", "CAMPUSDESK_SPOOL": "s"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            #expect(try await eventually { up.stdout.contains("graceful | ready") })
            kill(up.process.processIdentifier, SIGTERM)
            #expect(try await eventually { !up.process.isRunning })
            #expect(up.process.terminationStatus == 0)
            #expect(!up.stdout.contains("graceful did not stop"))
            #expect((try? String(contentsOf: dir.appendingPathComponent("graceful.done"), encoding: .utf8)) == "cleanly\n")
        }

        /// A simple line runs the program itself (`exec`): SIGTERM reaches the program, which finishes
        /// and exits 0, and `up` reports that stop rather than a shell killed by the signal.
        @Test func aSimpleLineIsTheProgramAndItsCleanStopIsReported() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-up-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try "worker: campusdesk ticket-worker\n".write(to: dir.appendingPathComponent("Procfile"), atomically: true, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir, environment: ["PORT": "18091", "CAMPUSDESK_SPOOL": "s", "CAMPUSDESK_DATA": "d"])
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            // Its start line comes after its signal handling is in place.
            #expect(try await eventually { up.stdout.contains("ticket worker started") })
            kill(up.process.processIdentifier, SIGTERM)
            #expect(try await eventually { !up.process.isRunning })
            #expect(up.process.terminationStatus == 0)
            #expect(up.stdout.contains("system | worker stopped"), "\(up.stdout.suffix(2000))")
            #expect(up.stdout.contains("ticket worker stopped"))
            #expect(!up.stdout.contains("killed by signal"))
        }

        @Test func upReportsABadProcfileLine() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-up-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try "web: echo\nnonsense\n".write(to: dir.appendingPathComponent("Procfile"), atomically: true, encoding: .utf8)
            let up = try RunningCommand(["up"], in: dir)
            up.process.waitUntilExit()
            #expect(up.process.terminationStatus == 1)
            #expect(try await eventually { up.stderr.contains("Procfile: Procfile line 2: expected 'name: command'") })
        }
    }
}
