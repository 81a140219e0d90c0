import Foundation
import Testing
import TestSupport
import Fixtures
import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `TicketReader(queryTimeLimit:)` (scaling finding 8): a read past the limit fails as interrupted
/// and its pooled connection comes back usable. The reads are made slow by their SQL, not by
/// sleeping, and a zero limit stops them at SQLite's first clock check; nothing here is timed.
// On threads of its own: it blocks one for seconds (imports, long statements, thousands of parses),
// which on the two-thread cooperative pool starved other suites' deadlines (a CI run lost 60 s).
@Suite(.onDedicatedThreads) struct ReaderTimeLimitTests {
    static let billion = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"

    static func isInterrupted(_ body: () throws -> Void) -> Bool {
        do { try body() } catch let error as SQLiteError { return error.isInterrupted } catch {}
        return false
    }

    @Test("both pooled connections are interrupted past the limit and answer short reads afterwards")
    func poolConnectionsInterruptedAndReusable() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.create("Projector flickers in hall B")
        let reader = try TicketReader(path: f.path, poolSize: 2, queryTimeLimit: .zero)
        // The outer read holds the first connection, so the inner one takes the second.
        var inner = false
        let outer = Self.isInterrupted {
            _ = try reader.withConnection { first in
                inner = Self.isInterrupted { _ = try reader.withConnection { second in try second.prepare(Self.billion).queryFirst { $0.int64(at: 0) } } }
                return try first.prepare(Self.billion).queryFirst { $0.int64(at: 0) }
            }
        }
        #expect(outer && inner)
        // Both connections again, at once, each out of any transaction and answering.
        let answers = try reader.withConnection { first in
            let second = try reader.withConnection { second in
                (second.isInTransaction, try second.prepare("SELECT count(*) FROM tickets").queryFirst { $0.int64(at: 0) })
            }
            return [second, (first.isInTransaction, try first.prepare("SELECT count(*) FROM tickets").queryFirst { $0.int64(at: 0) })]
        }
        #expect(answers.map(\.0) == [false, false] && answers.map(\.1) == [1, 1])
    }

    @Test("a search over thousands of tickets through the public API fails as interrupted; without a limit it answers")
    func heavySearchInterrupted() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let base = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        _ = try await f.store.apply((0..<3_000).map { i in
            StoreFixture.importing("Projector \(i) flickers in lecture hall \(i % 40)", openedAt: base.adding(milliseconds: Int64(i) * 1_000))
        })
        // Imports wait for the background full-text pass; run it so the search finds them all.
        _ = try await f.store.indexSearchBacklog(limit: 10_000)
        let limited = try TicketReader(path: f.path, queryTimeLimit: .zero)
        var caught: SQLiteError?
        do { _ = try await limited.count(TicketFilter(text: "projector", limit: 50), cap: 1_000_000) } catch let error as SQLiteError { caught = error }
        #expect(caught?.isInterrupted == true)
        let unlimited = try TicketReader(path: f.path)
        #expect(try await unlimited.count(TicketFilter(text: "projector", limit: 50), cap: 1_000_000).total == 3_000)
    }
}
