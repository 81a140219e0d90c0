import Foundation
import Testing
import TestSupport
import Fixtures
import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Search that finds what people mean (issue 20, finding 5): hyphens, case, accents and simple
/// plurals normalised the same way in the index and in the query, and ticket numbers.
@Suite struct SearchNormalisationTests {
    // MARK: - The normaliser

    @Test("spellings of one word meet at one query word", arguments: [
        (["wifi", "WiFi", "Wi-Fi", "wi-fi", "WI‑FI", "wi fi", "Wi-Fi's", "ＷＩＦＩ"], "wifi"),
        (["projector", "projectors", "Projectors", "PROJECTOR"], "projector"),
        (["battery", "batteries"], "battery"),
        (["switch", "switches"], "switch"),
        (["class", "classes"], "class"),
        (["box", "boxes"], "box"),
        (["cafe", "café", "Café", "CAFÉ", "cafe\u{301}", "cafés"], "cafe"),
        (["email", "e-mail", "E-Mails", "e mail"], "email"),
        (["login", "log in", "log-in"], "login"),
        (["lift", "lifts", "lift's"], "lift"),
        (["cant", "can't", "can’t"], "cant"),
    ])
    func normaliser_OneWordForEverySpelling(_ spellings: [String], _ word: String) {
        for s in spellings {
            #expect(SearchText.queryWords(s) == [word], "\(s)")
            #expect(SearchText.indexed(s).split(separator: " ").first.map(String.init) == word, "\(s)")
        }
    }

    @Test func normaliser_KeepsWordsThatAreNotPlurals() {
        for word in ["campus", "glass", "analysis", "news", "lens", "bus", "gas", "series", "status", "3001", "b12", "2nd"] {
            #expect(SearchText.queryWords(word) == [word], "\(word)")
        }
    }

    @Test func normaliser_IndexesAJoinedWordAndItsParts() {
        #expect(SearchText.indexed("Wi-Fi drops in Room B12") == "wifi wi fi drop in room b12")
        #expect(SearchText.indexed("self-service printers") == "selfservice self service printer")
        #expect(SearchText.indexed("wi fi") == "wifi wi fi")
        #expect(SearchText.indexed("rooms 3001-3005") == "room 30013005 3001 3005")
        // A joiner only between letters or digits: anything else separates, and says nothing.
        #expect(SearchText.indexed("'quoted' -- a - b") == "quoted a b")
        #expect(SearchText.indexed("") == "" && SearchText.indexed("?!") == "")
        #expect(SearchText.queryWords("self-service printers") == ["selfservice", "printer"])
    }

    @Test func query_QuotesEveryNormalisedWordAsAPrefix() {
        #expect(FullTextQuery.expression(for: "Wi-Fi  lib\"raries") == "\"wifi\"* \"lib\"* \"rary\"*")
        #expect(FullTextQuery.expression(for: "NEAR(a b)") == "\"near\"* \"a\"* \"b\"*")
        #expect(FullTextQuery.expression(for: " *^:() ") == nil)
        #expect(FullTextQuery.expression(for: String(repeating: "w ", count: 100))?.split(separator: " ").count == FullTextQuery.maxTerms)
    }

    @Test("a ticket number, with # or the word ticket, names that ticket and is a whole word",
          arguments: ["3001", "#3001", " # 3001 ", "ticket 3001", "Ticket #3001", "TICKET3001", "  3001\t"])
    func query_TicketNumber(_ text: String) {
        #expect(FullTextQuery.ticketNumber(in: text) == TicketID(3001))
        #expect(FullTextQuery.expression(for: text) == "\"3001\"")
    }

    @Test("other text is no ticket number", arguments: ["3001 projector", "room 3001", "ticket", "#", "tickets 3001", "30O1", "-3001", "3001.5",
                                                        "#3001#", "３００１", "0", String(repeating: "9", count: 19)])
    func query_NotATicketNumber(_ text: String) {
        #expect(FullTextQuery.ticketNumber(in: text) == nil)
    }

    // MARK: - The index and the queries

    static func ids(_ reader: TicketReader, _ filter: TicketFilter) async throws -> [Int64] {
        try await reader.list(filter).tickets.map(\.id.rawValue)
    }

    static func ids(_ reader: TicketReader, _ text: String, order: TicketOrder = .newest) async throws -> [Int64] {
        try await ids(reader, TicketFilter(text: text, limit: 500, order: order))
    }

