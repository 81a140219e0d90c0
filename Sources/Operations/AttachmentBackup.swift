import Foundation
import Credentials
import SQLiteKit
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// The attachment files of a backup: `<backup>/attachments/ab/abcdef…`, the same layout as
/// `<data>/attachments`, holding exactly the files the backup's `tickets.db` refers to.
///
/// Why from the copy of `tickets.db`: the rows of that snapshot are what a restore brings back, so
/// every file a restored row names must be in the set; a file uploaded after the snapshot belongs
/// to no restored row and is left out. A file is written before its row is committed (and the sweep
/// removes only files no row names), so every file the snapshot names exists when the copy runs.
/// Each file is named by the SHA-256 of its bytes, so the name is its checksum: the backup checks
/// it on the way in (source read, copy read back) and `verify`/`restore` check it on the way out.
public enum AttachmentBackup {
    /// The directory of the attachment files inside a backup directory.
    public static func directory(in backup: String) -> String { (backup as NSString).appendingPathComponent("attachments") }

    /// What the backup copied (or what a verify or restore found).
    public struct Summary: Sendable, Equatable {
        /// Distinct files (hashes) the backup's `tickets.db` refers to.
        public var files = 0
        /// Their total size.
        public var bytes: Int64 = 0
        /// `attachments/ab/<hash>` of files absent from the backup.
        public var missing: [String] = []
        /// `attachments/ab/<hash>` of files whose bytes no longer hash to their name.
        public var damaged: [String] = []
        /// Files a restore wrote into the data directory (the others were there already, intact).
        public var restored = 0

        public init() {}

        /// True when every referenced file is present and intact.
        public var isIntact: Bool { missing.isEmpty && damaged.isEmpty }
    }

    /// The distinct hashes a copy of `tickets.db` refers to (none before migration 14).
    public static func referencedHashes(ticketsDatabase path: String) throws(BackupError) -> [String] {
        do {
            let db = try Connection(path: path, mode: .readOnly)
            let hasTable = try db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'attachments'")
                .queryFirst { $0.int64(at: 0) } ?? 0
            guard hasTable > 0 else { return [] }
            return try db.prepare("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256").query([]) { $0.text(at: 0) }
        } catch {
            throw .copyFailed("tickets.db", "reading its attachments: \(error)")
        }
    }

    /// Copies into `<target>/attachments` every file the copy of `tickets.db` at `ticketsCopy` refers
    /// to, checking the source's and the copy's SHA-256 against the name; each file is fsynced and
    /// renamed into place, then its directory fsynced. Called before `tickets.db` gets its real name.
    ///
    /// - Throws: `BackupError.attachmentFailed` for a file that is missing or damaged in the data
    ///   directory (it needs attention: no backup can hold it), or that cannot be written.
    public static func copy(referencedBy ticketsCopy: String, from dataDirectory: String, to target: String) throws(BackupError) -> Summary {
        let source = AttachmentFiles(dataDirectory: dataDirectory)
        let root = directory(in: target)
        var summary = Summary()
        for hash in try referencedHashes(ticketsDatabase: ticketsCopy) {
            let name = relativePath(hash)
            guard let from = source.path(sha256: hash) else { throw .attachmentFailed(name, "not a SHA-256 name") }
            let bytes: [UInt8]
            do { bytes = try AttachmentFiles.readFile(from) } catch { throw .attachmentFailed(name, "reading \(from): \(error)") }
            guard hexString(SHA256.hash(bytes)) == hash else {
                throw .attachmentFailed(name, "\(from) does not hash to its name: the file in the data directory is damaged")
            }
            let shard = (root as NSString).appendingPathComponent(String(hash.prefix(2)))
            let final = (shard as NSString).appendingPathComponent(hash)
            for dir in [root, shard] where mkdir(dir, 0o750) != 0 && errno != EEXIST {
                throw .attachmentFailed(name, "mkdir \(dir): \(String(cString: strerror(errno)))")
            }
            let partial = (shard as NSString).appendingPathComponent(".\(hash).partial")
            do throws(AttachmentStorageError) {
                let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
                guard fd >= 0 else { throw .posix("open", path: partial) }
                defer { close(fd) }
                try AttachmentFiles.writeAll(fd, bytes, path: partial)
                guard fsync(fd) == 0 else { throw .posix("fsync", path: partial) }
            } catch {
                unlink(partial)
                throw .attachmentFailed(name, "\(error)")
            }
            guard (try? hexString(SHA256.hash(AttachmentFiles.readFile(partial)))) == hash else {
                unlink(partial)
                throw .attachmentFailed(name, "the copy read back does not hash to its name")
            }
            guard rename(partial, final) == 0 else {
                unlink(partial)
                throw .attachmentFailed(name, "rename: \(String(cString: strerror(errno)))")
            }
            try Backup.fsyncDirectory(shard)
            summary.files += 1
            summary.bytes += Int64(bytes.count)
        }
        if summary.files > 0 { try Backup.fsyncDirectory(root) }
        return summary
    }

    /// Checks every file the backup's `tickets.db` refers to: present, and hashing to its name.
    public static func verify(backup: String) throws(BackupError) -> Summary {
        try walk(backup: backup) { _, _ in false }
    }

    /// Puts the backup's attachment files back into `<dataDirectory>/attachments` (durably, as an
    /// upload stores them). A file missing or damaged in the backup is not restored; it is listed in
    /// the summary, and the caller reports it (`campusdesk backup --restore-attachments` exits 1).
    /// Files already present in the data directory with the right bytes are left as they are.
    public static func restore(from backup: String, into dataDirectory: String) throws(BackupError) -> Summary {
        let files = AttachmentFiles(dataDirectory: dataDirectory)
        return try walk(backup: backup) { hash, bytes throws(BackupError) in
            if let existing = files.path(sha256: hash), let present = try? AttachmentFiles.readFile(existing),
               hexString(SHA256.hash(present)) == hash {
                return false
            }
            if let existing = files.path(sha256: hash) { unlink(existing) }  // damaged or absent: replaced
            do { try files.store(bytes, sha256: hash) } catch { throw .attachmentFailed(relativePath(hash), "restoring: \(error)") }
            return true
        }
    }

    /// Reads each referenced file of the backup, checks it, and hands the intact ones to `body`
    /// (which returns whether it wrote the file).
    private static func walk(backup: String, _ body: (String, [UInt8]) throws(BackupError) -> Bool) throws(BackupError) -> Summary {
        let tickets = (backup as NSString).appendingPathComponent("tickets.db")
        guard FileManager.default.fileExists(atPath: tickets) else { throw .ticketDatabaseMissing(tickets) }
        let root = directory(in: backup)
        var summary = Summary()
        for hash in try referencedHashes(ticketsDatabase: tickets) {
            let name = relativePath(hash)
            summary.files += 1
            let path = (root as NSString).appendingPathComponent("\(hash.prefix(2))/\(hash)")
            guard AttachmentFiles.isHash(hash), FileManager.default.fileExists(atPath: path) else {
                summary.missing.append(name)
                continue
            }
            guard let bytes = try? AttachmentFiles.readFile(path), hexString(SHA256.hash(bytes)) == hash else {
                summary.damaged.append(name)
                continue
            }
            summary.bytes += Int64(bytes.count)
            if try body(hash, bytes) { summary.restored += 1 }
        }
        return summary
    }

    static func relativePath(_ hash: String) -> String { "attachments/\(hash.prefix(2))/\(hash)" }
}
