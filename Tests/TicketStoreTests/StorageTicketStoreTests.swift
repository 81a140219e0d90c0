import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

@Suite struct StorageTicketStoreTests {
    // MARK: - Create

    @Test func create_StoresAnOpenClassifiedTicketAndItsEvent() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let reply = try await f.run(.customer, .createTicket(CreateTicket(description: "  The wifi in the library is down ", location: " ", reporter: "Ana")))
        let ticket = try #require(reply.ticket)
        #expect(reply.refusal == nil)
        #expect(ticket.description == "The wifi in the library is down")
        #expect(ticket.location == nil && ticket.reporter == "Ana")
        #expect(ticket.category == .it && ticket.categorySource == .auto && ticket.categoryConfidence == 0.9)
        #expect(ticket.status == .open && ticket.closedAt == nil && ticket.openedAt == f.clock.now() && ticket.modifiedAt == ticket.openedAt)
        let detail = try await TicketReader(path: f.path).detail(ticket.id)
        #expect(detail?.ticket == ticket)
        let events = try await f.store.events(from: SequenceNumber(1), limit: 10)
        #expect(events == [ChangeEvent(seq: SequenceNumber(1), type: .ticketOpened, ticketID: ticket.id, occurredAt: ticket.openedAt, before: nil, after: ticket.facts)])
        #expect(try f.scalar("SELECT count(*) FROM applied_commands") == 1)
    }

    @Test(arguments: [
        ("blank description", CreateTicket(description: " \n "), "description"),
        ("description over 5000", CreateTicket(description: String(repeating: "d", count: 5_001)), "description"),
        ("location over 200", CreateTicket(description: "ok", location: String(repeating: "l", count: 201)), "location"),
        ("reporter over 200", CreateTicket(description: "ok", reporter: String(repeating: "r", count: 201)), "reporter"),
    ])
    func create_RefusesInvalidTextWithoutWriting(_ name: String, _ create: CreateTicket, _ field: String) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.create()
        let before = try f.snapshot()
        let reply = try await f.run(.customer, .createTicket(create))
        #expect(reply.ticket == nil)
        #expect(reply.refusal?.code == .validation, "\(name)")
        #expect(reply.refusal?.field == field, "\(name)")
        #expect(try f.snapshot() == before, "\(name) left a partial write")
        #expect(try f.scalar("SELECT count(*) FROM applied_commands") == 2)
    }

    // MARK: - Status

    @Test func status_MovesOpenActiveClosedAndSetsClosedAtOnlyWhenClosed() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.advance(by: .seconds(60))
        let active = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active))).ticket)
        #expect(active.status == .active && active.closedAt == nil && active.modifiedAt == f.clock.now())
        f.clock.advance(by: .seconds(60))
        let closed = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed))).ticket)
        #expect(closed.status == .closed && closed.closedAt == f.clock.now() && closed.modifiedAt == f.clock.now())
        let events = try await f.store.events(from: SequenceNumber(2), limit: 10)
        #expect(events.map(\.type) == [.statusChanged, .statusChanged])
        #expect(events.map(\.before?.status) == [.open, .active])
        #expect(events.map(\.after.status) == [.active, .closed])
        #expect(events.last?.after.closedAt == closed.closedAt)
        #expect(try f.scalar("SELECT count(*) FROM tickets WHERE status = 'closed' AND closed_at IS NOT NULL") == 1)
    }

    @Test(arguments: [
        ([], Status.active, Role.customer, RefusalCode.forbidden),
        ([], .closed, .agent, .invalidTransition),
        ([], .open, .agent, .invalidTransition),
        ([.active], .active, .agent, .invalidTransition),
        ([.active], .open, .agent, .invalidTransition),
        ([.active], .closed, .customer, .forbidden),
        // Reopening (helpdesk staff on the campus desk) needs a reason.
        ([.active, .closed], .active, .agent, .invalidTransition),
        ([.active, .closed], .open, .agent, .invalidTransition),
    ] as [([Status], Status, Role, RefusalCode)])
    func status_RefusesWrongStepsAndUsersWithoutWriting(path: [Status], target: Status, role: Role, code: RefusalCode) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        for s in path { _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: s))) }
        let before = try f.snapshot()
        let reply = try await f.run(role, .changeStatus(ChangeStatus(ticketID: t.id, status: target)))
        #expect(reply.refusal?.code == code)
        #expect(reply.refusal?.field == (path.last == .closed && target == .active ? "reason" : "status"))
        #expect(try f.snapshot() == before)
    }

    @Test func unknownTicket_IsNotFoundForEveryAction() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.create()
        let before = try f.snapshot()
        let missing = TicketID(999)
        for action: CommandAction in [
            .changeStatus(ChangeStatus(ticketID: missing, status: .active)), .editTicket(EditTicket(ticketID: missing, description: "x")),
            .postMessage(PostMessage(ticketID: missing, body: "x")), .setCategory(SetCategory(ticketID: missing, category: .it)),
        ] {
            let reply = try await f.run(.agent, action)
            #expect(reply.refusal?.code == .notFound, "\(action.type)")
        }
        #expect(try f.snapshot() == before)
    }

    // MARK: - Edit and category

    @Test func edit_ReclassifiesAutoCategoryAndClearsEmptyFields() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.run(.customer, .createTicket(CreateTicket(description: "Door stuck", location: "B1", reporter: "Li"))).ticket
        let id = try #require(t?.id)
        f.clock.advance(by: .seconds(5))
        let edited = try #require(try await f.run(.customer, .editTicket(EditTicket(ticketID: id, description: "Printer jammed", location: ""))).ticket)
        #expect(edited.description == "Printer jammed" && edited.location == nil && edited.reporter == "Li")
        #expect(edited.category == .it && edited.categorySource == .auto && edited.modifiedAt == f.clock.now())
        let event = try #require(try await f.store.events(from: SequenceNumber(2), limit: 1).first)
        #expect(event.type == .ticketEdited && event.before?.category == .facility && event.after.category == .it)
        // The full-text index follows the edit.
        let reader = try TicketReader(path: f.path)
        #expect(try await reader.list(TicketFilter(text: "printer")).tickets.map(\.id) == [id])
        #expect(try await reader.list(TicketFilter(text: "door")).tickets.isEmpty)
    }

    @Test func setCategory_IsStaffOnlyAndStaysThroughEdits() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create("Door stuck")
        let before = try f.snapshot()
        #expect(try await f.run(.customer, .setCategory(SetCategory(ticketID: t.id, category: .services))).refusal?.code == .forbidden)
        #expect(try f.snapshot() == before)
        let set = try #require(try await f.run(.agent, .setCategory(SetCategory(ticketID: t.id, category: .services))).ticket)
        #expect(set.category == .services && set.categorySource == .staff && set.categoryConfidence == nil)
        let edited = try #require(try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id, description: "wifi gone"))).ticket)
        #expect(edited.category == .services && edited.categorySource == .staff)
        #expect(try await f.store.events(from: SequenceNumber(2), limit: 5).map(\.type) == [.ticketCategorised, .ticketEdited])
    }

    @Test func edit_OfClosedTicketIsReadOnlyAndEmptyEditIsInvalid() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        #expect(try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id))).refusal?.code == .validation)
        #expect(try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id, description: " "))).refusal?.field == "description")
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        let before = try f.snapshot()
        for role in Role.openModeRoles {
            #expect(try await f.run(role, .editTicket(EditTicket(ticketID: t.id, description: "new"))).refusal?.code == .readOnly)
        }
        #expect(try f.snapshot() == before)
    }

    // MARK: - Messages

    @Test func messages_FollowRoleAndStatusAndMoveModifiedAt() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.advance(by: .seconds(10))
        let r1 = try await f.run(.customer, .postMessage(PostMessage(ticketID: t.id, body: " still broken ", authorName: "Ana")))
        #expect(r1.message?.body == "still broken" && r1.message?.authorRole == .customer && r1.ticket?.modifiedAt == f.clock.now())
        #expect(try await f.run(.customer, .postMessage(PostMessage(ticketID: t.id, body: ""))).refusal?.field == "body")
        #expect(try await f.run(.customer, .postMessage(PostMessage(ticketID: t.id, body: String(repeating: "m", count: 5_001)))).refusal?.code == .validation)
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        let before = try f.snapshot()
        #expect(try await f.run(.customer, .postMessage(PostMessage(ticketID: t.id, body: "hello?"))).refusal?.code == .readOnly)
        #expect(try f.snapshot() == before)
        f.clock.advance(by: .seconds(10))
        let r2 = try await f.run(.agent, .postMessage(PostMessage(ticketID: t.id, body: "fixed")))
        #expect(r2.message?.authorRole == .agent && r2.ticket?.status == .closed)
        let detail = try #require(try await TicketReader(path: f.path).detail(t.id))
        #expect(detail.messages.map(\.body) == ["still broken", "fixed"])
        #expect(detail.ticket.modifiedAt == f.clock.now())
    }

    // MARK: - Import

    @Test func import_StoresHistoryWithMessagesAndClassifiesMissingCategory() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let opened = f.clock.now().adding(milliseconds: -86_400_000)
        let closed = opened.adding(milliseconds: 3_600_000)
        let r = try await f.run(.agent, .importTicket(ImportTicket(
            description: "Canteen closed early", status: .closed, openedAt: opened, closedAt: closed,
            messages: [ImportedMessage(authorRole: .customer, body: "why?", sentAt: opened.adding(milliseconds: 1000)),
                       ImportedMessage(authorRole: .agent, body: "staff shortage", sentAt: closed)])))
        let t = try #require(r.ticket)
        #expect(t.category == .services && t.categorySource == .auto && t.status == .closed && t.closedAt == closed && t.modifiedAt == closed)
        let given = try #require(try await f.run(.agent, .importTicket(ImportTicket(description: "x", category: .it, status: .open, openedAt: opened))).ticket)
        #expect(given.category == .it && given.categorySource == .staff && given.categoryConfidence == nil)
        #expect(try await TicketReader(path: f.path).detail(t.id)?.messages.map(\.authorRole) == [.customer, .agent])
        #expect(try await f.store.events(from: SequenceNumber(1), limit: 5).map(\.type) == [.ticketImported, .ticketImported])
        let before = try f.snapshot()
        #expect(try await f.run(.customer, .importTicket(ImportTicket(description: "x", status: .open, openedAt: opened))).refusal?.code == .forbidden)
        #expect(try await f.run(.agent, .importTicket(ImportTicket(description: "x", status: .closed, openedAt: opened))).refusal?.code == .validation)
        #expect(try await f.run(.agent, .importTicket(ImportTicket(description: "x", status: .open, openedAt: f.clock.now().adding(milliseconds: 1)))).refusal?.field == "opened_at")
        #expect(try f.snapshot() == before)
    }

    // MARK: - Idempotency, batches, outbox

    @Test func sameCommandIDTwice_ReturnsTheStoredReplyAndChangesNothing() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let id = CommandID("cmd-1")
        let create = Command(id: id, role: .customer, action: .createTicket(CreateTicket(description: "Lift stuck")))
        let first = try await f.store.apply([create])
        f.clock.advance(by: .seconds(30))
        let again = try await f.store.apply([create])
        let inOneBatch = try await f.store.apply([create, create])
        #expect(again == first && inOneBatch == first + first)
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 1)
        #expect(try f.scalar("SELECT count(*) FROM events") == 1)
        #expect(try f.scalar("SELECT count(*) FROM applied_commands") == 1)
        // A refusal is remembered too: the same id gets the same refusal even after the ticket changed.
        let t = try #require(first[0].ticket)
        let close = Command(id: CommandID("cmd-2"), role: .agent, action: .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        let refused = try await f.store.apply([close])
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        #expect(try await f.store.apply([close]) == refused)
        #expect(try f.scalar("SELECT count(*) FROM tickets WHERE status = 'active'") == 1)
    }

    @Test func batchWithFailingMiddleCommand_AppliesTheOthers() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let replies = try await f.store.apply([
            Command(role: .customer, action: .createTicket(CreateTicket(description: "one"))),
            Command(role: .customer, action: .createTicket(CreateTicket(description: "   "))),
            Command(role: .customer, action: .createTicket(CreateTicket(description: "three"))),
        ])
        #expect(replies.map(\.isApplied) == [true, false, true])
        #expect(replies.compactMap(\.ticket?.id.rawValue) == [1, 2])
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 2)
        #expect(try f.scalar("SELECT count(*) FROM applied_commands") == 3)
        #expect(try await f.store.events(from: .zero, limit: 10).map(\.seq.rawValue) == [1, 2])
    }

    @Test func outbox_SequenceIsConsecutiveAndPublishingMovesOnlyForward() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        var commands: [Command] = []
        for i in 0..<20 { commands.append(Command(role: .customer, action: .createTicket(CreateTicket(description: i % 5 == 0 ? "" : "ticket \(i)")))) }
        _ = try await f.store.apply(Array(commands[0..<10]))
        _ = try await f.store.apply(Array(commands[10...]))
        let all = try await f.store.events(from: .zero, limit: 100)
        #expect(all.map(\.seq.rawValue) == Array(1...16))
        #expect(try await f.store.lastSequence == SequenceNumber(16))
        #expect(try await f.store.unpublishedEvents(limit: 5).map(\.seq.rawValue) == [1, 2, 3, 4, 5])
        try await f.store.markPublished(through: SequenceNumber(5))
        try await f.store.markPublished(through: SequenceNumber(3))
        #expect(try await f.store.publishedThrough == SequenceNumber(5))
        #expect(try await f.store.unpublishedEvents(limit: 100).map(\.seq.rawValue) == Array(6...16))
        #expect(try await f.store.events(from: SequenceNumber(15), limit: 100).map(\.seq.rawValue) == [15, 16])
        #expect(try await f.store.events(from: SequenceNumber(3), limit: 2).map(\.seq.rawValue) == [3, 4])
        try await f.store.markPublished(through: SequenceNumber(1_000))
        #expect(try await f.store.publishedThrough == SequenceNumber(16))
        #expect(try await f.store.unpublishedEvents(limit: 10).isEmpty)
    }

    @Test func reopen_KeepsDataAndDoesNotMigrateAgain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
            _ = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "kept")))])
        }
        let store = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
        #expect(try await store.lastSequence == SequenceNumber(1))
        #expect(try Connection(path: path, mode: .readOnly).userVersion() == TicketSchema.migrations.last?.version)
        #expect(try await TicketReader(path: path).counts() == [.open: 1, .active: 0, .closed: 0])
    }
}
