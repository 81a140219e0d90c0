import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The compact stored reply, the JSON replies written before it, and search in listing order.
@Suite struct StorageStoredReplyTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_780_000_000_123)

    static let replies: [CommandReply] = [
        CommandReply(commandID: CommandID("a"), ticket: Ticket(
            id: TicketID(42), description: "Heizung kalt — Zoë's room ✓", location: "B 3", reporter: nil, category: .facility,
            categorySource: .auto, categoryConfidence: 0.123456789, status: .open, openedAt: t0, modifiedAt: t0, closedAt: nil)),
        CommandReply(commandID: CommandID("b"), ticket: Ticket(
            id: TicketID(Int64.max), description: "x", location: nil, reporter: "Ana", category: .it,
            categorySource: .staff, categoryConfidence: nil, status: .closed, openedAt: Timestamp(millisecondsSinceEpoch: 0),
            modifiedAt: t0, closedAt: t0),
            message: Message(id: MessageID(7), ticketID: TicketID(Int64.max), authorRole: .agent, authorName: "",
                             body: String(repeating: "m", count: 5_000), sentAt: t0)),
        CommandReply(commandID: CommandID("c"), refusal: Refusal(.invalidTransition, "A ticket cannot go from open to closed.", field: "status")),
        CommandReply(commandID: CommandID("d"), refusal: Refusal(.readOnly, "")),
    ]

    @Test("every reply shape survives encode and decode exactly")
    func storedReply_RoundTrips() throws {
        for reply in Self.replies {
            let bytes = StoredReply.encode(reply)
            let back = try bytes.withUnsafeBytes { try StoredReply.decode($0, commandID: reply.commandID) }
            #expect(back == reply)
        }
        // Far smaller than the JSON it replaces (the point of the format).
        let json = try JSONEncoder().encode(Self.replies[0])
        #expect(StoredReply.encode(Self.replies[0]).count * 3 < json.count)
    }

    @Test("truncated, extended or foreign bytes are reported as corrupt, never misread")
    func storedReply_RejectsDamagedBytes() throws {
        let good = StoredReply.encode(Self.replies[1])
        var damaged: [[UInt8]] = [[], [StoredReply.version], [StoredReply.version + 1, 0], Array(good.dropLast()), good + [0], [StoredReply.version, 8]]
        var badEnum = StoredReply.encode(Self.replies[2])
        badEnum[3] = UInt8(ascii: "X")  // first byte of the refusal code's raw value
        damaged.append(badEnum)
        for bytes in damaged {
            #expect(throws: SQLiteError.self) { try bytes.withUnsafeBytes { try StoredReply.decode($0, commandID: CommandID("x")) } }
        }
    }

    @Test("a reply stored as JSON by an earlier version is still returned for its command id")
    func storedJSONReply_IsStillAnswered() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let ticket = try await f.create("Door stuck")
        let old = CommandReply(commandID: CommandID("old-1"), ticket: ticket)
        do {
            let db = try Connection(path: f.path)
            try db.execute("INSERT INTO applied_commands (command_id, applied_at, reply) VALUES (?, ?, ?)",
                           [.text("old-1"), .integer(0), .text(String(decoding: try JSONEncoder().encode(old), as: UTF8.self))])
        }
        let again = try await f.run(.customer, .createTicket(CreateTicket(description: "something else")), id: CommandID("old-1"))
        #expect(again == old)
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 1)
        #expect(try f.scalar("SELECT count(*) FROM applied_commands WHERE typeof(reply) = 'blob'") == 1)
    }

    @Test("search pages come newest first by (opened_at, id) even when history is imported out of order")
    func search_FollowsListingOrderForOutOfOrderImports() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let base = f.clock.now().adding(milliseconds: -86_400_000)
        // Newest first, then older ones, and several in the same millisecond, some not matching.
        var commands: [Command] = []
        for i in 0..<300 {
            let opened = base.adding(milliseconds: Int64((i * 7_919) % 50) * 1_000)
            let text = i % 4 == 3 ? "door \(i)" : "heating \(i)"
            commands.append(Command(role: .agent, action: .importTicket(ImportTicket(
                description: text, category: Category.allCases[i % 3], status: i % 2 == 0 ? .open : .active, openedAt: opened))))
        }
        _ = try await f.store.apply(Array(commands[150...]))
        _ = try await f.store.apply(Array(commands[..<150]))
        // The background full-text pass (migration 4) must feed FTS5 in key order whatever the import order.
        #expect(try await f.store.indexSearchBacklog(limit: 1_000) == 300)
        // Live tickets after the import, and an edit that moves one ticket out of the results.
        for _ in 0..<5 { _ = try await f.create("heating broken again") }
        let edited = try await f.create("heating in the gym")
        _ = try await f.run(.customer, .editTicket(EditTicket(ticketID: edited.id, description: "lights in the gym")))
        let reader = try TicketReader(path: f.path)
        let expected = try Connection(path: f.path, mode: .readOnly)
            .prepare("SELECT id FROM tickets WHERE description LIKE 'heating%' ORDER BY opened_at DESC, id DESC")
            .query { TicketID($0.int64(at: 0)) }
        #expect(expected.count == 225 + 5)
        #expect(try await StorageTicketReaderTests.walk(reader, TicketFilter(text: "heat", limit: 7)) == expected)
        #expect(try await reader.list(TicketFilter(text: "gym")).tickets.map(\.id) == [edited.id])
        let openIT = try Connection(path: f.path, mode: .readOnly)
            .prepare("SELECT id FROM tickets WHERE description LIKE 'heating%' AND status = 'open' AND category = 'it' ORDER BY opened_at DESC, id DESC")
            .query { TicketID($0.int64(at: 0)) }
        #expect(try await StorageTicketReaderTests.walk(reader, TicketFilter(statuses: [.open], category: .it, text: "heat", limit: 4)) == openIT)
    }

    @Test("a database with the first schema is migrated: its tickets are found by search in listing order")
    func migrationFromVersion1_IndexesExistingTickets() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(TicketSchema.migrations.prefix(1)))
            for (i, opened) in [5_000, 1_000, 5_000, 3_000, 1_000].enumerated() {
                try db.execute("""
                    INSERT INTO tickets (description, category, category_source, status, opened_at, modified_at)
                    VALUES (?, 'it', 'auto', 'open', ?, ?)
                    """, [.text("wifi down \(i)"), .integer(Int64(opened)), .integer(Int64(opened))])
            }
        }
        let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
        _ = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "wifi slow")))])
        #expect(try Connection(path: path, mode: .readOnly).userVersion() == TicketSchema.migrations.last?.version)
        let found = try await TicketReader(path: path).list(TicketFilter(text: "wifi")).tickets.map(\.id.rawValue)
        #expect(found == [6, 3, 1, 4, 5, 2])
    }

    @Test("an import dated before 1970 is refused (the search key starts at the epoch)")
    func importBeforeEpoch_IsRefused() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let reply = try await f.run(.agent, .importTicket(ImportTicket(
            description: "very old", status: .open, openedAt: Timestamp(millisecondsSinceEpoch: -1))))
        #expect(reply.refusal?.field == "opened_at")
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 0)
    }

    @Test func searchKeyBound_CoversTheCursorsMillisecond() {
        #expect(TicketReader.searchKeyBound(after: nil) == .max)
        #expect(TicketReader.searchKeyBound(after: TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: 2), id: TicketID(9))) == 3 << 20)
        #expect(TicketReader.searchKeyBound(after: TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: .max), id: TicketID(1))) == .max)
    }
}
