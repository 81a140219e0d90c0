import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Migration 7 (issue types) on a database left at version 6 with tickets, messages, an audit row,
/// an account and a stored reply in it.
@Suite struct MigrationSevenTests {
    /// Every row of the tables that existed at version 6, as text (`tickets` without the new column).
    static func rows(_ db: Connection) throws -> [String] {
        var out: [String] = []
        let tickets = "id, description, location, reporter, category, category_source, category_confidence, status, opened_at, modified_at, closed_at, "
            + "search_indexed, customer_id, assignee_id, severity, severity_source, impact, priority, priority_source, contact_email, contact_phone, "
            + "preferred_contact_time, suggestion"
        for (table, columns) in [("tickets", tickets), ("messages", "*"), ("ticket_history", "id, ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value"), ("users", "*"),
                                 ("events", "seq, ticket_id, type, occurred_at, before_category, before_status, before_opened_at, before_closed_at, after_category, after_status, after_opened_at, after_closed_at"),
                                 ("applied_commands", "command_id, applied_at, hex(reply)"), ("status_counts", "*")] {
            out += try db.prepare("SELECT \(columns) FROM \(table) ORDER BY 1").query([]) { s in
                table + ":" + (0..<Int32(s.columnCount)).map { s.optionalText(at: $0) ?? "NULL" }.joined(separator: "|")
            }
        }
        return out
    }

    @Test("a version 6 database keeps every row; issue types are seeded; old tickets have none; old replies still answer")
    func migration7_KeepsDataAndSeedsIssueTypes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        let clock = TestClock()
        // Version 6 with real data, written by the store of that version's commands.
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(TicketSchema.migrations.prefix(6)))
            #expect(try db.userVersion() == 6)
            let t0 = clock.now().millisecondsSinceEpoch
            try db.execute("""
                INSERT INTO users (id, name, email, role, password_hash, created_at) VALUES (1, 'Ada', 'ada@example.org', 'agent', 'x', ?)
                """, [.integer(t0)])
            for (i, (text, category, source)) in [("wifi down in the library", "it", "auto"), ("door stuck in hall B", "facility", "staff"),
                                                  ("canteen closed early", "services", "auto")].enumerated() {
                try db.execute("""
                    INSERT INTO tickets (description, location, category, category_source, category_confidence, status, opened_at, modified_at,
                                         severity, severity_source, impact, priority, priority_source, contact_phone)
                    VALUES (?, 'B1', ?, ?, ?, 'open', ?, ?, 'high', 'staff', 'several', 'P2', 'auto', '+49 30 1')
                    """, [.text(text), .text(category), .text(source), source == "auto" ? .real(0.75) : .null, .integer(t0 + Int64(i)), .integer(t0 + 10)])
            }
            try db.execute("INSERT INTO messages (ticket_id, author_role, author_name, body, sent_at) VALUES (1, 'agent', 'Ada', 'on it', ?)", [.integer(t0 + 5)])
            try db.execute("""
                INSERT INTO events (ticket_id, type, occurred_at, before_category, before_status, before_opened_at, after_category, after_status, after_opened_at)
                VALUES (2, 'ticket_categorised', ?, 'it', 'open', ?, 'facility', 'open', ?)
                """, [.integer(t0 + 10), .integer(t0 + 1), .integer(t0 + 1)])
            try db.execute("""
                INSERT INTO ticket_history (ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value)
                VALUES (2, 1, ?, 1, 'agent', 'Ada', 'web', 'category', 'it', 'facility')
                """, [.integer(t0 + 10)])
            // A reply written by version 6's store (StoredReply version 3).
            let reply = CommandReply(commandID: CommandID("old"), ticket: Ticket(
                id: TicketID(2), description: "door stuck in hall B", location: "B1", reporter: nil, category: .facility, categorySource: .staff,
                categoryConfidence: nil, status: .open, openedAt: Timestamp(millisecondsSinceEpoch: t0 + 1),
                modifiedAt: Timestamp(millisecondsSinceEpoch: t0 + 10), closedAt: nil))
            try db.execute("INSERT INTO applied_commands (command_id, applied_at, reply) VALUES ('old', ?, ?)",
                           [.integer(t0 + 10), .blob(StoredReplyVersionTests.version3(reply))])
        }
        let before = try Self.rows(Connection(path: path, mode: .readOnly))
        #expect(before.count == 11, "3 tickets, a message, an audit row, an account, an event, a reply, 3 status counts")

        let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: clock)
        let db = try Connection(path: path, mode: .readOnly)
        #expect(try db.userVersion() == TicketSchema.migrations.last?.version)
        #expect(try Self.rows(db) == before)
        #expect(try db.prepare("SELECT count(*) FROM tickets WHERE issue_type_id IS NULL").queryFirst { $0.int64(at: 0) } == 3)
        // Migration 12: tickets opened before the SLA timers have none (docs/sla.md).
        #expect(try db.prepare("SELECT count(*) FROM tickets WHERE sla_version IS NULL").queryFirst { $0.int64(at: 0) } == 3)
        #expect(try db.prepare("PRAGMA foreign_key_check").query { $0.text(at: 0) }.isEmpty)
        #expect(try db.prepare("PRAGMA integrity_check").query { $0.text(at: 0) } == ["ok"])

        // The starter list: seven, six and six, in the order offered, with fixed ids.
        let reader = try TicketReader(path: path)
        let types = try await reader.issueTypes()
        #expect(Dictionary(grouping: types, by: \.category).mapValues(\.count) == [.facility: 7, .it: 6, .services: 6])
        #expect(types.map(\.id.rawValue) == Array(1...19))
        #expect(types.first?.name == "Elevator / lift" && types.last?.name == "Other service complaint")
        #expect(types.allSatisfy { $0.retiredAt == nil })

        // Old tickets read as before: no issue type, their category and source unchanged.
        let old = try #require(try await reader.detail(TicketID(2))).ticket
        #expect(old.issueTypeID == nil && old.issueTypeName == nil && old.category == .facility && old.categorySource == .staff)
        #expect(try await reader.detail(TicketID(1))?.ticket.categorySource == .auto)
        #expect(try await reader.history(TicketID(2)).map(\.field) == [.category])
        // The old reply answers its command id, unchanged; new tickets take a type.
        let again = try await store.apply([Command(id: CommandID("old"), role: .agent, action: .setCategory(SetCategory(ticketID: TicketID(2), category: .it)))])[0]
        #expect(again.ticket?.category == .facility && again.ticket?.issueTypeID == nil)
        let typed = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "paper jam", issueTypeID: IssueTypeID(10))))])[0]
        #expect(typed.ticket?.id == TicketID(4) && typed.ticket?.issueTypeName == "Printing" && typed.ticket?.category == .it)
    }
}
