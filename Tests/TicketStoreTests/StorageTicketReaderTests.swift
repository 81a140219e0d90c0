import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The query side over 100,000 imported tickets, built once per test through `apply` in batches.
@Suite(.onDedicatedThreads) struct StorageTicketReaderTests {
    static let words = ["heating", "wifi", "printer", "canteen", "library", "door", "window", "projector"]

    /// Imports `count` tickets with spread statuses, categories and (repeating) opening times.
    static func build(_ f: StoreFixture, count: Int) async throws {
        let base = f.clock.now().adding(milliseconds: -400 * 86_400_000)
        var batch: [Command] = []
        for i in 0..<count {
            let opened = base.adding(milliseconds: Int64(i / 3) * 60_000)  // three tickets share each minute
            let status = Status.allCases[i % 3]
            let ticket = ImportTicket(
                description: "\(words[i % words.count]) issue number \(i)", location: "Building \(i % 50)",
                reporter: i % 1_000 == 0 ? "Zoë Quartermain" : nil, category: i % 7 == 0 ? nil : Category.allCases[(i / 3) % 3],
                status: status, openedAt: opened, closedAt: status == .closed ? opened.adding(milliseconds: 1000) : nil)
            batch.append(Command(role: .agent, action: .importTicket(ticket)))
            if batch.count == 1_000 {
                _ = try await f.store.apply(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await f.store.apply(batch) }
        // Imports wait for the background full-text pass (migration 4); run it to the end.
        while try await f.store.indexSearchBacklog(limit: 10_000) > 0 {}
    }

    /// Follows next-cursors to the end, checking order; returns every id seen.
    static func walk(_ reader: TicketReader, _ filter: TicketFilter) async throws -> [TicketID] {
        var ids: [TicketID] = []
        var filter = filter
        var last: Ticket?
        while true {
            let page = try await reader.list(filter)
            for t in page.tickets {
                if let last { #expect((t.openedAt, t.id) < (last.openedAt, last.id)) }
                last = t
            }
            ids += page.tickets.map(\.id)
            guard let next = page.nextCursor else { break }
            #expect(page.tickets.count == filter.limit)
            filter.cursor = next
        }
        return ids
    }

    @Test("the unfiltered list reads one range of tickets_by_opened (migration 3), not a merge of nine ranges")
    func unfilteredList_UsesOpenedIndex() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        try await Self.build(f, count: 200)
        let db = try Connection(path: f.path, mode: .readOnly)
        // The same shape as TicketReader.list without status, category or text.
        let plan = try db.prepare("""
            EXPLAIN QUERY PLAN SELECT \(Ticket.columns) FROM tickets
            WHERE opened_at <= ? AND (opened_at < ? OR id < ?) ORDER BY opened_at DESC, id DESC LIMIT ?
            """).query([.integer(.max), .integer(.max), .integer(.max), .integer(51)]) { $0.text(at: 3) }
        #expect(plan.contains { $0.contains("tickets_by_opened") })
        #expect(!plan.contains { $0.contains("TEMP B-TREE") })
    }

    @Test func largeDatabase_FiltersSearchAndPagination() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        try await Self.build(f, count: 100_000)
        let reader = try TicketReader(path: f.path)
        #expect(try await reader.counts() == [.open: 33_334, .active: 33_333, .closed: 33_333])

        // No filter: every row exactly once, newest first.
        let all = try await Self.walk(reader, TicketFilter(limit: 500))
        #expect(all.count == 100_000 && Set(all).count == 100_000)

        // Each filter walks exactly the rows SQL counts for it.
        let cases: [(TicketFilter, String)] = [
            (TicketFilter(statuses: [.open], limit: 500), "status = 'open'"),
            (TicketFilter(statuses: [.open, .active], category: .it, limit: 317), "status IN ('open','active') AND category = 'it'"),
            (TicketFilter(category: .services, limit: 500), "category = 'services'"),
            (TicketFilter(statuses: [.closed], category: .facility, limit: 500), "status = 'closed' AND category = 'facility'"),
        ]
        for (filter, sql) in cases {
            let ids = try await Self.walk(reader, filter)
            #expect(Int64(ids.count) == (try f.scalar("SELECT count(*) FROM tickets WHERE \(sql)")), "\(sql)")
            #expect(Set(ids).count == ids.count, "\(sql)")
        }

        // Search: prefix words, combined with filters, walked with a cursor.
        let heat = try await Self.walk(reader, TicketFilter(text: "HEAT", limit: 500))
        #expect(heat.count == 12_500)
        let heatOpen = try await Self.walk(reader, TicketFilter(statuses: [.open], text: "heat build", limit: 100))
        #expect(Int64(heatOpen.count) == (try f.scalar("SELECT count(*) FROM tickets WHERE status = 'open' AND description LIKE 'heating%'")))
        #expect(try await reader.list(TicketFilter(text: "zoe", limit: 500)).tickets.count == 100)
        // "4242" is a prefix of 4242 and 42420...42429: eleven tickets, walked three at a time.
        #expect(try await Self.walk(reader, TicketFilter(text: "number 4242", limit: 3)).count == 11)
        #expect(try await reader.list(TicketFilter(text: "nosuchword", limit: 10)).tickets.isEmpty)
    }

    @Test(arguments: ["\"", "wifi\"", "*", "NEAR(wifi door)", "description:wifi OR 1", "^door", "wifi AND", "(", "'; DROP TABLE tickets; --", "  ", "- + ."])
    func search_TreatsFTSSyntaxAsPlainText(_ text: String) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.create("wifi door broken")
        let page = try await TicketReader(path: f.path).list(TicketFilter(text: text))
        // Either words were found (and matched as words) or there was no word (no text filter).
        #expect(page.tickets.count <= 1)
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 1)
    }

    @Test func detail_AndLimits() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let reader = try TicketReader(path: f.path)
        #expect(try await reader.detail(TicketID(1)) == nil)
        await #expect(throws: Refusal.self) { try await reader.list(TicketFilter(limit: 0)) }
        await #expect(throws: Refusal.self) { try await reader.list(TicketFilter(limit: 501)) }
        #expect(try await reader.list(TicketFilter(limit: 500)).tickets.isEmpty)
        #expect(try await reader.counts() == [.open: 0, .active: 0, .closed: 0])
    }
}
