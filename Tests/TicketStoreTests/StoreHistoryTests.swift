import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The audit trail (migration 6, docs/tickets.md "History"): every change to a ticket's fields is
/// recorded in its transaction — who, when, which field, old and new value, through what — and the
/// rows can be neither updated nor deleted.
@Suite struct StoreHistoryTests {
    private func command(_ actor: Actor, _ action: CommandAction, _ channel: Channel?, name: String? = nil) -> Command {
        Command(actor: actor, action: action, channel: channel, actorName: name)
    }

    @Test("each audited field and each channel writes one row with who, when, old and new value")
    func everyFieldAndChannel() async throws {
        let f = try StoreFixture(authMode: .open)
        defer { f.dir.remove() }
        let eng = try await f.account("Eve", .engineer)
        let agent = Actor(role: .agent)
        let t = try await f.ticket(by: Actor(role: .customer), "The door of hall B is stuck")
        #expect(try await f.store.history(t.id).isEmpty, "reporting writes no history: the ticket is its first state")
        let steps: [(Command, AuditField, String?, String?)] = [
            (command(Actor(role: .customer), .editTicket(EditTicket(ticketID: t.id, description: "The lift of hall B is stuck")), .web, name: "Sam"),
             .description, "The door of hall B is stuck", "The lift of hall B is stuck"),
            (command(Actor(role: .customer), .editTicket(EditTicket(ticketID: t.id, location: "Hall B")), .api), .location, nil, "Hall B"),
            (command(Actor(role: .customer), .editTicket(EditTicket(ticketID: t.id, reporter: "Sam")), .web), .reporter, nil, "Sam"),
            (command(agent, .setCategory(SetCategory(ticketID: t.id, category: .it)), .api, name: "Ana"), .category, "facility", "it"),
            (command(agent, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: eng.id)), .web, name: "Ana"), .assignee, nil, String(eng.id.rawValue)),
            (command(eng.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)), .sla), .status, "open", "active"),
            (command(Actor(role: .admin), .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)), .cli), .status, "active", "closed"),
        ]
        for (i, (c, field, old, new)) in steps.enumerated() {
            f.clock.advance(by: .seconds(60))
            let reply = try await f.store.apply([c])[0]
            #expect(reply.refusal == nil, "step \(i): \(String(describing: reply.refusal))")
            let last = try #require(try await f.store.history(t.id).last)
            #expect(last.field == field && last.oldValue == old && last.newValue == new, "step \(i): \(last)")
            #expect(last.channel == c.channel, "step \(i)")
            #expect(last.actorRole == (c.userID == nil ? c.role : .engineer), "step \(i)")
            #expect(last.changedAt == f.clock.now(), "step \(i)")
        }
        let trail = try await f.store.history(t.id)
        #expect(trail.count == steps.count)
        // An account is named by its stored name, whatever the command says; a visitor by the name given.
        #expect(trail[5].actorID == eng.id && trail[5].actorName == "Eve")
        #expect(trail[0].actorID == nil && trail[0].actorName == "Sam")
        #expect(trail[6].actorName == nil)
    }

    @Test("a new description refiled by the classifier records both the description and the category")
    func refiledDescription() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create("The door of hall B is stuck")
        _ = try await f.store.apply([command(Actor(role: .customer), .editTicket(EditTicket(ticketID: t.id, description: "wifi is down in hall B")), .web)])
        let fields = try await f.store.history(t.id).map(\.field)
        #expect(fields == [.category, .description])
    }

    @Test("refused, unchanged and repeated commands write no rows")
    func nothingForNothing() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        // Refused: a customer may not set a category.
        #expect(try await f.store.apply([command(Actor(role: .customer), .setCategory(SetCategory(ticketID: t.id, category: .it)), .web)])[0].refusal != nil)
        // Unchanged: the same status again is refused as a non-step; the same category by hand twice is one row.
        let id = CommandID("same-command")
        let set = Command(id: id, role: .agent, action: .setCategory(SetCategory(ticketID: t.id, category: .services)), channel: .web)
        _ = try await f.store.apply([set])
        _ = try await f.store.apply([set])   // delivered twice: the stored reply, no second row
        _ = try await f.store.apply([command(Actor(role: .agent), .setCategory(SetCategory(ticketID: t.id, category: .services)), .web)])
        let trail = try await f.store.history(t.id)
        #expect(trail.count == (t.category == .services ? 0 : 1), "\(trail)")
        #expect(try f.scalar("SELECT count(*) FROM ticket_history") == Int64(trail.count))
    }

    @Test("the rows cannot be updated or deleted, not even by the writer's own connection")
    func appendOnly() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        _ = try await f.store.apply([command(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: t.id, status: .active)), .web)])
        let db = try Connection(path: f.path)
        #expect(throws: SQLiteError.self) { try db.execute("UPDATE ticket_history SET new_value = 'closed'") }
        #expect(throws: SQLiteError.self) { try db.execute("DELETE FROM ticket_history") }
        #expect(try f.scalar("SELECT count(*) FROM ticket_history") == 1)
        #expect(try f.scalar("SELECT count(*) FROM ticket_history WHERE new_value = 'active'") == 1)
    }

    @Test("change events carry the audit rows of their change, in the outbox and in a replay")
    func eventsCarryRows() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        _ = try await f.store.apply([command(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: t.id, status: .active)), .api, name: "Ana")])
        _ = try await f.store.apply([command(Actor(role: .agent), .postMessage(PostMessage(ticketID: t.id, body: "on it")), .api)])
        let events = try await f.store.unpublishedEvents(limit: 10)
        #expect(events.map(\.type) == [.ticketOpened, .statusChanged, .messagePosted])
        #expect(events[0].changes == nil && events[2].changes == nil)
        let row = try #require(events[1].changes?.first)
        #expect(events[1].changes?.count == 1)
        #expect(row.field == .status && row.oldValue == "open" && row.newValue == "active" && row.channel == .api && row.actorName == "Ana")
        let replayed = try await f.store.events(from: events[1].seq, limit: 1)
        #expect(replayed.first?.changes == events[1].changes)
        // And in JSON, as subscribers read them.
        let json = String(decoding: try JSONEncoder().encode(events[1]), as: UTF8.self)
        #expect(json.contains("\"changes\":[{") && json.contains("\"field\":\"status\""))
        #expect(try JSONDecoder().decode(ChangeEvent.self, from: Data(json.utf8)) == events[1])
    }

    @Test("migration 6 keeps a version 5 database's tickets and starts their trail empty")
    func migrationSix() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(TicketSchema.migrations.prefix(5)))
            try db.execute("""
                INSERT INTO tickets (description, category, category_source, status, opened_at, modified_at) VALUES ('wifi down', 'it', 'auto', 'open', 1, 1)
                """)
        }
        let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
        let db = try Connection(path: path, mode: .readOnly)
        #expect(try db.userVersion() == TicketSchema.migrations.last?.version)
        #expect(try db.prepare("SELECT description FROM tickets").queryFirst { $0.text(at: 0) } == "wifi down")
        #expect(try await store.history(TicketID(1)).isEmpty)
        _ = try await store.apply([Command(role: .agent, action: .changeStatus(ChangeStatus(ticketID: TicketID(1), status: .active)), channel: .web)])
        #expect(try await store.history(TicketID(1)).map(\.newValue) == ["active"])
    }
}
