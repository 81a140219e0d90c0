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

    /// One step forward as `change_status` allows; the one step back (a reopen, `closed → active`)
    /// as `reopen_ticket` allows on the desk, and only with a reason.
    @Test(arguments: [
        (Status.open, Status.active, Role.agent, AuthMode.accounts, nil, nil),
        (.active, .closed, .agent, .accounts, nil, nil),
        (.open, .active, .customer, .open, nil, RefusalCode.forbidden),
        (.active, .closed, .customer, .open, nil, .forbidden),
        (.open, .closed, .agent, .open, nil, .invalidTransition),
        (.active, .open, .agent, .open, nil, .invalidTransition),
        (.open, .open, .agent, .open, nil, .invalidTransition),
        (.closed, .closed, .agent, .open, nil, .invalidTransition),
        (.closed, .closed, .customer, .open, nil, .forbidden),
        // Reopening.
        (.closed, .active, .agent, .open, "Still broken", nil),
        (.closed, .active, .agent, .open, nil, .invalidTransition),
        (.closed, .active, .agent, .open, " \n ", .invalidTransition),
        (.closed, .open, .agent, .open, "Still broken", .invalidTransition),
        (.closed, .active, .customer, .open, "Still broken", .forbidden),
        (.closed, .active, .agent, .accounts, "Still broken", .forbidden),
        (.closed, .active, .engineer, .accounts, "Still broken", .forbidden),
        (.closed, .active, .manager, .accounts, "Still broken", nil),
        (.closed, .active, .admin, .accounts, "Still broken", nil),
        (.closed, .active, .manager, .accounts, "", .invalidTransition),
        (.closed, .active, .manager, .accounts, String(repeating: "r", count: 501), .validation),
        (.closed, .active, .manager, .open, "Still broken", nil),
    ] as [(Status, Status, Role, AuthMode, String?, RefusalCode?)])
    func transitions(from: Status, to: Status, role: Role, desk: AuthMode, reason: String?, expected: RefusalCode?) {
        do {
            let recorded = try TicketRules.checkTransition(from: from, to: to, reason: reason, actor: Actor(role: role, userID: role == .customer || role == .agent ? nil : UserID(5)),
                                                           on: TicketParties(assigneeID: UserID(5)), desk: desk)
            #expect(expected == nil)
            #expect(recorded == reason)
        } catch {
            #expect(error.code == expected)
            // A reopen without a usable reason names the reason; every other refusal the status.
            let aboutReason = expected == .validation || (from == .closed && to == .active && expected == .invalidTransition)
            #expect(error.field == (aboutReason ? "reason" : "status"))
        }
    }

    @Test func statusReason_IsTrimmedAndBounded() throws {
        #expect(try TicketRules.statusReason("  fixed  ") == "fixed")
        #expect(try TicketRules.statusReason(" ") == nil)
        #expect(try TicketRules.statusReason(String(repeating: "r", count: 500))?.count == 500)
        #expect(throws: Refusal.self) { try TicketRules.statusReason(String(repeating: "r", count: 501)) }
    }

    @Test("only managers and admins reopen on the network desk; on the campus desk helpdesk staff do too")
    func reopenReach() {
        for role in Role.allCases {
            #expect((Permissions.reach(role, .reopenTicket, desk: .accounts) == .all) == [.manager, .admin].contains(role), "\(role)")
            #expect((Permissions.reach(role, .reopenTicket, desk: .open) == .all) == [.agent, .manager, .admin].contains(role), "\(role)")
        }
        // The campus desk's agents also set the SLA policies and calendar (it has no managers).
        for role in Role.allCases {
            #expect((Permissions.reach(role, .editSLAPolicies, desk: .open) == .all) == [.agent, .manager, .admin].contains(role), "\(role)")
            #expect((Permissions.reach(role, .viewServiceLevels, desk: .open) == .all) == [.agent, .manager, .admin].contains(role), "\(role)")
            #expect((Permissions.reach(role, .viewServiceLevels, desk: .accounts) == .all) == [.manager, .admin].contains(role), "\(role)")
        }
        // The exceptions are these three cells: every other permission reaches the same on both desks.
        for p in Permission.allCases where p != .reopenTicket && p != .editSLAPolicies && p != .viewServiceLevels {
            for role in Role.allCases { #expect(Permissions.reach(role, p, desk: .open) == Permissions.reach(role, p)) }
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
