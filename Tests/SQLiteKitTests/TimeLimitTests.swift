import Foundation
import Testing
import TestSupport
@testable import SQLiteKit

/// `Connection.withTimeLimit`: slow statements are made slow by their SQL (a recursive count far
/// past what runs in the limit), never by sleeping; no assertion depends on how fast anything runs.
// On threads of its own: it blocks one for seconds (imports, long statements, thousands of parses),
// which on the two-thread cooperative pool starved other suites' deadlines (a CI run lost 60 s).
@Suite(.onDedicatedThreads) struct TimeLimitTests {
    /// Counts to `n` one row at a time: a billion steps run for minutes, so a zero limit stops it.
    static func countTo(_ n: Int) -> String {
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(n)) SELECT count(*) FROM c"
    }

    static func count(_ db: Connection, _ sql: String) throws -> Int64 {
        let statement = try db.cachedStatement(sql)
        return try statement.queryFirst { $0.int64(at: 0) } ?? -1
    }

    @Test("a statement past its limit fails as interrupted; the connection then answers normally, without the limit")
    func longStatementIsInterrupted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"))
        var caught: SQLiteError?
        do {
            _ = try db.withTimeLimit(.zero) { db in try Self.count(db, Self.countTo(1_000_000_000)) }
        } catch let error as SQLiteError {
            caught = error
        }
        #expect(caught?.isInterrupted == true)
        #expect(caught?.resultCode == .interrupted)
        #expect(caught?.isConstraintViolation == false)
        // The handler is gone: 100,000 steps (far past the first check) run to the end.
        #expect(try Self.count(db, Self.countTo(100_000)) == 100_000)
        // The same cached statement that was interrupted runs again.
        #expect(try db.withTimeLimit(.seconds(3_600)) { db in try Self.count(db, Self.countTo(1_000)) } == 1_000)
    }

    @Test("statements under the limit are unaffected; a short one never reaches a check even with a zero limit")
    func fastStatementsRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (i INTEGER PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (1), (2), (3)")
        #expect(try db.withTimeLimit(.zero) { db in try Self.count(db, "SELECT count(*) FROM t") } == 3)
        #expect(try db.withTimeLimit(.seconds(3_600)) { db in try Self.count(db, Self.countTo(200_000)) } == 200_000)
        #expect(try db.withTimeLimit(nil) { db in try Self.count(db, Self.countTo(200_000)) } == 200_000)
    }

    @Test("an interrupted read transaction is rolled back and the connection reads again")
    func interruptedTransactionRollsBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("t.db"))
        #expect(throws: SQLiteError.self) {
            try db.withTimeLimit(.zero) { db in
                try db.transaction(.deferred) { db in try Self.count(db, Self.countTo(1_000_000_000)) }
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.transaction(.deferred) { db in try Self.count(db, Self.countTo(10_000)) } == 10_000)
    }
}
