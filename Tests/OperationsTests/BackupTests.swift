import Foundation
import Testing
import Fixtures
import TestSupport
@testable import Domain
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import Analytics
@testable import Operations
#if canImport(Glibc)
import Glibc
#endif

/// `Backup` on real SQLite files in temp directories: copies taken under a concurrent writer,
/// copies equal to their source, and every way a backup can fail.
@Suite(.onDedicatedThreads) struct BackupTests {
    // MARK: - Consistency under a writer

    @Test("backups taken while a writer commits are consistent snapshots that open, check out and only grow")
    func backupDuringConcurrentWrites_IsConsistentSnapshot() async throws {
        let fixture = try StoreFixture()
        defer { fixture.dir.remove() }
        let targets = try TemporaryDirectory()
        defer { targets.remove() }
        _ = try await fixture.create()
        let store = fixture.store
        let stop = StopFlag()
        let backup = Backup(dataDirectory: fixture.dir.url.path)

        let manifests: [BackupManifest] = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Commits batches (new tickets, a message, a status change each) until told to stop.
                var round = 0
                while !stop.isSet {
                    let created = try await store.apply((0..<10).map { i in
                        Command(role: .customer, action: .createTicket(CreateTicket(description: "Broken lamp \(round)-\(i) in hall B")))
                    })
                    if let id = created.first?.ticket?.id {
                        _ = try await store.apply([Command(role: .agent, action: .postMessage(PostMessage(ticketID: id, body: "On our way")))])
                        _ = try await store.apply([Command(role: .agent, action: .changeStatus(ChangeStatus(ticketID: id, status: .active)))])
                    }
                    round += 1
                }
            }
            defer { stop.set() }
            var manifests: [BackupManifest] = []
            let deadline = Date().addingTimeInterval(120)
            // Back up until three copies caught the writer at three different points.
            while Set(manifests.compactMap { $0.entries.last?.tickets }).count < 3 && Date() < deadline {
                manifests.append(try backup.run(into: targets.path("b\(manifests.count)")))
            }
            stop.set()
            try await group.waitForAll()
            return manifests
        }
        #expect(Set(manifests.compactMap { $0.entries.last?.tickets }).count >= 3, "the writer never moved between backups")

        let live = try Connection(path: fixture.path, mode: .readOnly)
        var previous = 0
        for (index, manifest) in manifests.enumerated() {
            let entry = try #require(manifest.entries.last)
            #expect(entry.file == "tickets.db")
            #expect(manifest.skipped == Backup.fileNames.filter { $0 != "tickets.db" })
            let copyPath = targets.path("b\(index)/tickets.db")
            let copy = try Connection(path: copyPath, mode: .readOnly)
            #expect(try copy.integrityProblems() == [])
            #expect(try copy.pragma("journal_mode") == "delete")
            #expect(!FileManager.default.fileExists(atPath: copyPath + "-wal"))
            // One snapshot: the trigger-kept counts, the outbox and the tickets agree with each other.
            let tickets = try Self.scalar(copy, "SELECT count(*) FROM tickets")
            #expect(Int(tickets) == entry.tickets)
            #expect(try Self.scalar(copy, "SELECT sum(count) FROM status_counts") == tickets)
            #expect(try Self.scalar(copy, "SELECT count(*) FROM events") == entry.lastSeq.rawValue)
            #expect(try Self.scalar(copy, "SELECT coalesce(max(seq), 0) FROM events") == entry.lastSeq.rawValue)
            #expect(try Self.scalar(copy, "SELECT count(*) FROM ticket_search_keys") == tickets)
            #expect(try Self.scalar(copy, "SELECT count(*) FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id WHERE t.id IS NULL") == 0)
            #expect(try Self.scalar(copy, "SELECT count(*) FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id WHERE t.id IS NULL") == 0)
            // The copy's events are exactly the live store's first events: a prefix, never a mixture.
            let bound: [SQLiteValue] = [.integer(entry.lastSeq.rawValue)]
            #expect(try Self.rows(copy, "SELECT * FROM events ORDER BY seq") == Self.rows(live, "SELECT * FROM events WHERE seq <= ? ORDER BY seq", bound))
            #expect(Int(tickets) >= previous)
            previous = Int(tickets)
        }
    }

    // MARK: - Contents

    @Test("a backup of a quiet data directory equals it table by table, analytics state included")
    func backupOfQuietDirectory_EqualsSource() async throws {
        let fixture = try StoreFixture()
        defer { fixture.dir.remove() }
        let targets = try TemporaryDirectory()
        defer { targets.remove() }
        for n in 0..<40 {
            let ticket = try await fixture.create(n % 3 == 0 ? "wifi down in room \(n)" : "Broken door \(n) in hall B")
            _ = try await fixture.run(.agent, .postMessage(PostMessage(ticketID: ticket.id, body: "Looking at it (\(n))")))
            if n % 2 == 0 { _ = try await fixture.run(.agent, .changeStatus(ChangeStatus(ticketID: ticket.id, status: .active))) }
            if n % 4 == 0 { _ = try await fixture.run(.agent, .changeStatus(ChangeStatus(ticketID: ticket.id, status: .closed))) }
        }
        let events = try await fixture.store.events(from: SequenceNumber(1), limit: 10_000)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let statePath = AnalyticsState<CategoryLoadAggregate>.path(inDataDirectory: fixture.dir.url.path)
        let state = try AnalyticsState<CategoryLoadAggregate>(path: statePath, timeZone: utc)
        try state.apply(events)

        let manifest = try Backup(dataDirectory: fixture.dir.url.path).run(into: targets.path("backup"))

        #expect(manifest.entries.map(\.file) == ["analytics-category-load.db", "tickets.db"])
        #expect(manifest.skipped == ["analytics-open-tickets.db", "analytics-resolution-time.db", "analytics-service-levels.db", "notifications.db"])
        #expect(manifest.entries.map(\.lastSeq) == [SequenceNumber(Int64(events.count)), SequenceNumber(Int64(events.count))])
        #expect(manifest.entries.last?.tickets == 40)
        for entry in manifest.entries {
            let source = try Connection(path: fixture.dir.path(entry.file), mode: .readOnly)
            let copyPath = targets.path("backup/\(entry.file)")
            let copy = try Connection(path: copyPath, mode: .readOnly)
            #expect(try Self.dump(copy) == Self.dump(source), "\(entry.file)")
            #expect(try copy.userVersion() == source.userVersion())
            let size = try #require(FileManager.default.attributesOfItem(atPath: copyPath)[.size] as? NSNumber)
            #expect(entry.bytes == size.int64Value)
        }
        // Nothing but the copies in the target: no temporary files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: targets.path("backup")).sorted() == ["analytics-category-load.db", "tickets.db"])
        // The copied state loads as the worker would load it.
        let restored = try AnalyticsState<CategoryLoadAggregate>(path: targets.path("backup/analytics-category-load.db"), timeZone: utc)
        #expect(restored.lastSeq == state.lastSeq)
        #expect(restored.aggregate.answer() == state.aggregate.answer())

        // The manifest text: a header and one tab-separated line per file.
        let lines = manifest.text.split(separator: "\n")
        #expect(lines.first == "file\tbytes\tlast_seq\ttickets\ttime")
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix("tickets.db\t\(manifest.entries[1].bytes)\t\(events.count)\t40\t") == true)
        #expect(lines[1].split(separator: "\t").dropFirst(3).first == "-")
    }

    // MARK: - Failures

    @Test("a missing data directory or tickets.db, and a target that is a file, lies under a file or holds a backup, are errors")
    func unusableSourceOrTarget_IsError() async throws {
        let fixture = try StoreFixture()
        defer { fixture.dir.remove() }
        let targets = try TemporaryDirectory()
        defer { targets.remove() }
        _ = try await fixture.create()
        let backup = Backup(dataDirectory: fixture.dir.url.path)

        let missing = targets.path("no-such-data")
        #expect(throws: BackupError.dataDirectoryMissing(missing)) { try Backup(dataDirectory: missing).run(into: targets.path("x")) }
        let empty = targets.path("empty-data")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: BackupError.ticketDatabaseMissing(empty + "/tickets.db")) { try Backup(dataDirectory: empty).run(into: targets.path("x")) }

        let file = targets.path("a-file")
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: BackupError.targetUnusable(file, "not a directory")) { try backup.run(into: file) }
        do {
            _ = try backup.run(into: file + "/below")
            Issue.record("a target below a regular file was accepted")
        } catch {
            guard case .targetUnusable(let path, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == file + "/below")
        }

        let first = try backup.run(into: targets.path("twice"))
        #expect(first.entries.count == 1)
        #expect(throws: BackupError.targetHoldsBackup(targets.path("twice"), ["tickets.db"])) { try backup.run(into: targets.path("twice")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: targets.path("twice")) == ["tickets.db"])
    }

    @Test("a corrupt page in the source fails the integrity check and leaves no copy under the real name")
    func corruptSource_FailsIntegrityCheck() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let path = data + "/tickets.db"
        do {
            let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
            _ = try await store.apply((0..<300).map { Command(role: .customer, action: .createTicket(CreateTicket(description: "Broken lamp \($0) in hall B"))) })
        }
        // Fold the WAL into the file, then overwrite the cells of the status index's root page.
        let (root, pageSize): (Int64, Int64) = try {
            let db = try Connection(path: path)
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let root = try Self.scalar(db, "SELECT rootpage FROM sqlite_master WHERE name = 'tickets_by_status_category_opened'")
            return (root, try Self.scalar(db, "PRAGMA page_size"))
        }()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize + 12))
        handle.write(Data(repeating: 0xA5, count: Int(pageSize) - 12))
        try handle.close()

        do {
            _ = try Backup(dataDirectory: data).run(into: dir.path("backup"))
            Issue.record("a corrupt database was backed up")
        } catch {
            guard case .integrityCheckFailed(let file, let problems) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == "tickets.db")
            #expect(!problems.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("backup")) == [])
    }

    @Test("a target on a full disk fails with SQLite's disk-full error and leaves nothing behind, not even the files that fitted",
          .enabled(if: Tmpfs.canMount, "mount(2) of a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)"))
    func fullDisk_FailsCleanly() async throws {
        let fixture = try StoreFixture()
        defer { fixture.dir.remove() }
        _ = try await fixture.store.apply((0..<2_000).map {
            Command(role: .customer, action: .createTicket(CreateTicket(description: "The heating in lecture hall \($0) makes a loud knocking noise all day")))
        })
        // A small state file that fits: copied first, it must not stay behind when tickets.db fails.
        let state = try AnalyticsState<OpenTicketsAggregate>(
            path: AnalyticsState<OpenTicketsAggregate>.path(inDataDirectory: fixture.dir.url.path), timeZone: try #require(TimeZone(identifier: "UTC")))
        try state.apply(try await fixture.store.events(from: SequenceNumber(1), limit: 100))
        let mountPoint = try TemporaryDirectory("backupdisk")
        let disk = mountPoint.path
        try #require(mount("tmpfs", disk, "tmpfs", 0, "size=256k") == 0, "mount: errno \(errno)")
        defer {
            umount2(disk, Int32(MNT_DETACH))
            mountPoint.remove()
        }
        do {
            _ = try Backup(dataDirectory: fixture.dir.url.path).run(into: disk + "/backup")
            Issue.record("a backup larger than the disk succeeded")
        } catch {
            guard case .copyFailed(let file, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == "tickets.db")
            #expect(reason.contains("full"), "\(reason)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk + "/backup") == [])
    }

    // MARK: - Helpers

    static func scalar(_ db: Connection, _ sql: String) throws -> Int64 {
        try db.prepare(sql).queryFirst { $0.int64(at: 0) } ?? -1
    }

    /// Every row of a query as text (blobs as hex), for comparing two files.
    static func rows(_ db: Connection, _ sql: String, _ values: [SQLiteValue] = []) throws -> [String] {
        try db.prepare(sql).query(values) { s in
            (0..<Int32(s.columnCount)).map { i in
                s.isBlob(at: i) ? s.blob(at: i).map { String(format: "%02x", $0) }.joined() : (s.optionalText(at: i) ?? "NULL")
            }.joined(separator: "|")
        }
    }

    /// The schema and every row of every table (FTS shadow tables included).
    static func dump(_ db: Connection) throws -> [String] {
        let tables = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").query { $0.text(at: 0) }
        var all = try rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        for table in tables {
            all += try rows(db, "SELECT * FROM \"\(table)\" ORDER BY 1").map { "\(table):\($0)" }
        }
        return all
    }
}
