import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Real `campusdesk` processes on a temporary spool and data directory, for end-to-end tests.
///
/// Each test gets its own directory and port; `deinit` kills whatever is still running
/// and removes the directory.
final class CampusDeskProcesses {
    private let directory: TemporaryDirectory
    var root: URL { directory.url }
    let spool: URL
    let data: URL
    let port: UInt16
    private(set) var running: [String: Process] = [:]
    /// Each running process's exit, for `stop` to wait on without polling.
    private var exits: [String: ExitSignal] = [:]
    private var extraEnvironment: [String: String]

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(environment: [String: String] = [:]) throws {
        directory = try TemporaryDirectory("e2e")
        spool = directory.url.appendingPathComponent("spool")
        data = directory.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        port = RawHTTPClient.freePort()
        extraEnvironment = environment
    }

    deinit {
        // Wait for every process, exited ones too: Foundation's `Process` keeps itself alive until
        // someone does (LeakSanitizer found one per exited child).
        for (_, p) in running {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        let logs = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil))?
            .filter { $0.pathExtension == "log" } ?? []
        TestLogs.keep(logs, label: root.lastPathComponent)
        directory.remove()
    }

    /// The `campusdesk` binary built next to the test bundle (SwiftPM builds it: EndToEndTests depends on it).
    static var binary: String { BuiltProduct.path("campusdesk") }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["CAMPUSDESK_SPOOL"] = spool.path
        env["CAMPUSDESK_DATA"] = data.path
        env["PORT"] = String(port)
        env["HOST"] = "127.0.0.1"
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (k, v) in extraEnvironment { env[k] = v }
        return env
    }

    /// Starts `campusdesk <arguments>` under a name; its output goes to `<root>/<name>.log`.
    /// `overrides` replace variables of ``environment`` for this process only.
    @discardableResult
    func start(_ name: String, _ arguments: [String], overrides: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.environment = environment.merging(overrides) { $1 }
        p.currentDirectoryURL = root
        let log = root.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        let exit = ExitSignal(p)
        try p.run()
        if let previous = running[name], !previous.isRunning { previous.waitUntilExit() }
        running[name] = p
        exits[name] = exit
        return p
    }

    /// Runs `campusdesk <arguments>` to completion and returns its exit code and output.
    func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.environment = environment
        p.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let input {
            let inPipe = Pipe()
            p.standardInput = inPipe
            try p.run()
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.nullDevice
            try p.run()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    func signal(_ name: String, _ sig: Int32) {
        guard let p = running[name] else { return }
        kill(p.processIdentifier, sig)
    }

    /// Sends SIGSTOP and waits until the kernel shows the process stopped.
    func freeze(_ name: String) async throws {
        let p = try #require(running[name], "\(name) is not running")
        kill(p.processIdentifier, SIGSTOP)
        try await Self.waitUntilStopped(p.processIdentifier)
    }

    /// Waits until `/proc` shows `pid` stopped (state T).
    ///
    /// `kill` returns before the target stops: a worker running on the other core can still claim
    /// a message sent right after (the full-disk test once found its "queued" message in `cur/`).
    static func waitUntilStopped(_ pid: pid_t) async throws {
        try await eventually("pid \(pid) to be stopped") { lastSeen in
            let state = ChildTable.state(pid)
            lastSeen = "state \(state.map(String.init) ?? "gone")"
            return state == "T"
        }
    }

    /// Sends SIGKILL and reaps the process.
    func kill9(_ name: String) {
        guard let p = running[name] else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        running[name] = nil
    }

    /// Sends SIGTERM and waits up to `within` (scaled) for the exit; returns the exit status or nil on timeout.
    ///
    /// Synchronous, so that a `defer` can stop a system: it blocks on the exit event (``ExitSignal``),
    /// which is fine on the dedicated threads the process suites run on.
    @discardableResult
    func stop(_ name: String, within: Duration = .seconds(10)) -> Int32? {
        guard let p = running[name], let exit = exits[name] else { return nil }
        kill(p.processIdentifier, SIGTERM)
        guard exit.wait(within: within) else { return nil }
        p.waitUntilExit()
        running[name] = nil
        exits[name] = nil
        return p.terminationStatus
    }

    /// Waits until GET `path` answers `status` (the gateway's readiness handshake).
    func waitForHTTP(_ path: String, status: Int = 200, within: Duration = .seconds(20)) async throws {
        let client = RawHTTPClient(port: port, timeout: .seconds(5))
        try await eventually("GET \(path) on port \(port) to answer \(status)", within: within) { lastSeen in
            defer { client.close() }
            do {
                let answer = try client.request("GET", path).status
                lastSeen = "status \(answer)"
                return answer == status
            } catch {
                lastSeen = "\(error)"
                return false
            }
        }
    }
}
