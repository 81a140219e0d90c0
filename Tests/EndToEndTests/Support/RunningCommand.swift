import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A running `campusdesk` process with its output collected, to wait for the lines it prints.
final class RunningCommand {
    let process: Process
    private let out: ProcessOutput
    private let err: ProcessOutput
    var stdout: String { out.text }
    var stderr: String { err.text }

    init(_ args: [String], in dir: URL, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProduct.path("campusdesk"))
        process.arguments = args
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        out = ProcessOutput(outPipe)
        err = ProcessOutput(errPipe)
        self.process = process
        try process.run()
    }

    /// Waits until stdout has a line containing `needle` (the readiness handshake of `up` and its children).
    func stdoutLine(containing needle: String, within: Duration = .seconds(30)) async throws {
        try await out.line(containing: needle, within: within)
    }

    /// Waits until stderr has a line containing `needle`.
    func stderrLine(containing needle: String, within: Duration = .seconds(30)) async throws {
        try await err.line(containing: needle, within: within)
    }

    /// Foundation's `Process` keeps itself alive until someone waits for it, even after the child has exited.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
