import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock one `campusdesk up` holds on its spool (`spool/up.lock`) for its whole life.
///
/// `flock` is released by the kernel when the holder dies, so a crashed supervisor never leaves a
/// stale lock behind; the file is opened close-on-exec so children do not inherit (and keep) it.
public final class SupervisorLock {
    /// The lock file path.
    public let path: String
    private let fd: Int32

    /// Why the lock could not be taken.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another live process holds it; its pid when the file says so.
        case held(path: String, pid: Int32?)
        case system(SupervisorError)

        public var description: String {
            switch self {
            case .held(let path, let pid):
                "another 'campusdesk up' is already running on this spool (\(path) is locked\(pid.map { " by pid \($0)" } ?? ""))"
            case .system(let e): e.description
            }
        }
    }

    /// Takes the lock at `path` without waiting, creating the file if needed, and writes our pid into it.
    public init(path: String) throws(Failure) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(.posix("open", path: path)) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let err = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard err == EWOULDBLOCK else { throw .system(SupervisorError(operation: "flock", path: path, errno: err)) }
            let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            throw .held(path: path, pid: Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let pid = Array("\(getpid())\n".utf8)
        // The pid is only informative (for the refusal message); failing to write it is not fatal.
        if ftruncate(fd, 0) == 0 { _ = pwrite(fd, pid, pid.count, 0) }
        self.fd = fd
        self.path = path
    }

    deinit {
        // Closing the descriptor releases the flock.
        close(fd)
    }
}
