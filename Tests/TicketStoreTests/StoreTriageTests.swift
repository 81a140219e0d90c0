import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Triage in the worker: severity, impact and the priority the matrix gives them, pinned or not.
@Suite struct StoreTriageTests {
    @Test("the matrix: every severity × impact cell, as docs/tickets.md prints it")
    func matrix() {
        let expected: [Severity: [Impact: Priority]] = [
            .critical: [.many: .p1, .several: .p1, .one: .p2],
            .high: [.many: .p1, .several: .p2, .one: .p3],
            .medium: [.many: .p2, .several: .p3, .one: .p3],
            .low: [.many: .p3, .several: .p4, .one: .p4],
        ]
        for s in Severity.allCases {
            for i in Impact.allCases {
                #expect(PriorityMatrix.priority(severity: s, impact: i) == expected[s]?[i], "\(s) × \(i)")
            }
        }
    }

    @Test("a report carries the reporter's impact and is untriaged; severity sets the priority, impact moves it, a pin holds until auto")
    func triageSteps() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let created = try #require(try await f.run(.customer, .createTicket(CreateTicket(description: "No network in building C", impact: .many))).ticket)
        #expect(created.impact == .many && created.severity == nil && created.priority == nil)
        func triage(_ s: SetTriage) async throws -> Ticket {
            let reply = try await f.run(.agent, .setTriage(s))
            return try #require(reply.ticket, "\(String(describing: reply.refusal))")
        }
        var t = try await triage(SetTriage(ticketID: created.id, severity: .high))
        #expect(t.severity == .high && t.severitySource == .staff && t.priority == .p1 && t.prioritySource == .auto)
        t = try await triage(SetTriage(ticketID: created.id, impact: .one))
        #expect(t.priority == .p3 && t.prioritySource == .auto)
        t = try await triage(SetTriage(ticketID: created.id, priority: .pinned(.p1)))
        #expect(t.priority == .p1 && t.prioritySource == .staff)
        t = try await triage(SetTriage(ticketID: created.id, severity: .low, impact: .many))
        #expect(t.priority == .p1 && t.prioritySource == .staff, "a pinned priority stays")
        t = try await triage(SetTriage(ticketID: created.id, priority: .auto))
        #expect(t.priority == .p3 && t.prioritySource == .auto, "auto: low × many")
        // Every step is in the trail.
        let trail = try await f.store.history(created.id).map { "\($0.field.rawValue):\($0.oldValue ?? "-")>\($0.newValue ?? "-")" }
        #expect(trail == ["severity:->high", "priority:->P1", "impact:many>one", "priority:P1>P3", "priority:P3>P1",
                          "severity:high>low", "impact:one>many", "priority:P1>P3"])
        // And the row on disk reads back the same.
        #expect(try await f.store.load(created.id) == t)
    }

    @Test("refusals: a customer or an engineer may not triage, nothing to change, a closed ticket; nothing is written")
    func refusals() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let cy = try await f.account("Cy", .customer), eve = try await f.account("Eve", .engineer)
        let t = try await f.ticket(by: cy.actor)
        _ = try await f.run(Actor(role: .admin), .assignTicket(AssignTicket(ticketID: t.id, assigneeID: eve.id)))
        let before = try f.snapshot()
        #expect(try await f.run(cy.actor, .setTriage(SetTriage(ticketID: t.id, severity: .critical))).refusal?.code == .forbidden)
        #expect(try await f.run(eve.actor, .setTriage(SetTriage(ticketID: t.id, severity: .critical))).refusal?.code == .forbidden)
        #expect(try await f.run(Actor(role: .admin), .setTriage(SetTriage(ticketID: t.id))).refusal?.code == .validation)
        #expect(try f.snapshot() == before)
        _ = try await f.run(Actor(role: .admin), .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        _ = try await f.run(Actor(role: .admin), .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        #expect(try await f.run(Actor(role: .admin), .setTriage(SetTriage(ticketID: t.id, severity: .low))).refusal?.code == .readOnly)
    }

    @Test("set_triage travels as JSON with priority as P1–P4 or auto; anything else does not decode")
    func wireForm() throws {
        let c = Command(role: .agent, action: .setTriage(SetTriage(ticketID: TicketID(3), severity: .medium, impact: .several, priority: .auto)))
        let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(json.contains("\"type\":\"set_triage\"") && json.contains("\"priority\":\"auto\"") && json.contains("\"impact\":\"several\""))
        #expect(try JSONDecoder().decode(Command.self, from: Data(json.utf8)) == c)
        let bad = json.replacingOccurrences(of: "\"auto\"", with: "\"P5\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Command.self, from: Data(bad.utf8)) }
    }
}

/// The reporter's contact fields in the worker: stored canonical, edited, cleared, audited.
@Suite struct StoreContactTests {
    @Test("contact and preferred time are stored in canonical form, edited, cleared, and each change is one audit row")
    func contactLifecycle() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try #require(try await f.run(.customer, .createTicket(CreateTicket(
            description: "Router keeps rebooting", contactEmail: "Ana@Example.org", preferredContactTime: "Mon-Fri 9:00 to 12:00"))).ticket)
        #expect(t.contactEmail == "ana@example.org" && t.contactPhone == nil && t.preferredContactTime == "weekdays 09:00-12:00")
        let edited = try #require(try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id, contactPhone: "+49 30 1234", preferredContactTime: ""))).ticket)
        #expect(edited.contactPhone == "+49 30 1234" && edited.preferredContactTime == nil && edited.contactEmail == "ana@example.org")
        let trail = try await f.store.history(t.id).map { "\($0.field.rawValue):\($0.oldValue ?? "-")>\($0.newValue ?? "-")" }
        #expect(trail == ["contact:ana@example.org>ana@example.org, +49 30 1234", "preferred_contact_time:weekdays 09:00-12:00>-"])
        let bad = try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id, preferredContactTime: "whenever")))
        #expect(bad.refusal?.field == "preferred_contact_time")
        #expect(try await f.store.load(t.id) == edited)
    }
}