    @Test("wifi finds Wi-Fi and wi fi, projectors finds projector, cafe finds café, in both orders")
    func search_FindsEverySpelling() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        for d in ["Wi-Fi drops in the library", "wi fi slow in hall C", "WIFI down", "Projector flickers", "Two projectors missing",
                  "Café machine broken", "Clicker batteries empty", "Door jammed"] {
            _ = try await f.create(d)
        }
        let reader = try TicketReader(path: f.path)
        for order in TicketOrder.allCases {
            for q in ["wifi", "Wi-Fi", "wi fi", "WiFi"] { #expect(Set(try await Self.ids(reader, q, order: order)) == [1, 2, 3], "\(q) \(order)") }
            for q in ["projector", "projectors", "PROJECTORS"] { #expect(Set(try await Self.ids(reader, q, order: order)) == [4, 5], "\(q) \(order)") }
            for q in ["cafe", "café", "cafes"] { #expect(try await Self.ids(reader, q, order: order) == [6], "\(q) \(order)") }
            #expect(try await Self.ids(reader, "battery", order: order) == [7])
            #expect(Set(try await Self.ids(reader, "fi", order: order)) == [1, 2], "a part of a joined word still finds it")
        }
    }

    @Test("a ticket number finds that ticket and the tickets that mention it, through the filters and people rules")
    func search_TicketNumber() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        for d in ["Heating in room 3 broken", "Lamp out", "Projector dead", "Room 30 too cold", "See ticket #3, same problem"] { _ = try await f.create(d) }
        let reader = try TicketReader(path: f.path)
        for order in TicketOrder.allCases {
            for q in ["3", "#3", "ticket 3"] {
                // Ticket 3, and 1 and 5 that mention "3" as a word; not 4 ("30": the number is a whole word).
                let ids = try await Self.ids(reader, q, order: order)
                #expect(Set(ids) == [1, 3, 5], "\(q) \(order)")
                if order == .newest { #expect(ids == [5, 3, 1]) }
                if order == .oldest || order == .number { #expect(ids == [1, 3, 5]) }
            }
            #expect(try await Self.ids(reader, "#2", order: order) == [2])
            #expect(try await Self.ids(reader, "#99", order: order).isEmpty)
        }
        // Pages: the numbered ticket has its place in the order, once.
        let first = try await reader.list(TicketFilter(text: "#3", limit: 2))
        #expect(first.tickets.map(\.id.rawValue) == [5, 3])
        let second = try await reader.list(TicketFilter(text: "#3", limit: 2, cursor: first.nextCursor))
        #expect(second.tickets.map(\.id.rawValue) == [1] && second.nextCursor == nil)
        // The other filters hold for the numbered ticket too: closed, it is gone for a list of open tickets.
        #expect(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: TicketID(2), status: .active))).isApplied)
        let closed = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: TicketID(2), status: .closed))).ticket)
        #expect(try await Self.ids(reader, TicketFilter(statuses: [.open, .active], text: "#2")).isEmpty)
        #expect(try await Self.ids(reader, TicketFilter(statuses: [.closed], text: "#2")) == [2])
        let other = try #require(Category.allCases.first { $0 != closed.category })
        #expect(try await Self.ids(reader, TicketFilter(category: other, text: "#2")).isEmpty)
        #expect(try await Self.ids(reader, TicketFilter(category: closed.category, text: "#2")) == [2])
    }

    @Test("a customer's list finds only their own ticket by its number")
    func search_TicketNumberOnlyWithinTheirOwn() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let w = try await ReaderAccountsTests().world(f)
        let reader = try TicketReader(path: f.path)
        let others = try #require(w.tickets.first { $0.customerID != w.ana.id })
        let own = try #require(w.tickets.first { $0.customerID == w.ana.id })
        let anas = Set(w.tickets.filter { $0.customerID == w.ana.id }.map(\.id.rawValue))
        // Descriptions end in a number, so a number finds the numbered ticket and those mentioning it: only Ana's for Ana.
        let forAna = try await Self.ids(reader, TicketFilter(text: "#\(others.id.rawValue)", customerID: w.ana.id))
        #expect(!forAna.contains(others.id.rawValue) && Set(forAna).isSubset(of: anas))
        let own1 = try await Self.ids(reader, TicketFilter(text: "#\(own.id.rawValue)", customerID: w.ana.id))
        #expect(own1.contains(own.id.rawValue) && Set(own1).isSubset(of: anas))
        #expect(try await Self.ids(reader, TicketFilter(text: "#\(others.id.rawValue)")).contains(others.id.rawValue))
    }

    @Test("edits, imports and the background pass keep the normalised index in step")
    func search_EditsAndImportsStayInStep() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create("Wi-Fi drops in the library")
        let reader = try TicketReader(path: f.path)
        #expect(try await Self.ids(reader, "wifi") == [1])
        // The update trigger removes the old entry by recomputing it: a mismatch would leave "wifi" finding it.
        #expect(try await f.run(.agent, .editTicket(EditTicket(ticketID: t.id, description: "Printers jam", location: "Café"))).isApplied)
        #expect(try await Self.ids(reader, "wifi").isEmpty)
        #expect(try await Self.ids(reader, "printer") == [1])
        #expect(try await Self.ids(reader, "cafe") == [1])
        // An import waits for the background pass, which indexes it normalised.
        _ = try await f.store.apply([StoreFixture.importing("Two Projectors missing", openedAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))])
        #expect(try await Self.ids(reader, "projector").isEmpty)
        #expect(try await f.store.indexSearchBacklog(limit: 10) == 1)
        #expect(try await Self.ids(reader, "projector") == [2])
        #expect(try await f.run(.agent, .editTicket(EditTicket(ticketID: TicketID(2), description: "E-mail bounces"))).isApplied)
        #expect(try await Self.ids(reader, "projector").isEmpty)
        #expect(try await Self.ids(reader, "email") == [2])
        // FTS5's own check: every entry is one the triggers can remove again.
        try Connection(path: f.path).execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 0)")
    }

    @Test("migration 9 rebuilds the index of a database from before it; waiting imports stay waiting")
    func migration9_RebuildsTheIndex() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(TicketSchema.migrations.filter { $0.version <= 8 })
            try db.execute("""
                INSERT INTO tickets (description, location, category, category_source, status, opened_at, modified_at, search_indexed)
                VALUES ('Wi-Fi drops', 'Café', 'it', 'auto', 'open', 1000, 1000, 1), ('Projectors missing', NULL, 'facility', 'auto', 'open', 2000, 2000, 1),
                       ('Batteries empty', NULL, 'facility', 'auto', 'open', 3000, 3000, 0);
                """)
            // Today's index: the words as unicode61 cut them.
            #expect(try db.prepare("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'wi'").queryFirst { $0.int64(at: 0) } == 1)
        }
        let store = try StoreFixtureOnPath(path: path).open()
        #expect(try Connection(path: path, mode: .readOnly).userVersion() == TicketSchema.migrations.last?.version)
        let reader = try TicketReader(path: path)
        #expect(try await Self.ids(reader, "wifi") == [1])
        #expect(try await Self.ids(reader, "projector") == [2])
        #expect(try await Self.ids(reader, "cafe") == [1])
        #expect(try await store.searchBacklog == 1)
        #expect(try await Self.ids(reader, "battery").isEmpty)
        #expect(try await store.indexSearchBacklog(limit: 10) == 1)
        #expect(try await Self.ids(reader, "battery") == [3])
        // Entries written by the migration are removed by the new triggers.
        #expect(try await store.apply([Command(role: .agent, action: .editTicket(EditTicket(ticketID: TicketID(1), description: "Door")))])[0].isApplied)
        #expect(try await Self.ids(reader, "wifi").isEmpty)
        try Connection(path: path).execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 0)")
    }

    @Test("searches read the full-text index and the keys' index, never every ticket")
    func search_Plans() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        for i in 0..<20 { _ = try await f.create("Wi-Fi drops in room \(i)") }
        let db = try Connection(path: f.path, mode: .readOnly)
        let filters = [
            TicketFilter(text: "wifi"), TicketFilter(statuses: [.open], category: .it, text: "Projectors"), TicketFilter(text: "#3001"),
            TicketFilter(text: "3001", order: .priority), TicketFilter(statuses: [.open, .active], text: "wifi", order: .priority),
        ]
        for filter in filters {
            for columns in [TicketReader.ticketColumns, TicketReader.rowColumns] {
                let (statement, values) = try TicketReader.listStatement(db, filter, columns: columns)
                let plan = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql).query(values) { $0.text(at: 3) }
                let text = plan.joined(separator: "; ")
                #expect(plan.contains { $0.contains("SCAN tickets_fts VIRTUAL TABLE") }, "\(text)")
                #expect(!plan.contains { $0.hasPrefix("SCAN t") && !$0.hasPrefix("SCAN tickets_fts") }, "\(text)")
                if FullTextQuery.ticketNumber(in: filter.text ?? "") != nil {
                    #expect(text.contains("ticket_search_keys USING COVERING INDEX sqlite_autoindex_ticket_search_keys_1 (ticket_id=?"), "\(text)")
                } else if filter.order == .newest {
                    // Words, newest first: FTS5 hands matches over in listing order, the LIMIT stops it.
                    #expect(!text.contains("TEMP B-TREE"), "\(text)")
                }
            }
        }
    }
}
