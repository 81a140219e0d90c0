import Foundation
import Domain
import SQLiteKit
import SpoolBroker
#if canImport(Glibc)
import Glibc
#endif

/// A consistent online backup of a data directory: `tickets.db`, each analytics state file and the
/// notifier's queue `notifications.db`.
///
/// Why this shape: each file is copied with SQLite's online backup API while the workers keep
/// writing (one read snapshot per file, see `Connection.backup(toFile:)`), written under a temporary
/// name, checked with `PRAGMA integrity_check`, fsynced and only then renamed to its real name, so
/// a file with the real name in the target is always a complete, checked copy. The analytics states
/// are copied **before** `tickets.db`: every event an analytics state has applied was committed to
/// `tickets.db` first, so the set can never hold a state that is ahead of the ticket store (restored
/// together, a state ahead would skip events it never saw as duplicates). `notifications.db` is
/// copied before `tickets.db` for the same reason: its idempotency keys start with an event's seq,
/// and a key from an event the restored store never had would silence the new event given that seq.
public struct Backup: Sendable {
    /// The directory the workers use (`CAMPUSDESK_DATA`).
    public var dataDirectory: String
    /// Stamps each manifest entry with the time its snapshot was taken (injected so tests can fix it).
    public var clock: any WallClock

    /// A backup of `dataDirectory`; nothing is read until `run(into:)`.
    public init(dataDirectory: String, clock: any WallClock = SystemClock()) {
        self.dataDirectory = dataDirectory
        self.clock = clock
    }

    /// The file names a backup copies, in copy order (analytics states, the notifier's queue, `tickets.db` last).
    public static var fileNames: [String] {
        AnalyticsService.allCases.map { "analytics-\($0.rawValue).db" } + [notificationsFileName, "tickets.db"]
    }

    /// The notifier's delivery queue (`Notifier.DeliveryQueue`), named here so Operations need not link the notifier.
    public static let notificationsFileName = "notifications.db"


