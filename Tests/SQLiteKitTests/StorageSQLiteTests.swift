import CSQLite
import Foundation
import Testing
import TestSupport
@testable import SQLiteKit

@Suite struct StorageSQLiteTests {
    @Test("values round-trip through bind and typed column reads")
    func bindAndReadRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [.integer(Int64.max), .real(0.25), .text("Hörsaal 3 — ✓"), .blob([0, 1, 255]), .null])
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [-1, 1.5, "", .blob([]), .optionalText(nil)])
        let rows = try db.prepare("SELECT i, r, s, b, n, typeof(s) FROM t ORDER BY rowid").query { s in
            (s.int64(at: 0), s.double(at: 1), s.text(at: 2), s.blob(at: 3), s.optionalText(at: 4), s.text(at: 5))
        }
        #expect(rows.count == 2)
        #expect(rows[0].0 == Int64.max && rows[0].1 == 0.25 && rows[0].2 == "Hörsaal 3 — ✓" && rows[0].3 == [0, 1, 255] && rows[0].4 == nil)
        // The empty string stays text, not NULL.
        #expect(rows[1].0 == -1 && rows[1].2 == "" && rows[1].5 == "text")
    }

    @Test("textBytes: nil for NULL only; an empty text is an empty view, numbers read as their text")
    func textBytes_NullEmptyAndText() throws {
        let db = try Connection(path: ":memory:")
        let row = try db.prepare("SELECT NULL, '', 'café', 42, CAST(NULL AS TEXT)").queryFirst { s in
            (s.textBytes(at: 0).map(Array.init), s.textBytes(at: 1).map(Array.init), s.textBytes(at: 2).map(Array.init),
             s.textBytes(at: 3).map(Array.init), s.textBytes(at: 4).map(Array.init))
        }
        let r = try #require(row)
        #expect(r.0 == nil)
        #expect(r.1 == [])
        #expect(r.2 == Array("café".utf8))
        #expect(r.3 == Array("42".utf8))
        #expect(r.4 == nil)
    }

    @Test("a wrong parameter count is an error, not a silent NULL")
    func bindCountChecked() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (a, b)")
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO t VALUES (?, ?)", [1]) }
        #expect(try db.prepare("SELECT count(*) FROM t").queryFirst { $0.int64(at: 0) } == 0)
    }

    @Test("errors carry codes, message and SQL but never bound values")
    func errorCarriesContextNotValues() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (?)", ["secret-name"])
        do {
            try db.execute("INSERT INTO t VALUES (?)", ["secret-name"])
            Issue.record("expected a constraint error")
        } catch {
            #expect(error.code == SQLITE_CONSTRAINT)
            #expect(error.extendedCode == SQLITE_CONSTRAINT | (6 << 8))  // SQLITE_CONSTRAINT_PRIMARYKEY (a C macro Swift cannot import)
            #expect(error.sql == "INSERT INTO t VALUES (?)")
            #expect(!error.description.contains("secret-name"))
        }
        #expect(throws: SQLiteError.self) { try db.prepare("SELEKT 1") }
    }

    @Test("open configures WAL, foreign keys and the requested synchronous mode")
    func openConfiguresPragmas() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"), synchronous: .normal)
        #expect(try db.pragma("journal_mode") == "wal")
        #expect(try db.pragma("foreign_keys") == "1")
        #expect(try db.pragma("synchronous") == "1")
        #expect(try db.pragma("busy_timeout") == "5000")
    }

    @Test("opening a path that cannot exist throws")
    func openFailureThrows() {
        #expect(throws: SQLiteError.self) { try Connection(path: "/nonexistent-dir-\(UUID().uuidString)/x.db") }
        #expect(throws: SQLiteError.self) { try Connection(path: "/nonexistent-\(UUID().uuidString).db", mode: .readOnly) }
    }

    @Test("transaction commits on return and rolls back on throw with the original error")
    func transactionCommitAndRollback() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (v INTEGER)")
        let value = try db.transaction { db in
            try db.execute("INSERT INTO t VALUES (?)", [1])
            return 7
        }
        #expect(value == 7)
        #expect(throws: DeliberateError()) {
            try db.transaction { db in
                try db.execute("INSERT INTO t VALUES (?)", [2])
                throw DeliberateError()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.prepare("SELECT v FROM t").query { $0.int64(at: 0) } == [1])
        // Seen from a second connection: only the committed row is on disk.
        let other = try Connection(path: dir.path("t.db"), mode: .readOnly)
        #expect(try other.prepare("SELECT v FROM t").query { $0.int64(at: 0) } == [1])
    }

    @Test("a failing savepoint undoes only its own writes")
    func savepointRollsBackOnlyItself() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (v INTEGER)")
        try db.transaction { db in
            try db.execute("INSERT INTO t VALUES (?)", [1])
            #expect(throws: DeliberateError()) {
                try db.savepoint("cmd") { db in
                    try db.execute("INSERT INTO t VALUES (?)", [2])
                    throw DeliberateError()
                }
            }
            try db.savepoint("cmd") { db in try db.execute("INSERT INTO t VALUES (?)", [3]) }
            #expect(db.isInTransaction)
        }
        #expect(try db.prepare("SELECT v FROM t ORDER BY v").query { $0.int64(at: 0) } == [1, 3])
    }

    @Test("migrations apply on a fresh file, not again on re-open, and a later step adds on top")
    func migrationsFreshAndReopen() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let v1 = [Migration(version: 1, sql: "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);")]
        do {
            let db = try Connection(path: dir.path("m.db"))
            #expect(try db.migrate(v1) == 0)
            #expect(try db.userVersion() == 1)
        }
        let db = try Connection(path: dir.path("m.db"))
        #expect(try db.migrate(v1) == 1)
        #expect(try db.prepare("SELECT count(*) FROM a").queryFirst { $0.int64(at: 0) } == 1)
        let v2 = v1 + [Migration(version: 2, sql: "CREATE TABLE b (y INTEGER);")]
        #expect(try db.migrate(v2) == 1)
        #expect(try db.userVersion() == 2)
        #expect(try db.prepare("SELECT count(*) FROM a").queryFirst { $0.int64(at: 0) } == 1)
    }

    @Test("a failing migration leaves the database exactly as it was")
    func migrationNeverHalfApplied() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("m.db"))
        let steps = [
            Migration(version: 1, sql: "CREATE TABLE a (x INTEGER);"),
            Migration(version: 2, sql: "CREATE TABLE b (y INTEGER); CREATE TABLE a (dup INTEGER);"),
        ]
        #expect(throws: SQLiteError.self) { try db.migrate(steps) }
        #expect(try db.userVersion() == 0)
        #expect(try db.prepare("SELECT count(*) FROM sqlite_schema").queryFirst { $0.int64(at: 0) } == 0)
    }

    @Test("a database from a newer program and misnumbered steps are refused")
    func migrationVersionsChecked() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("PRAGMA user_version = 5")
        #expect(throws: SQLiteError.self) { try db.migrate([Migration(version: 1, sql: "CREATE TABLE a (x)")]) }
        let fresh = try Connection(path: ":memory:")
        #expect(throws: SQLiteError.self) { try fresh.migrate([Migration(version: 2, sql: "CREATE TABLE a (x)")]) }
        #expect(try fresh.userVersion() == 0)
    }

    @Test("a gap in the numbers is allowed (another branch's step): every step above the file's version applies, in order")
    func migrationGapAccepted() throws {
        let db = try Connection(path: ":memory:")
        let steps = [Migration(version: 1, sql: "CREATE TABLE a (x INTEGER);"), Migration(version: 3, sql: "CREATE TABLE c (z INTEGER);")]
        #expect(try db.migrate(steps) == 0)
        #expect(try db.userVersion() == 3)
        #expect(try db.migrate(steps) == 3)
        #expect(try db.prepare("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'c')").queryFirst { $0.int64(at: 0) } == 2)
        // Versions must grow, and a file past the last step is still refused.
        #expect(throws: SQLiteError.self) { try Connection(path: ":memory:").migrate(steps.reversed()) }
        #expect(throws: SQLiteError.self) { try Connection(path: ":memory:").migrate([steps[0], steps[0]]) }
        try db.execute("PRAGMA user_version = 4")
        #expect(throws: SQLiteError.self) { try db.migrate(steps) }
    }

    @Test("a read-only connection reads committed data during a write and cannot write")
    func readOnlyConnection() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let writer = try Connection(path: dir.path("r.db"))
        try writer.execute("CREATE TABLE t (v INTEGER)")
        try writer.execute("INSERT INTO t VALUES (?)", [1])
        let reader = try Connection(path: dir.path("r.db"), mode: .readOnly)
        try writer.execute("BEGIN IMMEDIATE")
        try writer.execute("INSERT INTO t VALUES (?)", [2])
        // WAL: the reader is not blocked by the open write transaction and sees only committed rows.
        #expect(try reader.prepare("SELECT count(*) FROM t").queryFirst { $0.int64(at: 0) } == 1)
        try writer.execute("COMMIT")
        #expect(try reader.prepare("SELECT count(*) FROM t").queryFirst { $0.int64(at: 0) } == 2)
        do {
            try reader.execute("INSERT INTO t VALUES (?)", [3])
            Issue.record("a read-only connection wrote")
        } catch {
            #expect(error.code == SQLITE_READONLY)
        }
    }
}
