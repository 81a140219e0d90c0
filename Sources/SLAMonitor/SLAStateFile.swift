import Foundation
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// Why a state file cannot be used; the monitor then moves it aside and rebuilds by replay.
public struct SLAStateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "SLA monitor state \(path): \(reason)" }
}

/// The SLA monitor's own state file: the last event applied and every running timer's next transition.
///
/// Layout (little-endian), 24 bytes per running timer plus 40:
/// `"CDSLAMON"`, version u32 = 1, reserved u32, last_seq i64, count i64,
/// count × (instant i64, due i64, tag u64) in heap order, checksum u64 over everything before it.
///
/// Why a whole-file snapshot written the Maildir way (tmp, fsync, rename, fsync the directory):
/// a reader sees the old file or the new one, never half of one, after a kill -9 or a power loss;
/// and the checksum turns a damaged file into a clear error instead of wrong timers.
public enum SLAStateFile {
    static let magic = Array("CDSLAMON".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 32
    /// Bytes per running timer in the file (and in the heap's array).
    public static let bytesPerTimer = 24

    /// `<data>/sla-monitor.state`.
    public static func path(inDataDirectory directory: String) -> String {
        (directory as NSString).appendingPathComponent("sla-monitor.state")
    }

    /// Writes `state` to `path` atomically and durably.
    public static func save(_ state: SLAMonitorState, to path: String) throws(SLAStateFileError) {
        let entries = state.timers.entries
        var words = [UInt64]()
        words.reserveCapacity(4 + entries.count * 3 + 1)
        let magicWord = magic.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        words.append(magicWord)
        words.append(UInt64(version).littleEndian)
        words.append(UInt64(bitPattern: state.lastSeq.rawValue).littleEndian)
        words.append(UInt64(entries.count).littleEndian)
        for e in entries {
            words.append(UInt64(bitPattern: e.instant).littleEndian)
            words.append(UInt64(bitPattern: e.due).littleEndian)
            words.append(e.tag.littleEndian)
        }
        words.append(checksum(words).littleEndian)

        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posix("create", tmp) }
        var failure: SLAStateFileError?
        words.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = posix("write", tmp)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = posix("fsync", tmp) }
        close(fd)
        if let failure {
            unlink(tmp)
            throw failure
        }
        guard rename(tmp, path) == 0 else {
            let error = posix("rename", tmp)
            unlink(tmp)
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw posix("open directory", directory) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw posix("fsync directory", directory) }
    }

    /// Reads the state at `path`; a missing file is an empty state (lastSeq 0: the monitor asks for a full replay).
    ///
    /// - Throws: ``SLAStateFileError`` when the file exists but is not a whole, valid state file.
    public static func load(from path: String) throws(SLAStateFileError) -> SLAMonitorState {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return SLAMonitorState() }
            throw posix("open", path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw posix("stat", path) }
        let size = Int(st.st_size)
        guard size >= headerBytes + 8, size % 8 == 0 else { throw SLAStateFileError(path: path, reason: "truncated or not a state file (\(size) bytes)") }
        var words = [UInt64](repeating: 0, count: size / 8)
        var failure: SLAStateFileError?
        var got = 0
        words.withUnsafeMutableBytes { buf in
            while got < size {
                let n = read(fd, buf.baseAddress! + got, size - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = posix("read", path)
                    return
                }
                if n == 0 { break }
                got += n
            }
        }
        if let failure { throw failure }
        guard got == size else { throw SLAStateFileError(path: path, reason: "changed while read") }
        let magicWord = magic.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        guard words[0] == magicWord else { throw SLAStateFileError(path: path, reason: "not an SLA monitor state file") }
        guard UInt64(littleEndian: words[1]) == UInt64(version) else {
            throw SLAStateFileError(path: path, reason: "version \(UInt64(littleEndian: words[1])) is not \(version)")
        }
        let count = UInt64(littleEndian: words[3])
        guard count <= UInt64(words.count), Int(count) * 3 + 5 == words.count else {
            throw SLAStateFileError(path: path, reason: "holds \(words.count * 8) bytes, not the \(count) timers it announces")
        }
        guard checksum(words[0..<(words.count - 1)]) == UInt64(littleEndian: words[words.count - 1]) else {
            throw SLAStateFileError(path: path, reason: "checksum mismatch (damaged file)")
        }
        let lastSeq = SequenceNumber(Int64(bitPattern: UInt64(littleEndian: words[2])))
        var entries: [PendingTransition] = []
        entries.reserveCapacity(Int(count))
        var i = 4
        for _ in 0..<Int(count) {
            entries.append(PendingTransition(instant: Int64(bitPattern: UInt64(littleEndian: words[i])),
                                             due: Int64(bitPattern: UInt64(littleEndian: words[i + 1])),
                                             tag: UInt64(littleEndian: words[i + 2])))
            i += 3
        }
        // Saved in heap order; a file from elsewhere in another order is still read, by inserting.
        return SLAMonitorState(lastSeq: lastSeq, timers: SLATimerHeap(heapOrdered: entries) ?? SLATimerHeap(entries))
    }

    /// A 64-bit multiply-rotate hash over words (catches torn and flipped bytes, not an attacker).
    static func checksum<C: Collection>(_ words: C) -> UInt64 where C.Element == UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for w in words {
            h = (h ^ w) &* 0x1000_0000_01b3
            h = (h << 29 | h >> 35) &+ 0x9e37_79b9_7f4a_7c15
        }
        return h
    }

    private static func posix(_ operation: String, _ path: String) -> SLAStateFileError {
        SLAStateFileError(path: path, reason: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