    /// Copies every database file of the data directory into `target` (created if missing).
    ///
    /// `tickets.db` must exist; an analytics state file that does not exist yet is skipped (listed
    /// in `skipped`): a worker without one rebuilds it by replay. `target` must not already hold a
    /// backup, so one directory is always one consistent set. Every file is first copied and checked
    /// under a temporary name; only when all of them are good are they renamed, `tickets.db` last,
    /// so a directory with `tickets.db` in it holds a complete set and a failed run leaves none.
    ///
    /// - Throws: `BackupError` naming the file and the reason; temporary files are removed.
    public func run(into target: String) throws(BackupError) -> BackupManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .dataDirectoryMissing(dataDirectory)
        }
        let ticketsPath = (dataDirectory as NSString).appendingPathComponent("tickets.db")
        guard FileManager.default.fileExists(atPath: ticketsPath) else { throw .ticketDatabaseMissing(ticketsPath) }
        try prepareTarget(target)

        var manifest = BackupManifest(entries: [], skipped: [])
        var partials: [String] = []
        defer { partials.forEach(Self.removeWithSidecars) }
        for name in Self.fileNames {
            let source = (dataDirectory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: source) else {
                manifest.skipped.append(name)
                continue
            }
            let partial = Self.partialPath(of: name, in: target)
            partials.append(partial)
            manifest.entries.append(try copy(source, named: name, to: partial))
        }
        if let ticketsCopy = partials.last, manifest.entries.last?.file == "tickets.db" {
            manifest.attachments = try AttachmentBackup.copy(referencedBy: ticketsCopy, from: dataDirectory, to: target)
        }
        for (index, entry) in manifest.entries.enumerated() {
            let final = (target as NSString).appendingPathComponent(entry.file)
            guard rename(partials[index], final) == 0 else {
                throw .copyFailed(entry.file, "rename: \(String(cString: strerror(errno)))")
            }
        }
        partials = []
        try Self.fsyncDirectory(target)
        return manifest
    }

    // MARK: - Steps

    private func prepareTarget(_ target: String) throws(BackupError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .targetUnusable(target, "not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            } catch {
                throw .targetUnusable(target, Self.reason(error))
            }
        }
        guard access(target, W_OK) == 0 else { throw .targetUnusable(target, String(cString: strerror(errno))) }
        let existing = Self.fileNames.filter { FileManager.default.fileExists(atPath: (target as NSString).appendingPathComponent($0)) }
        guard existing.isEmpty else { throw .targetHoldsBackup(target, existing) }
    }

    /// Backs up one database into `partial`, checks it and fsyncs it; the caller renames it.
    private func copy(_ source: String, named name: String, to partial: String) throws(BackupError) -> BackupEntry {
        Self.removeWithSidecars(partial)
        let snapshotTime = clock.now()
        do {
            let db = try Connection(path: source, mode: .readOnly)
            try db.backup(toFile: partial)
        } catch {
            throw .copyFailed(name, Self.reason(error))
        }
        let facts = try Self.check(partial, named: name)
        try Self.fsyncFile(partial, named: name)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupEntry(file: name, bytes: bytes, lastSeq: facts.lastSeq, tickets: facts.tickets, time: snapshotTime)
    }

    /// `<target>/.<name>.partial`: hidden, and never a name a restore would copy back.
    static func partialPath(of name: String, in target: String) -> String {
        (target as NSString).appendingPathComponent(".\(name).partial")
    }

    /// Runs `PRAGMA integrity_check` on a copy and reads its facts for the manifest.
    static func check(_ path: String, named name: String) throws(BackupError) -> (lastSeq: SequenceNumber, tickets: Int?) {
        let copy: Connection
        let problems: [String]
        do {
            copy = try Connection(path: path, mode: .readOnly)
            problems = try copy.integrityProblems()
        } catch {
            // Damage bad enough that integrity_check stops with an error instead of listing it.
            if error.resultCode == .corrupt || error.resultCode == .notADatabase { throw .integrityCheckFailed(name, [error.message]) }
            throw .copyFailed(name, reason(error))
        }
        guard problems.isEmpty else { throw .integrityCheckFailed(name, problems) }
        do {
            return try facts(of: copy, named: name)
        } catch {
            throw .copyFailed(name, reason(error))
        }
    }

    /// What the copy holds: the last event sequence number (and, for `tickets.db`, the ticket count);
    /// for `notifications.db` the newest event a notification or a web inbox entry was made of.
    static func facts(of db: Connection, named name: String) throws -> (lastSeq: SequenceNumber, tickets: Int?) {
        if name == notificationsFileName {
            var seq = try db.prepare("SELECT coalesce(max(event_seq), 0) FROM notifications").queryFirst { $0.int64(at: 0) } ?? 0
            // The inbox (migration 4) exists once a notifier of that release opened the file.
            if try db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox'").queryFirst([]) { _ in true } == true {
                seq = max(seq, try db.prepare("SELECT coalesce(max(event_seq), 0) FROM inbox").queryFirst { $0.int64(at: 0) } ?? 0)
            }
            return (SequenceNumber(seq), nil)
        }
        if name == "tickets.db" {
            let seq = try db.prepare("SELECT coalesce(max(seq), 0) FROM events").queryFirst { $0.int64(at: 0) } ?? 0
            let tickets = try db.prepare("SELECT count(*) FROM tickets").queryFirst { Int($0.int64(at: 0)) } ?? 0
            return (SequenceNumber(seq), tickets)
        }
        let seq = try db.prepare("SELECT last_seq FROM progress WHERE id = 1").queryFirst { $0.int64(at: 0) } ?? 0
        return (SequenceNumber(seq), nil)
    }

    // MARK: - Files

    /// Forces the copy's bytes to the disk before the rename makes it look complete.
    static func fsyncFile(_ path: String, named name: String) throws(BackupError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .copyFailed(name, "open for fsync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .copyFailed(name, "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Makes the renames durable: a rename lives in the directory, which has to reach the disk too.
    static func fsyncDirectory(_ path: String) throws(BackupError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .targetUnusable(path, "open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .targetUnusable(path, "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Removes a temporary copy and any journal SQLite left beside it (a failed write can leave `-journal`).
    private static func removeWithSidecars(_ path: String) {
        // Missing is the normal case; any other failure leaves a dot-file that the next run overwrites.
        for suffix in ["", "-journal", "-wal", "-shm"] { _ = unlink(path + suffix) }
    }

    private static func reason(_ error: any Error) -> String {
        if let e = error as? SQLiteError { return "\(e.message) (SQLite code \(e.extendedCode))" }
        if let e = error as? CocoaError, let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let text = strerror(Int32(underlying.code)) {
            return String(cString: text)
        }
        return String(describing: error).prefix(300).description
    }
}

/// One copied file, as the manifest lists it.
public struct BackupEntry: Sendable, Equatable {
    /// The file name, the same in the data directory and in the backup (`tickets.db`, `analytics-<service>.db`).
    public var file: String
    /// Size of the copy.
    public var bytes: Int64
    /// The last event sequence number in the copy: `max(seq)` of `events`, or an analytics state's `last_seq`.
    public var lastSeq: SequenceNumber
    /// Tickets in the copy (`tickets.db` only).
    public var tickets: Int?
    /// When the copy's snapshot was taken.
    public var time: Timestamp

    /// One manifest line.
    public init(file: String, bytes: Int64, lastSeq: SequenceNumber, tickets: Int?, time: Timestamp) {
        self.file = file
        self.bytes = bytes
        self.lastSeq = lastSeq
        self.tickets = tickets
        self.time = time
    }
}

/// What a backup wrote, printed by `campusdesk backup` as tab-separated text.
public struct BackupManifest: Sendable, Equatable {
    /// The files copied, in copy order (analytics states first, `tickets.db` last).
    public var entries: [BackupEntry]
    /// Analytics state files or `notifications.db` that did not exist (their process has not run yet): nothing to copy.
    public var skipped: [String]
    /// The attachment files `tickets.db` refers to, copied and checked (`AttachmentBackup`).
    public var attachments: AttachmentBackup.Summary

    /// A manifest of the given entries and skipped files.
    public init(entries: [BackupEntry], skipped: [String], attachments: AttachmentBackup.Summary = .init()) {
        self.entries = entries
        self.skipped = skipped
        self.attachments = attachments
    }

    /// `file  bytes  last_seq  tickets  time`, tab-separated with a header line; `-` where a column does not apply.
    ///
    /// Why tabs: the manifest is read by people and by scripts (`cut -f`, `awk -F'\t'`).
    public var text: String {
        var lines = ["file\tbytes\tlast_seq\ttickets\ttime"]
        for e in entries {
            lines.append("\(e.file)\t\(e.bytes)\t\(e.lastSeq)\t\(e.tickets.map(String.init) ?? "-")\t\(e.time.iso8601)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Why a backup failed; each case names what to look at.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `CAMPUSDESK_DATA` does not name a directory.
    case dataDirectoryMissing(String)
    /// The data directory has no `tickets.db` (the ticket worker never ran there).
    case ticketDatabaseMissing(String)
    /// The target cannot be created or written (path, reason).
    case targetUnusable(String, String)
    /// The target already holds backup files (path, the files), so it would mix two sets.
    case targetHoldsBackup(String, [String])
    /// Copying, fsyncing or renaming one file failed (file, reason: SQLite's or errno's text).
    case copyFailed(String, String)
    /// The copy of a file is damaged (file, SQLite's findings): the source needs attention.
    case integrityCheckFailed(String, [String])
    /// An attachment file could not be copied or restored, or is damaged (`attachments/ab/<hash>`, reason).
    case attachmentFailed(String, String)

    public var description: String {
        switch self {
        case .dataDirectoryMissing(let path):
            "data directory \(path) does not exist (set CAMPUSDESK_DATA)"
        case .ticketDatabaseMissing(let path):
            "\(path) does not exist (has the ticket worker run with this CAMPUSDESK_DATA?)"
        case .targetUnusable(let path, let reason):
            "cannot write the backup into \(path): \(reason)"
        case .targetHoldsBackup(let path, let files):
            "\(path) already holds a backup (\(files.joined(separator: ", "))); use a new directory for each backup"
        case .copyFailed(let file, let reason):
            "copying \(file) failed: \(reason)"
        case .integrityCheckFailed(let file, let problems):
            "the copy of \(file) failed PRAGMA integrity_check: \(problems.prefix(3).joined(separator: "; "))"
        case .attachmentFailed(let file, let reason):
            "attachment \(file): \(reason)"
        }
    }
}
