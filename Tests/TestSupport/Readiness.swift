import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a child process writes to a pipe, collected as it comes, so a test can wait for the line
/// that says the child is ready instead of sleeping.
///
/// A fixture that must be in some state before the test goes on (holding a lock, listening,
/// subscribed) prints a line once it is (`echo locked`, "started (pid N)"); the test waits for
/// that line. Attach before `Process.run()`.
public final class ProcessOutput: Sendable {
    private let collected = Mutex("")

    /// Collects everything written to `pipe`'s write end.
    ///
    /// The handler removes itself at end of file: the process holds the pipe, the pipe the handler,
    /// and a handler that stayed would keep them all alive (LeakSanitizer found such a cycle).
    public init(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    /// Everything written so far.
    public var text: String { collected.withLock { $0 } }

    /// The complete lines written so far (without their newline).
    public var lines: [String] {
        let text = self.text
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // the unfinished rest after the last newline ("" when there is none)
        return lines
    }

    /// Waits until a complete line containing `needle` has been written, and returns it.
    ///
    /// - Throws: ``WaitTimedOut`` with the last lines seen.
    @discardableResult
    public func line(containing needle: String, within: Duration = .seconds(20),
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var found: String?
        try await eventually("a line containing \"\(needle)\"", within: within, sourceLocation: sourceLocation) { lastSeen in
            let lines = self.lines
            lastSeen = "\(lines.suffix(5))"
            found = lines.first { $0.contains(needle) }
            return found != nil
        }
        return found ?? ""
    }
}

/// Waits for a child process to show it is ready, by the sign it gives (a file, a listening port).
public enum Readiness {
    /// Waits until `path` exists (a pid file, a socket file, a marker the child writes once ready).
    public static func file(_ path: String, within: Duration = .seconds(20),
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("\(path) to exist", within: within, sourceLocation: sourceLocation) {
            FileManager.default.fileExists(atPath: path)
        }
    }

    /// Waits until a TCP connection to `host:port` is accepted (the connection is closed at once).
    public static func port(_ port: UInt16, host: String = "127.0.0.1", within: Duration = .seconds(20),
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("\(host):\(port) to accept a connection", within: within, sourceLocation: sourceLocation) { lastSeen in
            do {
                try RawHTTPClient.connected(port: port, host: host).close()
                return true
            } catch {
                lastSeen = "\(error)"
                return false
            }
        }
    }
}

extension Process {
    /// Waits for the process to exit without blocking a thread, then reaps it.
    ///
    /// Why not `waitUntilExit()` alone: it blocks its thread until the child exits, and on the
    /// cooperative pool (two threads here) that stalls every other test of the run.
    /// `waitUntilExit()` is still called once the child is gone: Foundation's `Process` keeps
    /// itself alive until someone does (LeakSanitizer).
    public func waitForExit(within: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("pid \(processIdentifier) to exit", within: within, poll: .milliseconds(10), sourceLocation: sourceLocation) { !isRunning }
        waitUntilExit()
    }
}

/// A child's exit as an event that synchronous code waits on with a deadline, without polling.
///
/// For helpers that cannot be `async` (a `defer` that stops a system, a load thread); create it
/// before `Process.run()`, since it takes the process's `terminationHandler`. The wait blocks its
/// thread, so call it only from a dedicated thread (`.onDedicatedThreads`), never the cooperative pool.
public final class ExitSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let exited = Mutex(false)

    public init(_ process: Process) {
        process.terminationHandler = { [semaphore] _ in semaphore.signal() }
    }

    /// Blocks until the process has exited or `within` (scaled) passes; true if it exited.
    public func wait(within: Duration) -> Bool {
        if exited.withLock({ $0 }) { return true }
        let seconds = TestTime.scaled(within)
        let nanoseconds = seconds.components.seconds * 1_000_000_000 + seconds.components.attoseconds / 1_000_000_000
        guard semaphore.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return false }
        exited.withLock { $0 = true }
        return true
    }
}

/// Reaps a child started with `posix_spawn` (not `Foundation.Process`), waiting up to `within` (scaled).
///
/// For synchronous teardown (`deinit`); returns false when the child is still running at the
/// deadline, so the caller can SIGKILL it and reap it with a blocking `waitpid`.
public func reapChild(_ pid: pid_t, within: Duration) -> Bool {
    let deadline = ContinuousClock.now + TestTime.scaled(within)
    var status: Int32 = 0
    while true {
        if waitpid(pid, &status, WNOHANG) == pid { return true }
        if ContinuousClock.now >= deadline { return false }
        usleep(20_000)
    }
}
