import Foundation
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// The attachment files under the data directory: `<data>/attachments/ab/abcdef…` named by the
/// SHA-256 of their bytes, and `<data>/attachments/incoming/` for bodies still arriving.
///
/// Content-addressed, so one photo sent twice is one file and a name can never be a path a user
/// chose. A file is written like a spool message (Maildir): into `incoming/`, fsynced, renamed
/// into place, and the directory fsynced, all before the command that refers to it is sent. A
/// crash after the rename and before the command leaves a file no row names: an orphan, which
/// ``sweep(referenced:now:grace:)`` removes once it is older than the grace period.
public struct AttachmentFiles: Sendable {
    /// `<data>/attachments`.
    public let root: String

    public init(dataDirectory: String) {
        root = dataDirectory + "/attachments"
    }

    /// Where bodies are written as they arrive and files wait before their rename.
    public var incomingDirectory: String { root + "/incoming" }

    /// True for 64 lower-case hex digits: the only names this store ever builds a path from.
    public static func isHash(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && isLowerHex(text)
    }

    static func isLowerHex(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The file of this hash; nil for anything that is not a hash (no path from user text).
    public func path(sha256: String) -> String? {
        guard Self.isHash(sha256) else { return nil }
        return "\(root)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Creates `incoming/` (and the root) when missing.
    public func prepare() throws(AttachmentStorageError) {
        for dir in [root, incomingDirectory] where mkdir(dir, 0o750) != 0 && errno != EEXIST {
            throw .posix("mkdir", path: dir)
        }
    }

    /// A fresh file under `incoming/`, opened for writing; the caller closes it.
    public func makeIncomingFile() throws(AttachmentStorageError) -> (fd: Int32, path: String) {
        try prepare()
        let path = "\(incomingDirectory)/\(Timestamp(Date()).millisecondsSinceEpoch)-\(getpid())-\(UUID().uuidString.lowercased()).part"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .posix("open", path: path) }
        return (fd, path)
    }

    /// Stores `bytes` as the file of `sha256` (the caller's hash of exactly these bytes), durably.
    ///
    /// Returns once the file and its directory entry are on disk. When the file exists already its
    /// modification time is refreshed, so a sweep running now does not take it for an old orphan
    /// before the new row refers to it. On failure nothing is left under the hash's name.
    public func store(_ bytes: [UInt8], sha256: String) throws(AttachmentStorageError) {
        guard let final = path(sha256: sha256) else { throw AttachmentStorageError(operation: "store", path: sha256, errno: EINVAL) }
        let dir = "\(root)/\(sha256.prefix(2))"
        if access(final, F_OK) == 0 {
            guard utimensat(AT_FDCWD, final, nil, 0) == 0 else { throw .posix("utimensat", path: final) }
            return
        }
        let (fd, tmp) = try makeIncomingFile()
        do throws(AttachmentStorageError) {
            try Self.writeAll(fd, bytes, path: tmp)
            guard fsync(fd) == 0 else { throw .posix("fsync", path: tmp) }
            guard close(fd) == 0 else { throw .posix("close", path: tmp) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        do throws(AttachmentStorageError) {
            if mkdir(dir, 0o750) == 0 {
                try Self.syncDirectory(root)
            } else if errno != EEXIST {
                throw .posix("mkdir", path: dir)
            }
            guard rename(tmp, final) == 0 else { throw .posix("rename", path: final) }
            try Self.syncDirectory(dir)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Stores the file at `incoming` (a file under ``incomingDirectory`` the caller wrote, whose
    /// bytes hash to `sha256`) as the file of `sha256`, durably, by renaming it: the same
    /// guarantees as ``store(_:sha256:)`` for a file checked in chunks, never held in memory.
    ///
    /// The file is fsynced, renamed into place and the directory fsynced. When the hash exists
    /// already the incoming file is removed and the stored one's modification time refreshed. On
    /// failure the incoming file is removed and nothing is left under the hash's name.
    public func store(incoming: String, sha256: String) throws(AttachmentStorageError) {
        do throws(AttachmentStorageError) {
            guard let final = path(sha256: sha256) else { throw AttachmentStorageError(operation: "store", path: sha256, errno: EINVAL) }
            if access(final, F_OK) == 0 {
                guard utimensat(AT_FDCWD, final, nil, 0) == 0 else { throw .posix("utimensat", path: final) }
                unlink(incoming)
                return
            }
            let fd = open(incoming, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .posix("open", path: incoming) }
            guard fsync(fd) == 0 else {
                let error = AttachmentStorageError.posix("fsync", path: incoming)
                close(fd)
                throw error
            }
            close(fd)
            let dir = "\(root)/\(sha256.prefix(2))"
            if mkdir(dir, 0o750) == 0 {
                try Self.syncDirectory(root)
            } else if errno != EEXIST {
                throw .posix("mkdir", path: dir)
            }
            guard rename(incoming, final) == 0 else { throw .posix("rename", path: final) }
            try Self.syncDirectory(dir)
        } catch {
            unlink(incoming)
            throw error
        }
    }

    /// Reads from `fd` into `buffer` until it is full or the file ends (retrying short reads and
    /// EINTR); the number of bytes read, fewer than `buffer.count` only at the end of the file.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], path: String) throws(AttachmentStorageError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .posix("read", path: path)
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// The bytes of the file of `sha256`.
    public func read(sha256: String) throws(AttachmentStorageError) -> [UInt8] {
        guard let path = path(sha256: sha256) else { throw AttachmentStorageError(operation: "read", path: sha256, errno: EINVAL) }
        return try Self.readAll(path)
    }

    // MARK: - Orphans

    /// What one sweep removed.
    public struct SweepResult: Sendable, Equatable {
        /// Stored files no row names, older than the grace period.
        public var orphans: [String] = []
        /// Incoming files (bodies of uploads that never finished) older than the grace period.
        public var incoming: [String] = []
        /// Files younger than the grace period that no row names yet (perhaps their command is on its way).
        public var kept = 0
        public init() {}
    }

    /// Removes stored files whose hash is not in `referenced`, and incoming files, when their last
    /// modification is more than `grace` before `now`.
    ///
    /// The grace period is what makes this safe beside a running gateway: a file is written before
    /// its command is sent, so a young unreferenced file may be one whose row is about to be written.
    /// `referenced` must be read before the directory is listed (a row written after the read belongs
    /// to a file young enough to be kept).
    public func sweep(referenced: Set<String>, now: Timestamp, grace: Duration) throws(AttachmentStorageError) -> SweepResult {
        var result = SweepResult()
        let cutoff = now.millisecondsSinceEpoch - Int64(grace.components.seconds) * 1000
        for shard in try Self.list(root) where shard.utf8.count == 2 && Self.isLowerHex(shard) {
            let dir = "\(root)/\(shard)"
            for name in try Self.list(dir) {
                let path = "\(dir)/\(name)"
                guard Self.isHash(name), name.hasPrefix(shard), !referenced.contains(name) else { continue }
                guard let modified = Self.modified(path), modified < cutoff else {
                    result.kept += 1
                    continue
                }
                guard unlink(path) == 0 || errno == ENOENT else { throw .posix("unlink", path: path) }
                result.orphans.append(name)
            }
        }
        for name in try Self.list(incomingDirectory) {
            let path = "\(incomingDirectory)/\(name)"
            guard let modified = Self.modified(path), modified < cutoff else { continue }
            guard unlink(path) == 0 || errno == ENOENT else { throw .posix("unlink", path: path) }
            result.incoming.append(name)
        }
        return result
    }

    // MARK: - System calls

    /// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AttachmentStorageError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .posix("write", path: path)
            }
            offset += n
        }
    }

    /// The bytes of any file (an incoming one, before it is checked and stored).
    public static func readFile(_ path: String) throws(AttachmentStorageError) -> [UInt8] { try readAll(path) }

    static func readAll(_ path: String) throws(AttachmentStorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .posix("open", path: path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .posix("fstat", path: path) }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .posix("read", path: path)
            }
            if n == 0 { break }
            offset += n
        }
        if offset < bytes.count { bytes.removeSubrange(offset...) }
        return bytes
    }

    /// fsync of a directory, so a rename or a new entry in it survives a power cut.
    static func syncDirectory(_ path: String) throws(AttachmentStorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .posix("open", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .posix("fsync", path: path) }
    }

    /// Names in a directory; none when it does not exist.
    static func list(_ path: String) throws(AttachmentStorageError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw .posix("opendir", path: path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Last modification in milliseconds since the epoch; nil when the file is gone.
    static func modified(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }
}
