import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs one command-line tool to its end and says how long it took and its peak resident memory.
///
/// Peak memory: the child's `VmHWM`, read from `/proc/<pid>/status` every 5 ms while it runs, or
/// its `ru_maxrss` from `wait4` when that is above this process's own peak (then it can only be
/// the child's, and it is exact to the end of the run).
struct MeasuredRun: Sendable {
    var status: Int32
    var seconds: Double
    /// Peak resident set of the child, in kB.
    var maxRSSKilobytes: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameters:
    ///   - environment: the whole environment of the child, `NAME=value`.
    ///   - stdin, stdout, stderr: files opened for the child (`/dev/null` by default; stdout and stderr are truncated).
    static func run(_ executable: String, _ arguments: [String], environment: [String], stdin: String = "/dev/null",
                    stdout: String = "/dev/null", stderr: String = "/dev/null") throws -> MeasuredRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        // posix_spawn clones this process's memory until the exec, and Linux keeps that high-water
        // mark in the child's ru_maxrss: so it is the child's own only when above ours.
        let ownPeak = hwm("/proc/self/status")
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        var sampled = 0
        while true {
            sampled = max(sampled, hwm("/proc/\(pid)/status"))
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid { break }
            guard done == 0 || errno == EINTR else { throw Failure(description: "wait4: \(String(cString: strerror(errno)))") }
            usleep(5_000)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // WIFEXITED / WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return MeasuredRun(status: exit, seconds: seconds, maxRSSKilobytes: usage.ru_maxrss > ownPeak ? usage.ru_maxrss : sampled)
    }

    /// `VmHWM` of a `/proc/<pid>/status` in kB (0 when unreadable).
    static func hwm(_ path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
