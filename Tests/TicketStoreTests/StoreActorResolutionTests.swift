import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Who a command acts as (docs/roles.md, "Who acts"): the stored account when one is named, else
/// what the mode allows without one.
@Suite struct StoreActorResolutionTests {
    // MARK: - Accounts mode (the network desk)

    @Test("accounts: a command naming an unknown account is refused unauthenticated and writes nothing")
    func unknownAccount_IsUnauthenticated() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let before = try f.accountSnapshot()
        for role in Role.allCases {
            let reply = try await f.run(Actor(role: role, userID: UserID(99)), .createTicket(CreateTicket(description: "Door")))
            #expect(reply.refusal?.code == .unauthenticated, "\(role)")
        }
        #expect(try f.accountSnapshot() == before)
    }

    @Test("accounts: a deactivated account is refused unauthenticated for every command, and again once reactivated it acts")
    func deactivatedAccount_IsUnauthenticated() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let ticket = try await f.ticket(by: ana.actor)
        #expect(try await f.operatorUpdates(ana, active: false).user?.active == false)
        let before = try f.accountSnapshot()
        for action: CommandAction in [
            .createTicket(CreateTicket(description: "Door")), .editTicket(EditTicket(ticketID: ticket.id, description: "Lift")),
            .postMessage(PostMessage(ticketID: ticket.id, body: "any news?")),
            .changePassword(ChangePassword(userID: ana.id, passwordHash: AccountFixture.otherHash)),
            .startSession(StartSession(userID: ana.id, tokenDigest: AccountFixture.digest(1), expiresAt: f.clock.now().adding(milliseconds: 60_000))),
        ] {
            #expect(try await f.run(ana.actor, action).refusal?.code == .unauthenticated, "\(action.type)")
        }
        #expect(try f.accountSnapshot() == before)
        _ = try await f.operatorUpdates(ana, active: true)
        #expect(try await f.run(ana.actor, .postMessage(PostMessage(ticketID: ticket.id, body: "any news?"))).isApplied)
    }

    @Test("accounts: the stored role is used, whatever role the command names, and a role change counts from the next command")
    func storedRole_IsTheTruth() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let bob = try await f.account("Bob", .agent)
        let ticket = try await f.ticket(by: ana.actor)
        // A customer claiming to be an admin is still a customer.
        let claim = Command(role: .admin, userID: ana.id, action: .createUser(CreateUser(account: AccountFixture.fields("Eve"), role: .admin)))
        #expect(try await f.store.apply([claim])[0].refusal?.code == .forbidden)
        let claim2 = Command(role: .agent, userID: ana.id, action: .setCategory(SetCategory(ticketID: ticket.id, category: .it)))
        #expect(try await f.store.apply([claim2])[0].refusal?.code == .forbidden)
        // An agent naming the customer role still acts as an agent, and messages carry the stored role.
        let modest = Command(role: .customer, userID: bob.id, action: .setCategory(SetCategory(ticketID: ticket.id, category: .it)))
        #expect(try await f.store.apply([modest])[0].isApplied)
        let message = Command(role: .customer, userID: bob.id, action: .postMessage(PostMessage(ticketID: ticket.id, body: "on it")))
        #expect(try await f.store.apply([message])[0].message?.authorRole == .agent)
        // Demoted: the next command is checked as a customer.
        _ = try await f.operatorUpdates(bob, role: .customer)
        #expect(try await f.run(bob.actor, .setCategory(SetCategory(ticketID: ticket.id, category: .services))).refusal?.code == .forbidden)
        #expect(try f.scalar("SELECT count(*) FROM users WHERE email = 'eve@campus.example'") == 0)
    }

    @Test("accounts: without an account, only a customer's register_user and the operator (admin) are taken", arguments: Role.allCases)
    func noAccount_OnlyRegistrationAndOperator(role: Role) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let imported = try #require(try await f.run(Actor(role: .admin), .importTicket(ImportTicket(description: "Old lamp", status: .open, openedAt: f.clock.now()))).ticket)
        let create = try await f.run(Actor(role: role), .createTicket(CreateTicket(description: "Door")))
        let message = try await f.run(Actor(role: role), .postMessage(PostMessage(ticketID: imported.id, body: "hello")))
        let register = try await f.run(Actor(role: role), .registerUser(RegisterUser(account: AccountFixture.fields("New-\(role.rawValue)"))))
        switch role {
        case .admin:
            // The operator's tools: allowed as an admin, but registration is for customers.
            #expect(create.isApplied && create.ticket?.customerID == nil)
            #expect(message.isApplied)
            #expect(register.refusal?.code == .forbidden)
        case .customer:
            #expect(create.refusal == Refusal(.unauthenticated, "An account is required."))
            #expect(message.refusal?.code == .unauthenticated)
            let user = try #require(register.user)
            #expect(user.role == .customer && user.active && user.email == "new-customer@campus.example" && user.name == "New-customer")
        case .agent, .engineer, .manager:
            #expect(create.refusal?.code == .unauthenticated)
            #expect(message.refusal?.code == .unauthenticated)
            #expect(register.refusal?.code == .unauthenticated)
        }
    }

    @Test("accounts: a signed-in account cannot register another")
    func signedIn_CannotRegister() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let reply = try await f.run(ana.actor, .registerUser(RegisterUser(account: AccountFixture.fields("Ben"))))
        #expect(reply.refusal?.code == .forbidden)
        #expect(try f.scalar("SELECT count(*) FROM users") == 1)
    }

    // MARK: - Open mode (the campus desk)

    @Test("open: customer, agent and admin act without an account; engineer and manager need one")
    func open_VisitorRolesWithoutAccount() async throws {
        let f = try StoreFixture(authMode: .open)
        defer { f.dir.remove() }
        for role in Role.allCases {
            let reply = try await f.run(Actor(role: role), .createTicket(CreateTicket(description: "Door")))
            switch role {
            case .customer, .agent, .admin: #expect(reply.isApplied && reply.ticket?.customerID == nil, "\(role)")
            case .engineer, .manager: #expect(reply.refusal?.code == .unauthenticated, "\(role)")
            }
        }
        // With an account the stored role counts here too.
        let eng = try await f.account("Eng", .engineer)
        let t = try await f.ticket(by: eng.actor)
        #expect(t.customerID == eng.id)
        #expect(try await f.run(Actor(role: .agent, userID: eng.id), .setCategory(SetCategory(ticketID: t.id, category: .it))).refusal?.code == .forbidden)
    }

    /// Open mode, cell by cell for the roles a visitor acts in without an account: every ticket
    /// without a customer is the visitor's own (as before accounts), nothing is assigned to anyone.
    @Test("open: the permission table holds for visitors without an account", arguments: [Role.customer, .agent, .admin])
    func open_PermissionTable(role: Role) async throws {
        let f = try StoreFixture(authMode: .open)
        defer { f.dir.remove() }
        let engineer = try await f.account("Eng", .engineer)
        let visitor = Actor(role: role)
        let cells: [(Permission, (TicketID) -> CommandAction)] = [
            (.editTicket, { .editTicket(EditTicket(ticketID: $0, description: "Lift stuck")) }),
            (.changeStatus, { .changeStatus(ChangeStatus(ticketID: $0, status: .active)) }),
            (.postMessage, { .postMessage(PostMessage(ticketID: $0, body: "hello")) }),
            (.setCategory, { .setCategory(SetCategory(ticketID: $0, category: .services)) }),
            (.assignTicket, { .assignTicket(AssignTicket(ticketID: $0, assigneeID: engineer.id)) }),
        ]
        for (permission, action) in cells {
            let ticket = try await f.ticket(by: Actor(role: .customer))
            let reply = try await f.run(visitor, action(ticket.id))
            let expected: Bool = switch Permissions.row(permission)[role] {
            case .none, .assigned: false
            case .own, .all: true
            }
            #expect(reply.isApplied == expected, "\(role) \(permission)")
            if !expected { #expect(reply.refusal?.code == .forbidden, "\(role) \(permission)") }
        }
        let importing = try await f.run(visitor, .importTicket(ImportTicket(description: "Old", status: .open, openedAt: f.clock.now())))
        #expect(importing.isApplied == (Permissions.row(.importTickets)[role] == .all))
        let creating = try await f.run(visitor, .createUser(CreateUser(account: AccountFixture.fields("Zed"), role: .agent)))
        #expect(creating.isApplied == (Permissions.row(.manageUsers)[role] == .all))
    }

    /// The campus desk's staff directory: an engineer picked on the entry page sends commands
    /// naming their account, and the worker holds them to an engineer's row of the table.
    @Test("open: an engineer from the staff directory works what is assigned to them, not the rest")
    func open_DirectoryEngineerWorksAssigned() async throws {
        let f = try StoreFixture(authMode: .open)
        defer { f.dir.remove() }
        let eng = try await f.account("Eng", .engineer)
        let mine = try await f.ticket(by: Actor(role: .customer))
        let other = try await f.ticket(by: Actor(role: .customer))
        #expect(try await f.run(Actor(role: .agent), .assignTicket(AssignTicket(ticketID: mine.id, assigneeID: eng.id))).isApplied)
        #expect(try await f.run(eng.actor, .changeStatus(ChangeStatus(ticketID: mine.id, status: .active))).isApplied)
        #expect(try await f.run(eng.actor, .changeStatus(ChangeStatus(ticketID: other.id, status: .active))).refusal?.code == .forbidden)
        #expect(try await f.run(eng.actor, .postMessage(PostMessage(ticketID: mine.id, body: "on my way"))).isApplied)
    }
}
