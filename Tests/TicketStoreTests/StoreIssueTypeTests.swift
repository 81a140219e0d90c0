import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Issue types in the worker: the admins' list (add, rename, retire), a reporter's choice filing
/// the ticket, staff changing it (audited), and imports naming one.
@Suite struct StoreIssueTypeTests {
    static let admin = Actor(role: .admin)
    static let printing = IssueTypeID(10)
    static let lift = IssueTypeID(1)

    func types(_ f: StoreFixture, includingRetired: Bool = true) async throws -> [IssueType] {
        try await TicketReader(path: f.path).issueTypes(includingRetired: includingRetired)
    }

    @Test("add, rename and retire: names trimmed and unique per category (NOCASE, retired included); retired types stay listed with retired_at")
    func listRules() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let added = try #require(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: "  Projector / AV  "))).issueType)
        #expect(added.name == "Projector / AV" && added.category == .it && added.createdAt == f.clock.now() && added.retiredAt == nil)
        #expect(added.id == IssueTypeID(20))
        // The same name in the same category (any case) is a conflict; in another category it is fine.
        let before = try f.snapshot()
        let dup = try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: "PROJECTOR / av")))
        #expect(dup.refusal?.code == .conflict && dup.refusal?.field == "name", "\(String(describing: dup.refusal))")
        #expect(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: " \t"))).refusal?.code == .validation)
        #expect(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: "Two\nlines"))).refusal?.code == .validation)
        #expect(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: String(repeating: "x", count: 81)))).refusal?.code == .validation)
        #expect(try f.snapshot() == before)
        #expect(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .facility, name: "Projector / AV"))).isApplied)
        #expect(try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: String(repeating: "é", count: 80)))).isApplied)

        // Rename: to a free name; to another type's name is a conflict; to its own name changes nothing.
        f.clock.advance(by: .seconds(60))
        let renamed = try #require(try await f.run(Self.admin, .renameIssueType(RenameIssueType(issueTypeID: Self.printing, name: "Printing / copying"))).issueType)
        #expect(renamed.name == "Printing / copying" && renamed.id == Self.printing && renamed.category == .it)
        #expect(try await f.run(Self.admin, .renameIssueType(RenameIssueType(issueTypeID: Self.printing, name: "email"))).refusal?.code == .conflict)
        #expect(try await f.run(Self.admin, .renameIssueType(RenameIssueType(issueTypeID: Self.printing, name: "Printing / copying"))).issueType == renamed)
        #expect(try await f.run(Self.admin, .renameIssueType(RenameIssueType(issueTypeID: IssueTypeID(999), name: "x"))).refusal?.code == .notFound)

        // Retire: listed only with retired ones, keeps its name (a new type may not take it), twice is once.
        let retired = try #require(try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: added.id))).issueType)
        #expect(retired.retiredAt == f.clock.now())
        f.clock.advance(by: .seconds(60))
        #expect(try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: added.id))).issueType == retired)
        #expect(try await types(f, includingRetired: false).contains { $0.id == added.id } == false)
        #expect(try await types(f).first { $0.id == added.id } == retired)
        let reuse = try await f.run(Self.admin, .addIssueType(AddIssueType(category: .it, name: "Projector / AV")))
        #expect(reuse.refusal?.code == .conflict && reuse.refusal?.reason.contains("retired") == true)
        // A starter type is retired no earlier than it was created, whatever the clock says (the seed's time is the migration's).
        let lift = try #require(try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: Self.lift))).issueType)
        #expect(try #require(lift.retiredAt) >= lift.createdAt)
    }

    @Test("only admins manage the list; the worker refuses every other role forbidden and writes nothing", arguments: [Role.customer, .agent])
    func onlyAdmins(_ role: Role) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let before = try f.snapshot()
        let listBefore = try await types(f)
        for action: CommandAction in [.addIssueType(AddIssueType(category: .it, name: "New")),
                                      .renameIssueType(RenameIssueType(issueTypeID: Self.printing, name: "Print")),
                                      .retireIssueType(RetireIssueType(issueTypeID: Self.printing))] {
            #expect(try await f.run(role, action).refusal?.code == .forbidden, "\(role) \(action.type)")
        }
        #expect(try f.snapshot() == before)
        #expect(try await types(f) == listBefore)
    }

    @Test("a chosen type files the ticket (source issue_type, no confidence); without one the classifier decides; unknown and retired types are refused")
    func reporterChooses() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        // The classifier would say facility; the reporter's type says IT.
        let t = try #require(try await f.run(.customer, .createTicket(CreateTicket(description: "the door is jammed with paper", issueTypeID: Self.printing))).ticket)
        #expect(t.category == .it && t.categorySource == .issueType && t.categoryConfidence == nil)
        #expect(t.issueTypeID == Self.printing && t.issueTypeName == "Printing")
        #expect(try await f.store.load(t.id) == t)
        #expect(try f.scalar("SELECT count(*) FROM tickets WHERE category_source = 'staff' AND issue_type_id = 10") == 1)
        let auto = try #require(try await f.run(.customer, .createTicket(CreateTicket(description: "wifi drops"))).ticket)
        #expect(auto.category == .it && auto.categorySource == .auto && auto.issueTypeID == nil && auto.categoryConfidence == 0.9)
        // Reporting writes no audit row, with or without a type.
        #expect(try await f.store.history(t.id).isEmpty)

        let before = try f.snapshot()
        let unknown = try await f.run(.customer, .createTicket(CreateTicket(description: "x", issueTypeID: IssueTypeID(999))))
        #expect(unknown.refusal?.code == .validation && unknown.refusal?.field == "issue_type_id")
        _ = try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: Self.printing)))
        let afterRetiring = try f.snapshot()
        #expect(afterRetiring == before, "retiring a type changes no ticket")
        let retired = try await f.run(.customer, .createTicket(CreateTicket(description: "paper jam", issueTypeID: Self.printing)))
        #expect(retired.refusal?.code == .validation && retired.refusal?.field == "issue_type_id")
        #expect(retired.refusal?.reason.contains("no longer offered") == true)
        #expect(try f.snapshot() == afterRetiring)
        // The old ticket keeps its retired type, and an edit keeps its category.
        let old = try await f.store.load(t.id)
        #expect(old.issueTypeID == Self.printing && old.issueTypeName == "Printing" && old.category == .it)
        let edited = try #require(try await f.run(.customer, .editTicket(EditTicket(ticketID: t.id, description: "the door is jammed"))).ticket)
        #expect(edited.category == .it && edited.categorySource == .issueType && edited.issueTypeID == Self.printing)
        // A rename shows on tickets that have the type.
        _ = try await f.run(Self.admin, .renameIssueType(RenameIssueType(issueTypeID: Self.printing, name: "Printers")))
        #expect(try await f.store.load(t.id).issueTypeName == "Printers")
        #expect(try await TicketReader(path: f.path).list(TicketFilter()).tickets.first { $0.id == t.id }?.issueTypeName == "Printers")
    }

    @Test("staff change the type: the category follows, each change is audited with actor and channel; set_category off the type's category takes it off")
    func staffChange() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let cy = try await f.account("Cy", .customer), ada = try await f.account("Ada", .agent)
        let t = try #require(try await f.run(cy.actor, .createTicket(CreateTicket(description: "it is cold", issueTypeID: IssueTypeID(2)))).ticket)
        #expect(t.category == .facility)
        func change(_ action: CommandAction, channel: Channel = .web) async throws -> Ticket {
            let reply = try await f.store.apply([Command(actor: ada.actor, action: action, channel: channel)])[0]
            return try #require(reply.ticket, "\(String(describing: reply.refusal))")
        }
        f.clock.advance(by: .seconds(5))
        var now = try await change(.setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(15))), channel: .api)
        #expect(now.category == .services && now.categorySource == .issueType && now.issueTypeName == "Transport / shuttle")
        #expect(now.modifiedAt == f.clock.now())
        // The same type again is a no-op: no row, no event.
        let events = try f.scalar("SELECT count(*) FROM events")
        #expect(try await change(.setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(15)))) == now)
        #expect(try f.scalar("SELECT count(*) FROM events") == events)
        // Same category: only the type changes.
        now = try await change(.setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(17))))
        #expect(now.category == .services && now.issueTypeID == IssueTypeID(17))
        // set_category to the type's own category changes nothing; to another takes the type off.
        #expect(try await change(.setCategory(SetCategory(ticketID: t.id, category: .services))) == now)
        now = try await change(.setCategory(SetCategory(ticketID: t.id, category: .it)))
        #expect(now.category == .it && now.categorySource == .staff && now.issueTypeID == nil && now.issueTypeName == nil)
        // Back on a type, then off it (nil): the category stays, as staff's.
        now = try await change(.setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(8))))
        now = try await change(.setIssueType(SetIssueType(ticketID: t.id, issueTypeID: nil)))
        #expect(now.category == .it && now.categorySource == .staff && now.issueTypeID == nil)
        #expect(try await f.store.load(t.id) == now)

        let trail = try await f.store.history(t.id)
        #expect(trail.map { "\($0.field.rawValue):\($0.oldValue ?? "-")>\($0.newValue ?? "-")" } == [
            "category:facility>services", "issue_type:2>15", "issue_type:15>17", "category:services>it", "issue_type:17>-",
            "issue_type:->8", "issue_type:8>-",
        ])
        #expect(trail.allSatisfy { $0.actorID == ada.id && $0.actorRole == .agent && $0.actorName == "Ada" })
        #expect(trail.prefix(2).allSatisfy { $0.channel == .api } && trail.dropFirst(2).allSatisfy { $0.channel == .web })
        // The change events carry the rows.
        let published = try await f.store.events(from: SequenceNumber(1), limit: 100).filter { $0.ticketID == t.id && $0.changes != nil }
        #expect(published.flatMap { $0.changes ?? [] } == trail)

        // Refusals: a retired or unknown type, a customer; nothing written.
        _ = try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(3))))
        let before = try f.snapshot()
        #expect(try await f.run(ada.actor, .setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(3)))).refusal?.code == .validation)
        #expect(try await f.run(ada.actor, .setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(999)))).refusal?.code == .validation)
        #expect(try await f.run(cy.actor, .setIssueType(SetIssueType(ticketID: t.id, issueTypeID: IssueTypeID(4)))).refusal?.code == .forbidden)
        #expect(try await f.run(ada.actor, .setIssueType(SetIssueType(ticketID: TicketID(999), issueTypeID: IssueTypeID(4)))).refusal?.code == .notFound)
        #expect(try f.snapshot() == before)
    }

    @Test("imports name the type: found in the row's category (NOCASE, retired too), or across categories when unambiguous; else refused")
    func imports() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.run(Self.admin, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(13))))
        _ = try await f.run(Self.admin, .addIssueType(AddIssueType(category: .facility, name: "Library")))
        let opened = f.clock.now().adding(milliseconds: -60_000)
        func importing(_ name: String?, _ category: Category?) async throws -> CommandReply {
            try await f.run(.agent, .importTicket(ImportTicket(description: "old case", category: category, status: .open, openedAt: opened, issueType: name)))
        }
        let retired = try #require(try await importing("email", .it).ticket)
        #expect(retired.issueTypeID == IssueTypeID(13) && retired.issueTypeName == "Email" && retired.categorySource == .issueType)
        let noCategory = try #require(try await importing(" Printing ", nil).ticket)
        #expect(noCategory.category == .it && noCategory.issueTypeID == Self.printing)
        let plain = try #require(try await importing(nil, .services).ticket)
        #expect(plain.issueTypeID == nil && plain.categorySource == .staff)
        #expect(try await importing("", .services).ticket?.issueTypeID == nil)
        let before = try f.snapshot()
        let wrongCategory = try await importing("Printing", .facility)
        #expect(wrongCategory.refusal?.code == .validation && wrongCategory.refusal?.field == "issue_type")
        #expect(wrongCategory.refusal?.reason == "There is no issue type \u{201C}Printing\u{201D} in Facility.")
        let ambiguous = try await importing("library", nil)
        #expect(ambiguous.refusal?.reason == "\u{201C}library\u{201D} is an issue type in Facility and Services; give the category.")
        #expect(try await importing("Teleport", nil).refusal?.code == .validation)
        #expect(try f.snapshot() == before)
    }

    @Test("the new commands travel as JSON; set_issue_type writes null to take the type off")
    func wireForm() throws {
        let commands = [
            Command(role: .admin, action: .addIssueType(AddIssueType(category: .services, name: "Parking"))),
            Command(role: .admin, action: .renameIssueType(RenameIssueType(issueTypeID: IssueTypeID(3), name: "Leaks"))),
            Command(role: .admin, action: .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(3)))),
            Command(role: .agent, action: .setIssueType(SetIssueType(ticketID: TicketID(7), issueTypeID: nil))),
            Command(role: .customer, action: .createTicket(CreateTicket(description: "x", issueTypeID: IssueTypeID(4)))),
        ]
        for c in commands {
            let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
            #expect(json.contains("\"type\":\"\(c.action.type)\""))
            #expect(try JSONDecoder().decode(Command.self, from: Data(json.utf8)) == c)
        }
        let clear = String(decoding: try JSONEncoder().encode(commands[3]), as: UTF8.self)
        #expect(clear.contains("\"issue_type_id\":null"))
    }
}
