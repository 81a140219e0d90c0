import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which process groups still have a running member, read from `/proc`.
///
/// Why: a Procfile line runs under `/bin/sh -c`, and dash does not exec the last command, so a
/// stop signal to the group ends the shell at once while the program itself is still shutting
/// down cleanly (finishing a batch, checkpointing SQLite). The supervisor cannot wait for a
/// grandchild, so it watches the group instead, and sends SIGKILL only when the grace period ends.
enum ProcessGroups {
    /// The process group ids of every process that is not a zombie.
    static func live() -> Set<pid_t> {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var groups: Set<pid_t> = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard pid_t(name) != nil, let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let group = group(fromStat: stat) else { continue }
            groups.insert(group)
        }
        return groups
    }

    /// The process group from a `/proc/PID/stat` line, or nil for a zombie or an unreadable line.
    ///
    /// The line is `pid (comm) state ppid pgrp …`; `comm` may hold spaces and parentheses, so the
    /// fields are read after the last `)`.
    static func group(fromStat stat: String) -> pid_t? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", maxSplits: 4)
        guard fields.count >= 3, fields[0] != "Z", fields[0] != "X" else { return nil }
        return pid_t(fields[2])
    }
}
