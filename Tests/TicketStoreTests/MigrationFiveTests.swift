import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Migration 5 (the network desk) on a database left at version 4 by the campus desk.
@Suite struct MigrationFiveTests {
    @Test("a version 4 database keeps its tickets, messages and replies; 'user'/'staff' become 'customer'/'agent'")
    func migration5_KeepsDataAndRenamesRoles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        let t0: Int64 = 1_770_000_000_000
        var messagesBefore: [[String]] = []
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(TicketSchema.migrations.prefix(4)))
            #expect(try db.userVersion() == 4)
            for (i, text) in ["wifi down in the library", "door stuck in hall B", "canteen closed early"].enumerated() {
                try db.execute("""
                    INSERT INTO tickets (description, location, category, category_source, status, opened_at, modified_at, closed_at)
                    VALUES (?, 'B1', 'it', 'auto', ?, ?, ?, ?)
                    """, [.text(text), .text(i == 2 ? "closed" : "open"), .integer(t0 + Int64(i)), .integer(t0 + 10),
                          i == 2 ? .integer(t0 + 10) : .null])
            }
            for (i, (ticket, role)) in [(1, "user"), (1, "staff"), (2, "staff"), (3, "user"), (1, "user")].enumerated() {
                try db.execute("INSERT INTO messages (ticket_id, author_role, author_name, body, sent_at) VALUES (?, ?, ?, ?, ?)",
                               [.integer(Int64(ticket)), .text(role), i == 0 ? .null : .text("Name \(i)"), .text("body \(i)"), .integer(t0 + 5)])
            }
            messagesBefore = try db.prepare("SELECT id, ticket_id, author_role, author_name, body, sent_at FROM messages ORDER BY id")
                .query { s in (0..<6).map { s.optionalText(at: $0) ?? "NULL" } }
            // The 'staff' CHECK of version 4 is what the migration replaces.
            #expect(throws: SQLiteError.self) {
                try db.execute("INSERT INTO messages (ticket_id, author_role, body, sent_at) VALUES (1, 'agent', 'x', 0)")
            }
            try db.execute("INSERT INTO applied_commands (command_id, applied_at, reply) VALUES ('old', 0, ?)",
                           [.blob(StoredReplyVersionTests.version1(CommandReply(commandID: CommandID("old"), message: Message(
                               id: MessageID(2), ticketID: TicketID(1), authorRole: .agent, authorName: "Name 1", body: "body 1",
                               sentAt: Timestamp(millisecondsSinceEpoch: t0 + 5)))))])
        }

        let clock = TestClock(Timestamp(millisecondsSinceEpoch: t0 + 60_000))
        let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: clock)
        let db = try Connection(path: path, mode: .readOnly)
        #expect(try db.userVersion() == TicketSchema.migrations.last?.version)
        let messagesAfter = try db.prepare("SELECT id, ticket_id, author_role, author_name, body, sent_at FROM messages ORDER BY id")
            .query { s in (0..<6).map { s.optionalText(at: $0) ?? "NULL" } }
        #expect(messagesAfter == messagesBefore.map { row in
            var r = row
            r[2] = row[2] == "user" ? "customer" : "agent"
            return r
        })
        #expect(try db.prepare("SELECT count(*) FROM tickets WHERE customer_id IS NULL AND assignee_id IS NULL").queryFirst { $0.int64(at: 0) } == 3)
        #expect(try db.prepare("PRAGMA foreign_key_check").query { $0.text(at: 0) }.isEmpty)
        #expect(try db.prepare("PRAGMA integrity_check").query { $0.text(at: 0) } == ["ok"])
        let indexes = Set(try db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").query { $0.text(at: 0) })
        #expect(indexes.isSuperset(of: ["messages_by_ticket", "tickets_by_customer", "tickets_by_assignee", "users_by_role", "sessions_by_user"]))

        // Everything reads as before, with the new role names.
        let reader = try TicketReader(path: path)
        let detail = try #require(try await reader.detail(TicketID(1)))
        #expect(detail.messages.map(\.authorRole) == [.customer, .agent, .customer])
        #expect(detail.ticket.customerID == nil && detail.ticket.assigneeID == nil)
        #expect(try await reader.counts() == [.open: 2, .active: 0, .closed: 1])
        #expect(try await reader.list(TicketFilter(text: "door")).tickets.map(\.id) == [TicketID(2)])
        // The old reply still answers, and new writes go on from the old ids.
        let again = try await store.apply([Command(id: CommandID("old"), role: .agent, action: .postMessage(PostMessage(ticketID: TicketID(1), body: "x")))])[0]
        #expect(again.message?.id == MessageID(2) && again.message?.authorRole == .agent)
        let posted = try await store.apply([Command(role: .agent, action: .postMessage(PostMessage(ticketID: TicketID(1), body: "new")))])[0]
        #expect(posted.message?.id == MessageID(6) && posted.message?.authorRole == .agent)
        #expect(throws: SQLiteError.self) {
            try Connection(path: path).execute("INSERT INTO messages (ticket_id, author_role, body, sent_at) VALUES (1, 'staff', 'x', 0)")
        }
    }
}
