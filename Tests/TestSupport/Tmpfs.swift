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
}
