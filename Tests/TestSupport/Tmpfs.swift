import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small file systems for full-disk tests.
public enum Tmpfs {
    /// Whether this process may mount a tmpfs (needs root or CAP_SYS_ADMIN); tried once on a scratch directory.
    public static let canMount: Bool = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-mountprobe-\(UUID().uuidString)").path
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(dir)
        return true
    }()

    /// Writes zeros into `path` until the file system says ENOSPC (or another error); returns the bytes written.
    public static func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return total }
            total += n
        }
    }
}
