import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `assign_ticket` and the ticket's people: the reporter's account on create, the assigned engineer.
@Suite struct StoreAssignmentTests {
    struct People {
        let ana: User, agent: User, manager: User, e1: User, e2: User
    }

    func people(_ f: StoreFixture) async throws -> People {
        People(ana: try await f.account("Ana", .customer), agent: try await f.account("Agnes", .agent),
               manager: try await f.account("Max", .manager), e1: try await f.account("Eli", .engineer),
               e2: try await f.account("Eva", .engineer))
    }

    @Test("create_ticket records the reporting account; open-mode and imported tickets have none")
    func create_RecordsTheCustomer() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let t = try await f.ticket(by: p.ana.actor)
        #expect(t.customerID == p.ana.id && t.assigneeID == nil)
        #expect(try await TicketReader(path: f.path).detail(t.id)?.ticket == t)
        let imported = try #require(try await f.run(p.agent.actor, .importTicket(ImportTicket(description: "Old", status: .open, openedAt: f.clock.now()))).ticket)
        #expect(imported.customerID == nil)
    }

    @Test("an agent assigns an unassigned ticket to an engineer: modified_at moves, a ticket_assigned event whose facts differ only in the assignee")
    func assign_ByAgent() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let t = try await f.ticket(by: p.ana.actor)
        f.clock.advance(by: .seconds(30))
        let reply = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e1.id)))
        let assigned = try #require(reply.ticket)
        var expected = t
        expected.assigneeID = p.e1.id
        expected.modifiedAt = f.clock.now()
        #expect(assigned == expected)
        #expect(try await TicketReader(path: f.path).detail(t.id)?.ticket == expected)
        let event = try #require(try await f.store.events(from: SequenceNumber(2), limit: 5).first)
        #expect(event.type == .ticketAssigned && event.ticketID == t.id && event.before == t.facts && event.after == expected.facts)
        var unassigned = event.after
        unassigned.assigneeID = nil
        #expect(event.after.assigneeID == p.e1.id && unassigned == event.before)
        // The same engineer again: nothing changes, no event.
        #expect(try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e1.id))).ticket == expected)
        #expect(try await f.store.lastSequence == SequenceNumber(2))
    }

    @Test("moving a ticket between engineers is a manager's reassign; an agent may only take the assignment back")
    func reassign_ManagerOnly() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let t = try await f.ticket(by: p.ana.actor)
        _ = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e1.id)))
        let before = try f.accountSnapshot()
        let moved = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e2.id)))
        #expect(moved.refusal == Refusal(.forbidden, "An agent may not reassign ticket.", field: "assignee_id"))
        #expect(try f.accountSnapshot() == before)
        #expect(try await f.run(p.manager.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e2.id))).ticket?.assigneeID == p.e2.id)
        let back = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: nil)))
        #expect(back.isApplied && back.ticket?.assigneeID == nil)
        #expect(try f.scalar("SELECT count(*) FROM tickets WHERE assignee_id IS NULL") == 1)
        #expect(try await f.store.events(from: SequenceNumber(1), limit: 9).map(\.type) == [.ticketOpened, .ticketAssigned, .ticketAssigned, .ticketAssigned])
    }

    @Test("the assignee must be an active engineer account", arguments: ["customer", "agent", "manager", "admin", "inactive", "unknown"])
    func assign_RefusesWhoIsNotAnActiveEngineer(_ who: String) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let t = try await f.ticket(by: p.ana.actor)
        let target: UserID
        switch who {
        case "inactive":
            _ = try await f.operatorUpdates(p.e2, active: false)
            target = p.e2.id
        case "unknown":
            target = UserID(404)
        default:
            target = try await f.account("Target", try #require(Role(rawValue: who))).id
        }
        let before = try f.accountSnapshot()
        let reply = try await f.run(p.manager.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: target)))
        #expect(reply.refusal?.code == .validation && reply.refusal?.field == "assignee_id", "\(who)")
        #expect(!(reply.refusal?.reason.isEmpty ?? true))
        #expect(try f.accountSnapshot() == before)
    }

    @Test("a closed ticket cannot be assigned or unassigned; an unknown one is not found")
    func assign_ClosedOrMissing() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let t = try await f.ticket(by: p.ana.actor)
        _ = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e1.id)))
        for status in [Status.active, .closed] { _ = try await f.run(p.agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: status))) }
        let before = try f.accountSnapshot()
        #expect(try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: nil))).refusal?.code == .readOnly)
        #expect(try await f.run(p.manager.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: p.e2.id))).refusal?.code == .readOnly)
        #expect(try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: TicketID(999), assigneeID: p.e1.id))).refusal?.code == .notFound)
        #expect(try f.accountSnapshot() == before)
    }

    @Test("an engineer works the tickets assigned to them and reads the rest")
    func engineer_WorksAssignedTickets() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let p = try await people(f)
        let mine = try await f.ticket(by: p.ana.actor, "Wifi down")
        let theirs = try await f.ticket(by: p.ana.actor, "Printer jam")
        _ = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: mine.id, assigneeID: p.e1.id)))
        _ = try await f.run(p.agent.actor, .assignTicket(AssignTicket(ticketID: theirs.id, assigneeID: p.e2.id)))
        #expect(try await f.run(p.e1.actor, .changeStatus(ChangeStatus(ticketID: mine.id, status: .active))).isApplied)
        #expect(try await f.run(p.e1.actor, .postMessage(PostMessage(ticketID: mine.id, body: "on my way"))).message?.authorRole == .engineer)
        #expect(try await f.run(p.e1.actor, .changeStatus(ChangeStatus(ticketID: theirs.id, status: .active))).refusal
                == Refusal(.forbidden, "An engineer may change status only on tickets assigned to them.", field: "status"))
        #expect(try await f.run(p.e1.actor, .assignTicket(AssignTicket(ticketID: theirs.id, assigneeID: p.e1.id))).refusal?.code == .forbidden)
    }
}
