import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Imported tickets wait for the background full-text pass (migration 4); live tickets do not.
///
/// A contentless FTS5 table cannot run 'integrity-check', so every check here searches: a word
/// must find exactly the tickets whose current text holds it, once each. On threads of its own:
/// the imports and passes hold a thread in SQLite for seconds, which the cooperative pool cannot spare.
@Suite(.onDedicatedThreads) struct StorageSearchBacklogTests {
    /// Imports one ticket per description (one batch) and returns their ids in order.
    static func importAll(_ f: StoreFixture, _ descriptions: [String]) async throws -> [TicketID] {
        let base = f.clock.now().adding(milliseconds: -86_400_000)
        let replies = try await f.store.apply(descriptions.enumerated().map { i, text in
            StoreFixture.importing(text, openedAt: base.adding(milliseconds: Int64(i) * 60_000))
        })
        return try replies.map { try #require($0.ticket?.id) }
    }

    @Test("imported tickets are listed at once and found by text after the pass, chunk by chunk")
    func imported_SearchableAfterPass() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let ids = try await Self.importAll(f, (0..<5).map { "radiator leak number\($0)" })
        #expect(try await f.store.searchBacklog == 5)
        #expect(try await TicketReader(path: f.path).list(TicketFilter(limit: 50)).tickets.count == 5)
        #expect(try await StoreFixture.search(f.path, "radiator").isEmpty)

        #expect(try await f.store.indexSearchBacklog(limit: 2) == 2)
        #expect(try await StoreFixture.search(f.path, "radiator") == [ids[1], ids[0]])
        #expect(try await f.store.indexSearchBacklog(limit: 2) == 2)
        #expect(try await f.store.indexSearchBacklog(limit: 2) == 1)
        #expect(try await f.store.searchBacklog == 0)
        #expect(try await StoreFixture.search(f.path, "radiator") == ids.reversed())
        #expect(try await StoreFixture.search(f.path, "number3") == [ids[3]])
        #expect(try await StoreFixture.search(f.path, "hall") == ids.reversed())  // location is indexed too
        #expect(try await f.store.indexSearchBacklog(limit: 2) == 0)
    }

    @Test("a live create is found by text at once, even while imported tickets wait")
    func liveCreate_SearchableAtOnce() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await Self.importAll(f, ["projector dead in aula", "projector flickers"])
        let live = try await f.create("projector remote missing")
        #expect(try await f.store.searchBacklog == 2)
        #expect(try await StoreFixture.search(f.path, "projector") == [live.id])
        #expect(try await f.store.indexSearchBacklog(limit: 100) == 2)
        #expect(try await StoreFixture.search(f.path, "projector").count == 3)
    }

    @Test("an edit or status change of a waiting ticket leaves it waiting; the pass indexes the current text only")
    func editWhilePending_PassIndexesCurrentText() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let ids = try await Self.importAll(f, ["zebra crossing paint gone", "window stuck"])
        let edited = try await f.run(.agent, .editTicket(EditTicket(ticketID: ids[0], description: "yak shaped stain", location: "Lab 9")))
        #expect(edited.isApplied)
        #expect(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: ids[1], status: .active))).isApplied)
        #expect(try await f.store.searchBacklog == 2)
        #expect(try await StoreFixture.search(f.path, "yak").isEmpty)

        #expect(try await f.store.indexSearchBacklog(limit: 10) == 2)
        #expect(try await StoreFixture.search(f.path, "yak") == [ids[0]])
        #expect(try await StoreFixture.search(f.path, "lab") == [ids[0]])
        #expect(try await StoreFixture.search(f.path, "zebra").isEmpty)
        #expect(try await StoreFixture.search(f.path, "window") == [ids[1]])

        // Indexed by the pass, an edit now replaces its entry (the 'delete' finds what the pass inserted).
        #expect(try await f.run(.agent, .editTicket(EditTicket(ticketID: ids[0], description: "quokka in the stairwell"))).isApplied)
        #expect(try await StoreFixture.search(f.path, "quokka") == [ids[0]])
        #expect(try await StoreFixture.search(f.path, "yak").isEmpty)
        #expect(try await StoreFixture.search(f.path, "lab") == [ids[0]])
    }

    @Test("the pass is resumable: a transaction cut off mid-pass (connection closed) leaves no trace, and no ticket is indexed twice")
    func pass_ResumableAndIdempotent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        let words = (0..<10).map { "word\($0)" }
        do {
            let f = StoreFixtureOnPath(path: path)
            let store = try f.open()
            let base = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
            _ = try await store.apply(words.enumerated().map { i, w in
                StoreFixture.importing("leak \(w)", openedAt: base.adding(milliseconds: Int64(i)))
            })
            #expect(try await store.indexSearchBacklog(limit: 3) == 3)
        }
        // A pass killed inside its transaction: the FTS rows are written, the commit never happens.
        do {
            let db = try Connection(path: path)
            try db.execute("BEGIN IMMEDIATE")
            try db.execute("""
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT k.key, t.description, t.location, t.reporter FROM tickets t JOIN ticket_search_keys k ON k.ticket_id = t.id
                WHERE t.search_indexed = 0
                """)
            #expect(db.changes == 7)
        }
        let store = try StoreFixtureOnPath(path: path).open()
        #expect(try await store.searchBacklog == 7)
        #expect(try await StoreFixture.search(path, "leak").count == 3)
        while try await store.indexSearchBacklog(limit: 3) > 0 {}
        #expect(try await store.indexSearchBacklog(limit: 3) == 0)
        #expect(try await store.searchBacklog == 0)
        let all = try await StoreFixture.search(path, "leak")
        #expect(all.count == 10 && Set(all).count == 10)
        for w in words { #expect(try await StoreFixture.search(path, w).count == 1, "\(w)") }
    }

    @Test("migration 4 on a database of migrations 1-3 counts its tickets as indexed; their edits re-index them")
    func migration4_ExistingTicketsCountAsIndexed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(TicketSchema.migrations.prefix(3)))
            for (i, opened) in [3_000, 1_000, 2_000].enumerated() {
                try db.execute("""
                    INSERT INTO tickets (description, category, category_source, status, opened_at, modified_at)
                    VALUES (?, 'facility', 'auto', 'open', ?, ?)
                    """, [.text("boiler noise \(i)"), .integer(Int64(opened)), .integer(Int64(opened))])
            }
        }
        let store = try StoreFixtureOnPath(path: path).open()
        #expect(try Connection(path: path, mode: .readOnly).userVersion() == TicketSchema.migrations.last?.version)
        #expect(try await store.searchBacklog == 0)
        #expect(try await StoreFixture.search(path, "boiler").map(\.rawValue) == [1, 3, 2])
        let edit = Command(role: .agent, action: .editTicket(EditTicket(ticketID: TicketID(3), description: "kettle broken")))
        #expect(try await store.apply([edit])[0].isApplied)
        #expect(try await StoreFixture.search(path, "boiler").map(\.rawValue) == [1, 2])
        #expect(try await StoreFixture.search(path, "kettle").map(\.rawValue) == [3])
    }
}

/// Opens a `TicketStore` on a given path (the test decides when the previous one is gone).
struct StoreFixtureOnPath {
    let path: String
    func open() throws -> TicketStore {
        try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
    }
}
