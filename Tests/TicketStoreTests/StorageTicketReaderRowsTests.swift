import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import TicketStore

/// `TicketReader.withListRows` reads the same pages as `list`, field for field, on a real SQLite file.
@Suite struct StorageTicketReaderRowsTests {
    /// One row copied out of the in-place view (the list page's columns, text as raw bytes).
    struct Copied: Sendable, Equatable {
        var id: TicketID
        var description: [UInt8]
        var location: [UInt8]?
        var category: Category
        var status: Status
        var openedAt: Timestamp
    }

    static let texts = [
        "Heating in <b>room</b> 4 & \"the\" 'hall' is off",
        "Zürich café: Wi-Fi drops ☕️ every 5 minutes, 😀 👩‍👩‍👧",
        String(repeating: "A long description that goes on and on. ", count: 6),
        String(repeating: "ü", count: 130) + " long non-ASCII",
        "Line one\r\nline two of a printer report",
        "wifi plain",
    ]

    /// Imports `count` tickets mixing NULL and present location/reporter, special and non-ASCII text.
    static func build(_ f: StoreFixture, count: Int) async throws {
        let base = f.clock.now().adding(milliseconds: -30 * 86_400_000)
        var batch: [Command] = []
        for i in 0..<count {
            let opened = base.adding(milliseconds: Int64(i / 2) * 60_000)  // two tickets share each minute
            let status = Status.allCases[i % 3]
            let ticket = ImportTicket(
                description: texts[i % texts.count] + " #\(i)",
                location: i % 4 == 0 ? nil : (i % 4 == 1 ? "Bâtiment <A> & Co" : "Building \(i % 9)"),
                reporter: i % 5 == 0 ? nil : "Zoë O'Brien \(i)",
                category: i % 7 == 0 ? nil : Category.allCases[i % 3],
                status: status, openedAt: opened, closedAt: status == .closed ? opened.adding(milliseconds: 5000) : nil)
            batch.append(Command(role: .agent, action: .importTicket(ticket)))
        }
        _ = try await f.store.apply(batch)
    }

    static func rowsPage(_ reader: TicketReader, _ filter: TicketFilter) async throws -> (rows: [Copied], next: TicketCursor?) {
        try await reader.withListRows(filter) { rows in
            var copied: [Copied] = []
            try rows.forEach { r in
                copied.append(Copied(
                    id: r.id, description: Array(r.description), location: r.location.map { Array($0) },
                    category: try r.category, status: try r.status, openedAt: r.openedAt))
            }
            #expect(rows.count == copied.count)
            return (copied, rows.nextCursor)
        }
    }

    static let filters: [TicketFilter] = [
        TicketFilter(limit: 50),
        TicketFilter(limit: 7),
        TicketFilter(statuses: [.open, .active], limit: 11),
        TicketFilter(statuses: [.closed], category: .it, limit: 5),
        TicketFilter(category: .services, limit: 13),
        TicketFilter(text: "wifi", limit: 9),
        TicketFilter(statuses: [.open], text: "zürich", limit: 4),
        TicketFilter(text: "nosuchword", limit: 10),
    ]

    @Test("withListRows walks every filter's pages exactly as list does: same rows, bytes, NULLs and cursors",
          arguments: filters.indices)
    func rows_EqualListPages(_ index: Int) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        try await Self.build(f, count: 240)
        let reader = try TicketReader(path: f.path)
        var filter = Self.filters[index]
        var pages = 0
        var sawNullLocation = false
        while true {
            let page = try await reader.list(filter)
            let rows = try await Self.rowsPage(reader, filter)
            #expect(rows.next == page.nextCursor)
            #expect(rows.rows.map(\.id) == page.tickets.map(\.id))
            for (row, t) in zip(rows.rows, page.tickets) {
                #expect(row.description == Array(t.description.utf8))
                #expect(row.location == t.location.map { Array($0.utf8) })
                #expect(row.category == t.category && row.status == t.status && row.openedAt == t.openedAt)
                sawNullLocation = sawNullLocation || row.location == nil
            }
            pages += 1
            guard let next = page.nextCursor else { break }
            filter.cursor = next
        }
        if index == 0 {
            // The unfiltered walk covers every ticket: NULL locations were read as nil.
            #expect(pages == 5 && sawNullLocation)
        }
    }

    @Test("rows are delivered once, the statement is reusable afterwards, and limits are checked as in list")
    func rows_OnceAndLimits() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        try await Self.build(f, count: 12)
        let reader = try TicketReader(path: f.path)
        let counts = try await reader.withListRows(TicketFilter(limit: 5)) { rows in
            var first = 0, second = 0
            try rows.forEach { _ in first += 1 }
            try rows.forEach { _ in second += 1 }
            return [first, second, rows.count]
        }
        #expect(counts == [5, 0, 5])
        // A body that reads nothing leaves no cursor, and the cached statement is reset for the next page.
        let untouched = try await reader.withListRows(TicketFilter(limit: 5)) { rows in rows.nextCursor }
        #expect(untouched == nil)
        #expect(try await Self.rowsPage(reader, TicketFilter(limit: 20)).rows.count == 12)
        await #expect(throws: Refusal.self) { try await reader.withListRows(TicketFilter(limit: 0)) { _ in 0 } }
        await #expect(throws: Refusal.self) { try await reader.withListRows(TicketFilter(limit: 501)) { _ in 0 } }
        // An error thrown by the body reaches the caller and leaves the reader usable.
        await #expect(throws: DeliberateError.self) {
            try await reader.withListRows(TicketFilter(limit: 5)) { rows in try rows.forEach { _ in throw DeliberateError() } }
        }
        #expect(try await reader.list(TicketFilter(limit: 20)).tickets.count == 12)
    }

    @Test("reads in flight at once share the pool: each gets a connection and the same rows")
    func pool_ConcurrentReadsSeeTheSameRows() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        try await Self.build(f, count: 40)
        let reader = try TicketReader(path: f.path, poolSize: 2)
        let filter = TicketFilter(statuses: [.open], category: .it, limit: 3)
        let expected = try await Self.rowsPage(reader, filter).rows.map(\.id.rawValue)
        let pages = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await reader.withListRows(filter) { rows in
                        var ids: [Int64] = []
                        try rows.forEach { ids.append($0.id.rawValue) }
                        return ids
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(pages.count == 8 && pages.allSatisfy { $0 == expected })
        await #expect(throws: Refusal.self) { try await reader.withListRows(TicketFilter(limit: 0)) { _ in 0 } }
    }
}
