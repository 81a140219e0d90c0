import Testing
@testable import Domain

@Suite struct TicketRulesTests {
    @Test func description_IsTrimmedAndBounded() throws {
        #expect(try TicketRules.description("  Leaking tap \n") == "Leaking tap")
        #expect(try TicketRules.description(String(repeating: "x", count: 5_000)).count == 5_000)
        #expect(throws: Refusal(.validation, "Description is required.", field: "description")) { try TicketRules.description(" \n\t ") }
        #expect(throws: Refusal.self) { try TicketRules.description(String(repeating: "x", count: 5_001)) }
    }

    @Test func shortField_EmptyMeansNoneAndLimitIs200() throws {
        #expect(try TicketRules.shortField(nil, field: "location") == nil)
        #expect(try TicketRules.shortField("   ", field: "location") == nil)
        #expect(try TicketRules.shortField(" Room 4 ", field: "location") == "Room 4")
        #expect(try TicketRules.shortField(String(repeating: "é", count: 200), field: "reporter")?.count == 200)
        do {
            _ = try TicketRules.shortField(String(repeating: "a", count: 201), field: "reporter")
            Issue.record("201 characters accepted")
        } catch {
            #expect(error.code == .validation && error.field == "reporter")
        }
    }

    @Test func messageBody_IsRequiredAndBounded() throws {
        #expect(try TicketRules.messageBody(" hi ") == "hi")
        #expect(throws: Refusal.self) { try TicketRules.messageBody("") }
        #expect(throws: Refusal.self) { try TicketRules.messageBody(String(repeating: "b", count: 5_001)) }
    }

    @Test(arguments: [
        (Status.open, Status.active, Role.agent, nil),
        (.active, .closed, .agent, nil),
        (.open, .active, .customer, RefusalCode.forbidden),
        (.active, .closed, .customer, .forbidden),
        (.open, .closed, .agent, .invalidTransition),
        (.closed, .open, .agent, .invalidTransition),
        (.closed, .active, .agent, .invalidTransition),
        (.active, .open, .agent, .invalidTransition),
        (.open, .open, .agent, .invalidTransition),
        (.closed, .closed, .agent, .invalidTransition),
    ] as [(Status, Status, Role, RefusalCode?)])
    func transitions(from: Status, to: Status, role: Role, expected: RefusalCode?) {
        do {
            try TicketRules.checkTransition(from: from, to: to, actor: Actor(role: role), on: TicketParties())
            #expect(expected == nil)
        } catch {
            #expect(error.code == expected)
            #expect(error.field == "status")
        }
    }

    @Test func edits_MessagesAndCategory_FollowRoleAndStatus() {
        // The campus desk: no accounts, so every ticket is the visitor's own.
        let campus = TicketParties()
        let (customer, agent) = (Actor(role: .customer), Actor(role: .agent))
        #expect(throws: Never.self) { try TicketRules.checkEdit(status: .active, actor: customer, on: campus) }
        #expect(throws: Refusal.self) { try TicketRules.checkEdit(status: .closed, actor: customer, on: campus) }
        #expect(throws: Never.self) { try TicketRules.checkMessage(status: .open, actor: customer, on: campus) }
        #expect(throws: Never.self) { try TicketRules.checkMessage(status: .closed, actor: agent, on: campus) }
        #expect(throws: Refusal.self) { try TicketRules.checkMessage(status: .closed, actor: customer, on: campus) }
        #expect(throws: Refusal.self) { try TicketRules.checkSetCategory(actor: customer, on: campus) }
        #expect(throws: Never.self) { try TicketRules.checkSetCategory(actor: agent, on: campus) }
        #expect(throws: Refusal.self) { try TicketRules.checkImport(actor: customer) }
        // The network desk: a customer's own ticket only.
        let ana = Actor(role: .customer, userID: UserID(7))
        #expect(throws: Never.self) { try TicketRules.checkEdit(status: .open, actor: ana, on: TicketParties(customerID: UserID(7))) }
        #expect(throws: Refusal.self) { try TicketRules.checkEdit(status: .open, actor: ana, on: TicketParties(customerID: UserID(8))) }
    }

    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static func t(_ secondsBeforeNow: Int64) -> Timestamp { now.adding(milliseconds: -secondsBeforeNow * 1000) }

    @Test func validImport_DefaultsModifiedAtToLatestTime() throws {
        let v = try TicketRules.validateImport(ImportTicket(
            description: " Heating off ", location: "", status: .closed, openedAt: Self.t(1000), closedAt: Self.t(500),
            messages: [ImportedMessage(authorRole: .agent, body: " on it ", sentAt: Self.t(100))]), now: Self.now)
        #expect(v.description == "Heating off" && v.location == nil)
        #expect(v.modifiedAt == Self.t(100))
        #expect(v.messages.first?.body == "on it")
    }

    @Test(arguments: [
        ("closed without closed_at", ImportTicket(description: "x", status: .closed, openedAt: t(10)), "closed_at"),
        ("open with closed_at", ImportTicket(description: "x", status: .open, openedAt: t(10), closedAt: t(5)), "closed_at"),
        ("closed before opened", ImportTicket(description: "x", status: .closed, openedAt: t(10), closedAt: t(20)), "closed_at"),
        ("opened in the future", ImportTicket(description: "x", status: .open, openedAt: t(-1)), "opened_at"),
        ("closed in the future", ImportTicket(description: "x", status: .closed, openedAt: t(10), closedAt: t(-5)), "closed_at"),
        ("modified before opened", ImportTicket(description: "x", status: .open, openedAt: t(10), modifiedAt: t(20)), "modified_at"),
        ("modified before closed", ImportTicket(description: "x", status: .closed, openedAt: t(10), modifiedAt: t(8), closedAt: t(5)), "modified_at"),
        ("modified in the future", ImportTicket(description: "x", status: .open, openedAt: t(10), modifiedAt: t(-1)), "modified_at"),
        ("message before opened", ImportTicket(description: "x", status: .open, openedAt: t(10), messages: [ImportedMessage(authorRole: .customer, body: "b", sentAt: t(11))]), "messages"),
        ("message in the future", ImportTicket(description: "x", status: .open, openedAt: t(10), messages: [ImportedMessage(authorRole: .customer, body: "b", sentAt: t(-1))]), "messages"),
        ("empty message", ImportTicket(description: "x", status: .open, openedAt: t(10), messages: [ImportedMessage(authorRole: .customer, body: " ", sentAt: t(5))]), "body"),
        ("empty description", ImportTicket(description: "  ", status: .open, openedAt: t(10)), "description"),
        ("long location", ImportTicket(description: "x", location: String(repeating: "l", count: 201), status: .open, openedAt: t(10)), "location"),
    ])
    func invalidImport_IsRefusedNamingTheField(_ name: String, _ ticket: ImportTicket, _ field: String) {
        do {
            _ = try TicketRules.validateImport(ticket, now: Self.now)
            Issue.record("accepted: \(name)")
        } catch {
            #expect(error.code == .validation, "\(name)")
            #expect(error.field == field, "\(name)")
        }
    }
}
