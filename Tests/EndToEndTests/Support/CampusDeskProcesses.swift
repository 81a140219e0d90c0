import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Real `campusdesk` processes on a temporary spool and data directory, for end-to-end tests.
///
/// Each test gets its own directory and port; `deinit` kills whatever is still running
/// and removes the directory.
final class CampusDeskProcesses {
    let root: URL
    let spool: URL
    let data: URL
    let port: UInt16
    private(set) var running: [String: Process] = [:]
    private var extraEnvironment: [String: String]

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(environment: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-e2e-\(UUID().uuidString)")
        spool = root.appendingPathComponent("spool")
        data = root.appendingPathComponent("data")
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
        try? FileManager.default.removeItem(at: root)
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
    @discardableResult
    func start(_ name: String, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.environment = environment
        p.currentDirectoryURL = root
        let log = root.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        if let previous = running[name], !previous.isRunning { previous.waitUntilExit() }
        running[name] = p
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

    /// Sends SIGKILL and reaps the process.
    func kill9(_ name: String) {
        guard let p = running[name] else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        running[name] = nil
    }

    /// Sends SIGTERM and waits up to `seconds` for a clean exit; returns the exit status or nil on timeout.
    func stop(_ name: String, within seconds: Double = 10) -> Int32? {
        guard let p = running[name] else { return nil }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning { return nil }
        p.waitUntilExit()
        running[name] = nil
        return p.terminationStatus
    }

    /// Polls until `condition` holds or the deadline passes.
    static func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }

    /// Waits until GET `path` answers `status`.
    func waitForHTTP(_ path: String, status: Int = 200, within seconds: Double = 20) -> Bool {
        let client = RawHTTPClient(port: port)
        return Self.waitUntil(seconds) {
            defer { client.close() }
            return (try? client.request("GET", path))?.status == status
        }
    }
}
