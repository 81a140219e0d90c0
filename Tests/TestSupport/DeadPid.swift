import Foundation

/// The pid of no process, for a claim or a reply queue "owned by a process that is gone".
///
/// The kernel hands out pids below `pid_max`, so `pid_max` itself is never alive, and the test
/// needs no child that has exited (nor a process at all) to know a dead pid.
public func deadPid() throws -> Int32 {
    let text = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
    guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw DeliberateError() }
    return pid
}
