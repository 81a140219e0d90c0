#if canImport(Glibc)
import Glibc
#endif

/// Random bytes from the kernel's CSPRNG: salts, session tokens, secrets.
public enum SecureRandom {
    /// `count` bytes from the kernel's cryptographically secure generator.
    ///
    /// Read with glibc's `getentropy`, its wrapper of the `getrandom(2)` system call (Swift's
    /// Glibc module does not export `getrandom` itself): it blocks only until the kernel's pool
    /// is first seeded, retries interrupted and partial reads, and takes at most 256 bytes per
    /// call, so longer requests are read in pieces.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "a byte count is not negative")
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var filled = 0
            while filled < count {
                let piece = min(256, count - filled)
                guard let start = buffer.baseAddress?.advanced(by: filled) else { return }
                if getentropy(start, piece) == 0 {
                    filled += piece
                    continue
                }
                let error = errno
                if error == EINTR { continue }
                // No secret can be made without it, and a predictable fallback would be worse than
                // stopping: ENOSYS is a kernel older than 3.17, EPERM a seccomp filter forbidding it.
                fatalError("getrandom(2) refused: errno \(error) (\(String(cString: strerror(error))))")
            }
        }
        return bytes
    }
}
