import Foundation
import Synchronization
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// The system calls the spool is built from, each mapping failure to a `SpoolError` with errno.
///
/// Paths are relative to a directory descriptor (`*at` calls) so a queue directory is resolved
/// once, and every open uses `O_NOFOLLOW` so a planted symlink is never followed.
enum SpoolIO {
    /// One entry of a directory listing.
    struct Entry {
        var name: String
        var isDirectory: Bool
    }

    /// Creates a directory if missing; an existing non-directory (or symlink) is an error.
    static func makeDirectory(_ path: String) throws(SpoolError) {
        if mkdir(path, 0o755) == 0 { return }
        let e = errno
        guard e == EEXIST else { throw .posix("mkdir", path: path, errno: e) }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw .posix("lstat", path: path) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw SpoolError(kind: .io, operation: "mkdir", path: path, errno: ENOTDIR, detail: "exists and is not a directory")
        }
    }

    /// Opens a directory for `*at` calls and fsync, refusing symlinks.
    static func openDirectory(_ path: String, at base: Int32 = AT_FDCWD) throws(SpoolError) -> Int32 {
        let fd = openat(base, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .posix("open directory", path: path) }
        return fd
    }

    /// Lists a directory (relative to `base`), without `.`/`..`; hidden names are included.
    static func list(_ path: String, at base: Int32 = AT_FDCWD) throws(SpoolError) -> [Entry] {
        let fd = openat(base, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .posix("open directory", path: path) }
        guard let dir = fdopendir(fd) else {
            let e = errno
            close(fd)
            throw .posix("fdopendir", path: path, errno: e)
        }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: &ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDir = ent.pointee.d_type == UInt8(DT_DIR)
            if ent.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 { isDir = (st.st_mode & S_IFMT) == S_IFDIR }
            }
            entries.append(Entry(name: name, isDirectory: isDir))
        }
        return entries
    }

    /// Writes all bytes, retrying on EINTR and short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .posix("write", path: path)
            }
            offset += n
        }
    }

    /// Reads a whole regular file opened with `fd`, up to `limit` bytes.
    static func readAll(_ fd: Int32, size: Int, path: String) throws(SpoolError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = out.withUnsafeMutableBytes { buf in Glibc.read(fd, buf.baseAddress! + offset, size - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .posix("read", path: path)
            }
            if n == 0 { break }
            offset += n
        }
        if offset < size { out.removeLast(size - offset) }
        return out
    }

    /// Writes a message file the Maildir way: `tmp/name`, (fsync), rename to `stage/name`, (fsync stage).
    ///
    /// On any failure the tmp file is unlinked and the error thrown; a failed fsync is never
    /// retried (after a failed fsync the page cache may have dropped the data, so "try again"
    /// can report success for bytes that are gone). If the final directory fsync fails, the
    /// renamed file is unlinked again so the sender's error is the truth.
    static func publish(_ bytes: [UInt8], name: String, queueFD: Int32, queuePath: String, stage: String,
                        stageFD: Int32?, durable: Bool, modified: Timestamp? = nil) throws(SpoolError) {
        let tmp = "tmp/" + name
        let final = stage + "/" + name
        let fd = openat(queueFD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .posix("create", path: queuePath + "/" + tmp) }
        func fail(_ error: SpoolError, closing: Bool) -> SpoolError {
            if closing { close(fd) }
            unlinkat(queueFD, tmp, 0)
            return error
        }
        do {
            try writeAll(fd, bytes, path: queuePath + "/" + tmp)
        } catch {
            throw fail(error, closing: true)
        }
        if durable && fsync(fd) != 0 { throw fail(.posix("fsync", path: queuePath + "/" + tmp), closing: true) }
        if let modified {
            let ms = modified.millisecondsSinceEpoch
            var times = [timespec(tv_sec: Int(ms / 1000), tv_nsec: Int((ms % 1000) * 1_000_000)),
                         timespec(tv_sec: Int(ms / 1000), tv_nsec: Int((ms % 1000) * 1_000_000))]
            if futimens(fd, &times) != 0 { throw fail(.posix("futimens", path: queuePath + "/" + tmp), closing: true) }
        }
        if close(fd) != 0 { throw fail(.posix("close", path: queuePath + "/" + tmp), closing: false) }
        if renameat(queueFD, tmp, queueFD, final) != 0 {
            throw fail(.posix("rename", path: queuePath + "/" + final), closing: false)
        }
        if durable, let stageFD, fsync(stageFD) != 0 {
            let error = SpoolError.posix("fsync directory", path: queuePath + "/" + stage)
            unlinkat(queueFD, final, 0)
            throw error
        }
    }

    /// Modification time in milliseconds of `path` relative to `base`, without following links.
    static func modifiedMillis(_ path: String, at base: Int32) -> Int64? {
        var st = stat()
        guard fstatat(base, path, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }

    /// Whether a process with this pid exists (EPERM still means it exists).
    static func isProcessAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }

    /// Removes a directory tree without following symlinks (a link is removed, not its target).
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            if let entries = try? list(path) {
                for e in entries { removeTree(path + "/" + e.name) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// Unique, sortable message file names: `<epochMillis>-<counter>-<pid>-<random>.json`.
///
/// Names sort in send order for one sender (millis, then a process-wide counter); consumers never
/// read meaning from them except order (Maildir's rule).
enum MessageFileName {
    private static let counter = Atomic<Int>(0)

    static func make(now: Timestamp) -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue % 10_000_000_000
        let random = UInt32.random(in: 0...UInt32.max)
        return "\(padded(now.millisecondsSinceEpoch, 13))-\(padded(Int64(n), 10))-\(getpid())-\(String(random, radix: 16)).json"
    }

    private static func padded(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
