import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `import_ticket` with triage, an assignee and contact: stored as staff's, checked by the rules of
/// a report and of assignment, and refused without a trace when wrong.
@Suite struct StoreImportTriageTests {
    static let opened = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static func importing(_ change: (inout ImportTicket) -> Void) -> CommandAction {
        var t = ImportTicket(description: "Heating off in hall B", status: .open, openedAt: opened)
        change(&t)
        return .importTicket(t)
    }

    @Test("imported severity is staff's; a priority the matrix gives follows it, any other is pinned; contact in canonical form")
    func import_StoresTriageAssigneeAndContact() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let eli = try await f.account("Eli", .engineer)
        let matrix = try #require(try await f.run(.admin, Self.importing {
            ($0.severity, $0.impact, $0.priority, $0.assigneeID) = (.high, .many, .p1, eli.id)
            ($0.contactEmail, $0.contactPhone, $0.preferredContactTime) = (" Eli@Example.org ", "+41 44 000 00 00", "Mon-Fri 9:00 to 12:00")
        }).ticket)
        #expect((matrix.severity, matrix.severitySource, matrix.impact) == (.high, .staff, .many))
        #expect((matrix.priority, matrix.prioritySource, matrix.assigneeID) == (.p1, .auto, eli.id))
        #expect((matrix.contactEmail, matrix.contactPhone, matrix.preferredContactTime) == ("eli@example.org", "+41 44 000 00 00", "weekdays 09:00-12:00"))

        let pinned = try #require(try await f.run(.admin, Self.importing { ($0.severity, $0.priority) = (.low, .p2) }).ticket)
        #expect((pinned.severity, pinned.impact, pinned.priority, pinned.prioritySource) == (.low, .one, .p2, .staff))
        let derived = try #require(try await f.run(.admin, Self.importing { ($0.severity, $0.impact) = (.critical, .several) }).ticket)
        #expect((derived.priority, derived.prioritySource) == (.p1, .auto))
        let bare = try #require(try await f.run(.admin, Self.importing { $0.priority = .p4 }).ticket)
        #expect((bare.severity, bare.priority, bare.prioritySource) == (nil, .p4, .staff))
        let none = try #require(try await f.run(.admin, Self.importing { _ in }).ticket)
        #expect(none.severity == nil && none.priority == nil && none.impact == .one && none.assigneeID == nil)

        // What the reply said is what a reader reads, and an auto priority keeps following the matrix.
        let reader = try TicketReader(path: f.path)
        #expect(try await reader.detail(matrix.id)?.ticket == matrix)
        let agent = try await f.account("Ann", .agent)
        let moved = try #require(try await f.run(agent.actor, .setTriage(SetTriage(ticketID: matrix.id, impact: .one))).ticket)
        #expect(moved.priority == .p3)
    }

    @Test("a deactivated engineer may be the assignee of history; an unknown account or another role may not", arguments: [0, 1, 2, 3])
    func import_AssigneeRules(_ kind: Int) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let eve = try await f.account("Eve", .engineer)
        let ann = try await f.account("Ann", .agent)
        try await f.operatorUpdates(eve, active: false)
        let before = try f.snapshot()
        let id = [eve.id, ann.id, UserID(99), eve.id][kind]
        let reply = try await f.run(.admin, Self.importing { $0.assigneeID = id; if kind == 3 { $0.status = .closed; $0.closedAt = Self.opened } })
        switch kind {
        case 0, 3: #expect(reply.ticket?.assigneeID == eve.id)
        case 1:
            #expect(reply.refusal == Refusal(.validation, "Tickets are assigned to engineers; Ann is an agent.", field: "assignee_id"))
            #expect(try f.snapshot() == before)
        default:
            #expect(reply.refusal == Refusal(.validation, "There is no account 99.", field: "assignee_id"))
            #expect(try f.snapshot() == before)
        }
    }

    @Test("bad contact fields are refused like a report's, naming the field, and nothing is written")
    func import_ContactRules() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let before = try f.snapshot()
        let cases: [(CommandAction, String)] = [
            (Self.importing { $0.contactEmail = "not an address" }, "contact_email"),
            (Self.importing { $0.contactPhone = "call me" }, "contact_phone"),
            (Self.importing { $0.preferredContactTime = "someday" }, "preferred_contact_time"),
        ]
        for (action, field) in cases {
            let reply = try await f.run(.admin, action)
            #expect(reply.refusal?.code == .validation && reply.refusal?.field == field)
        }
        #expect(try f.snapshot() == before)
    }

    @Test("an import command queued before these fields existed still decodes: untriaged, one person")
    func import_OldCommandDecodes() throws {
        let json = #"{"description":"x","status":"open","opened_at":"2025-01-01T00:00:00.000Z"}"#
        let t = try JSONDecoder().decode(ImportTicket.self, from: Data(json.utf8))
        #expect(t.severity == nil && t.impact == nil && t.priority == nil && t.assigneeID == nil && t.contactEmail == nil)
        let round = try JSONDecoder().decode(ImportTicket.self, from: JSONEncoder().encode(
            ImportTicket(description: "y", status: .open, openedAt: Self.opened, severity: .low, impact: .many, priority: .p3,
                         assigneeID: UserID(4), contactEmail: "a@b.org", contactPhone: "1", preferredContactTime: "daily 08:00-09:00")))
        #expect((round.severity, round.impact, round.priority, round.assigneeID) == (.low, .many, .p3, UserID(4)))
        #expect((round.contactEmail, round.contactPhone, round.preferredContactTime) == ("a@b.org", "1", "daily 08:00-09:00"))
    }
}
