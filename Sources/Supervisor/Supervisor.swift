// MARK: - The Supervisor target
//
// `campusdesk up`'s logic: the Procfile, process groups, the restart policy with backoff, the lock
// that keeps a second `up` away, and prefixed output.

import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs every process of a Procfile, prefixes their output, restarts the ones that die and
/// stops them all on request: the engine of `campusdesk up`.
///
/// Each child is started with `posix_spawn` through `/bin/sh -c` in a process group of its own,
/// so a stop signal reaches everything the line started (shell, program, its children) and a
/// terminal Ctrl-C reaches only the supervisor, which then stops the children in order:
/// SIGTERM to each group, SIGKILL to what is left after the grace period.
public final class Supervisor: Sendable {
    /// How the supervisor runs its processes.
    public struct Options: Sendable {
        /// The environment every child gets (already including `PORT`, `HOST`, spool and data paths).
        public var environment: [String: String]
        /// The binary a leading `campusdesk` word in a Procfile command stands for.
        public var executablePath: String
        /// Seconds between SIGTERM and SIGKILL when stopping.
        public var gracePeriod: Double
        public var restartPolicy: RestartPolicy
        /// Colour the prefixes (only sensible when standard output is a terminal).
        public var colour: Bool
        /// The shell that runs each command line.
        public var shell: String
        /// Processes stopped only once the others have stopped (or their grace period ran out):
        /// what the others need to finish cleanly, like `up --broker nats`'s server.
        public var stopLast: Set<String>

        public init(environment: [String: String], executablePath: String, gracePeriod: Double = 5, restartPolicy: RestartPolicy = RestartPolicy(), colour: Bool = false, shell: String = "/bin/sh", stopLast: Set<String> = []) {
            self.stopLast = stopLast
            self.environment = environment
            self.executablePath = executablePath
            self.gracePeriod = gracePeriod
            self.restartPolicy = restartPolicy
            self.colour = colour
            self.shell = shell
        }
    }

    public let procfile: Procfile
    public let options: Options
    private let output: SupervisorOutput
    private let prefixer: LinePrefixer
    /// How many times a stop was requested: 1 stops gracefully, 2 or more skips the grace period.
    private let stopRequests = Mutex(0)
    /// Output reader threads still running; the supervisor waits for them so no last line is lost.
    private let readers = DispatchGroup()

    public init(procfile: Procfile, options: Options, output: SupervisorOutput = .standardOutput) {
        self.procfile = procfile
        self.options = options
        self.output = output
        self.prefixer = LinePrefixer(names: procfile.entries.map(\.name), colour: options.colour)
    }

    /// Asks `run()` to stop all processes and return. Safe from any thread; a second call skips the grace.
    public func requestStop() {
        stopRequests.withLock { $0 += 1 }
    }

    /// Writes a supervisor line (prefixed `system`), e.g. the URL to open.
    public func announce(_ message: String) {
        output.write(prefixer.line(message, name: "system", colourIndex: nil, epochSeconds: Self.epochSeconds()))
    }

    // MARK: - Running

    /// One Procfile process and its current incarnation.
    private struct Child {
        var entry: ProcfileEntry
        var index: Int
        var tracker: RestartTracker
        var pid: pid_t?
        var startedAt = 0.0
        var restartAt: Double?
        /// Process groups this child ever had, killed at the end so no grandchild outlives `up`.
        var groups: [pid_t] = []
    }

    /// Starts every process and supervises them until `requestStop()`; returns once all have stopped.
    public func run() {
        var children = procfile.entries.enumerated().map { i, e in
            Child(entry: e, index: i, tracker: RestartTracker(policy: options.restartPolicy))
        }
        for i in children.indices { start(&children[i]) }
        while stopRequests.withLock({ $0 }) == 0 {
            let now = Self.monotonic()
            for i in children.indices {
                if children[i].pid != nil {
                    if let status = reap(children[i], blocking: false) { exited(&children[i], status: status, restart: true) }
                } else if let due = children[i].restartAt, due <= now {
                    start(&children[i])
                }
            }
            usleep(20_000)
        }
        shutdown(&children)
    }

    private func start(_ child: inout Child) {
        child.restartAt = nil
        let command = child.entry.launchCommand(executable: options.executablePath)
        do {
            let (pid, fd) = try spawn(command)
            child.pid = pid
            child.groups.append(pid)
            child.startedAt = Self.monotonic()
            announce("\(child.entry.name) started (pid \(pid))")
            startReader(fd: fd, name: child.entry.name, index: child.index)
        } catch {
            announce("\(child.entry.name) could not be started: \(error)")
            schedule(&child, ranFor: 0)
        }
    }

    private func exited(_ child: inout Child, status: Int32, restart: Bool) {
        child.pid = nil
        // A clean exit after our SIGTERM is the expected end, not news about the process.
        announce("\(child.entry.name) \(!restart && status == 0 ? "stopped" : Self.describe(status))")
        if restart { schedule(&child, ranFor: Self.monotonic() - child.startedAt) }
    }

    private func schedule(_ child: inout Child, ranFor: Double) {
        let now = Self.monotonic()
        let decision = child.tracker.recordExit(at: now, ranFor: ranFor)
        child.restartAt = now + decision.delay
        if let loop = decision.crashLoop {
            announce("\(child.entry.name) exited \(loop.exits) times in \(Self.seconds(loop.window)) s, waiting \(Self.seconds(decision.delay)) s")
        } else {
            announce("restarting \(child.entry.name) in \(Self.seconds(decision.delay)) s")
        }
    }

    private func shutdown(_ children: inout [Child]) {
        let running = children.indices.filter { children[$0].pid != nil }
        announce("stopping \(running.count) processes (SIGTERM)")
        // The processes others depend on (a broker) go once the others are gone.
        terminate(children.indices.filter { !options.stopLast.contains(children[$0].entry.name) }, in: &children)
        terminate(children.indices.filter { options.stopLast.contains(children[$0].entry.name) }, in: &children)
        // Belt and braces: no grandchild of any incarnation outlives `up` or keeps the output pipe open.
        for child in children { for group in child.groups { kill(-group, SIGKILL) } }
        if readers.wait(timeout: .now() + 2) == .timedOut {
            announce("some process output could not be read to the end")
        }
        announce("all processes stopped")
    }

    /// SIGTERM to the children at `indices`, a wait of up to the grace period, SIGKILL to what is left.
    private func terminate(_ indices: [Int], in children: inout [Child]) {
        guard !indices.isEmpty else { return }
        for i in indices { if let pid = children[i].pid { kill(-pid, SIGTERM) } }
        let deadline = Self.monotonic() + options.gracePeriod
        // Wait for the whole group, not only the shell: the program it started may still be
        // finishing its work after the shell has died of the same SIGTERM.
        func anyGroupAlive() -> Bool {
            let live = ProcessGroups.live()
            return indices.contains { i in children[i].groups.contains { live.contains($0) } }
        }
        while indices.contains(where: { children[$0].pid != nil }) || anyGroupAlive(), Self.monotonic() < deadline, stopRequests.withLock({ $0 }) < 2 {
            for i in indices where children[i].pid != nil {
                if let status = reap(children[i], blocking: false) { exited(&children[i], status: status, restart: false) }
            }
            usleep(10_000)
        }
        let live = ProcessGroups.live()
        for i in indices {
            let lingering = children[i].groups.filter { live.contains($0) }
            guard children[i].pid != nil || !lingering.isEmpty else { continue }
            announce("\(children[i].entry.name) did not stop within \(Self.seconds(options.gracePeriod)) s, sending SIGKILL")
            for group in lingering { kill(-group, SIGKILL) }
            if let pid = children[i].pid {
                kill(-pid, SIGKILL)
                if let status = reap(children[i], blocking: true) { exited(&children[i], status: status, restart: false) }
            }
        }
    }

    /// The wait status of the child if it has exited (WNOHANG unless `blocking`).
    private func reap(_ child: Child, blocking: Bool) -> Int32? {
        guard let pid = child.pid else { return nil }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid { return status }
            if r < 0, errno == EINTR { continue }
            // 0: still running; -1 (ECHILD): not ours any more, which cannot happen while we hold the pid.
            return r < 0 ? 0 : nil
        }
    }

    // MARK: - Processes

    /// Starts `shell -c command` in a new process group, stdout and stderr into a pipe; returns pid and read end.
    private func spawn(_ command: String) throws(SupervisorError) -> (pid_t, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .posix("pipe", path: command) }
        // Close-on-exec on both ends: no other child may inherit (and hold open) this pipe.
        // (pipe2 is not exported by Glibc's Swift overlay; the window to a concurrent spawn is tiny.)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        defer { close(fds[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The supervisor ignores SIGINT/SIGTERM (it handles them through dispatch sources), and ignored
        // dispositions survive exec: children must get the defaults back, and an empty signal mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = [options.shell, "-c", command].map { $0.withCString { strdup($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)".withCString { strdup($0) } }
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { a in
            (envp + [nil]).withUnsafeBufferPointer { e in
                guard let argv = a.baseAddress, let envp = e.baseAddress else { return EINVAL }
                return posix_spawn(&pid, options.shell, &actions, &attributes, argv, envp)
            }
        }
        guard rc == 0 else {
            close(fds[0])
            throw SupervisorError(operation: "posix_spawn", path: options.shell, errno: rc)
        }
        return (pid, fds[0])
    }

    /// Reads a child's output on a thread of its own (blocking reads stay off the cooperative pool).
    private func startReader(fd: Int32, name: String, index: Int) {
        readers.enter()
        let group = readers
        Thread.detachNewThread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: buffer[0..<n])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    emit(pending[..<newline], name: name, index: index)
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { emit(pending[...], name: name, index: index) }
            close(fd)
            group.leave()
        }
    }

    private func emit(_ bytes: ArraySlice<UInt8>, name: String, index: Int) {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        output.write(prefixer.line(text, name: name, colourIndex: index, epochSeconds: Self.epochSeconds()))
    }

    // MARK: - Helpers

    /// "exited with code 3" or "was killed by signal 9 (SIGKILL)", from a wait status.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with code \((status >> 8) & 0xff)" }
        let names: [Int32: String] = [SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGINT: "SIGINT", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGHUP: "SIGHUP", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGBUS: "SIGBUS"]
        return "was killed by signal \(signal)\(names[signal].map { " (\($0))" } ?? "")"
    }

    /// Seconds as people write them: `30`, `0.5`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func epochSeconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }
}
