import Foundation
import Testing
import Fixtures
import TestSupport
@testable import Domain
@testable import Logging
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService

/// The permission table (`Permissions.row`), cell by cell, as the ticket worker enforces it on
/// commands sent straight to the `commands` queue of a real spool (not through the gateway): the
/// network desk, every actor with an account.
///
/// Each cell is one command on a ticket of its own, sent by an account of the cell's role, and is
/// applied or refused `forbidden` exactly as the row's reach for that role says: `all` everywhere,
/// `own` only on the actor's own ticket, `assigned` only on a ticket assigned to the actor, `none`
/// nowhere. Ticket permissions are tried on five tickets: the actor's own, another customer's, one
/// without a customer (imported), one assigned to the actor, and one assigned to another engineer.
@Suite("Permission table in the ticket worker", .onDedicatedThreads)
struct WorkerPermissionTableTests {
    enum Kind: String, CaseIterable {
        case own, others, unowned, assignedToMe, assignedToOther
    }

    /// The permissions no command carries (reading, the dashboard, settings not built yet): the
    /// gateway checks them; this test would have to grow a command for each new one.
    static let withoutCommand: Set<Permission> = [.viewTicket, .viewDashboard, .viewServiceLevels, .printPosters, .listEngineers, .editSLAPolicies, .manageSettings]
    /// Rows another suite sends: `take_ticket` is "assign to oneself", a different command per actor
    /// (and one only an engineer can be given), so `WorkerTakeTicketTests` holds it; `reopen_ticket`
    /// needs closed tickets and a reason, and differs by desk, so `WorkerReopenTests` holds it.
    static let elsewhere: Set<Permission> = [.takeTicket, .reopenTicket]

    struct Cell {
        var permission: Permission
        var role: Role
        var kind: Kind?
        var command: Command
        var ticket: TicketID?

        /// Applied or refused, from the table alone.
        var expectedApplied: Bool {
            switch Permissions.row(permission)[role] {
            case .none: false
            case .all: true
            case .own: kind == .own
            case .assigned: kind == .assignedToMe
            }
        }
    }

    @Test("every cell of the table: applied or refused forbidden exactly as Permissions.row says")
    func everyCell() async throws {
        let world = try TicketWorkerWorld(authMode: .accounts)
        defer { world.remove() }
        let client = try RequestClient(broker: world.broker, processName: "permission-table")
        defer { client.close() }
        let operatorActor = Actor(role: .admin)

        try await world.running {
            /// Sends commands straight to the queue and returns their replies, in order.
            func send(_ commands: [Command]) async throws -> [CommandReply] {
                var options = RequestClient.BulkOptions()
                options.giveUpAfter = TestTime.scaled(.seconds(60))
                let outcome = await client.send(commands, options: options)
                return try outcome.replies.enumerated().map { i, reply in
                    try #require(reply, "no reply to \(commands[i].action.type)")
                }
            }
            func accounts(_ names: [(String, Role)]) async throws -> [User] {
                try await send(names.map { AccountFixture.operatorCreates($0.0, $0.1) }).map { try #require($0.user, "\($0.refusal?.reason ?? "")") }
            }

            // The people: one actor per role (made engineers first so tickets can be assigned to
            // them, then given their role), another customer, two engineers to assign to, another
            // engineer holding the "other" assignments, and one account per role to change.
            let actors = try await accounts(Role.allCases.map { ("Actor-\($0.rawValue)", .engineer) })
            let helpers = try await accounts([("Other", .customer), ("Eng-one", .engineer), ("Eng-two", .engineer), ("Peer", .engineer)])
            let (other, engOne, engTwo, peer) = (helpers[0], helpers[1], helpers[2], helpers[3])
            let targets = try await accounts(Role.allCases.map { ("Target-\($0.rawValue)", .customer) })

            let ticketPermissions: [Permission] = [.editTicket, .changeStatus, .postMessage, .setCategory, .triageTicket, .assignTicket, .reassignTicket]
            func kinds(_ p: Permission) -> [Kind] {
                // Moving between engineers needs an assigned ticket.
                p == .reassignTicket ? [.assignedToMe, .assignedToOther] : Kind.allCases
            }
            // Tickets not reported by the actor: the other customer's, imported ones (no customer), to be assigned.
            var slots: [(Role, Permission, Kind)] = []
            for role in Role.allCases {
                for p in ticketPermissions { for k in kinds(p) where k != .own { slots.append((role, p, k)) } }
            }
            let opened = SystemClock().now().adding(milliseconds: -60_000)
            let made = try await send(slots.map { (role, p, k) in
                k == .unowned
                    ? Command(actor: operatorActor, action: .importTicket(ImportTicket(description: "Old case \(role) \(p)", status: .open, openedAt: opened)))
                    : Command(actor: other.actor, action: .createTicket(CreateTicket(description: "Case \(role) \(p) \(k)")))
            })
            var tickets: [String: TicketID] = [:]
            for (slot, reply) in zip(slots, made) {
                tickets["\(slot.0)/\(slot.1)/\(slot.2)"] = try #require(reply.ticket?.id, "\(reply.refusal?.reason ?? "")")
            }
            let actorOf = Dictionary(uniqueKeysWithValues: zip(Role.allCases, actors))
            let assignments = slots.filter { $0.2 == .assignedToMe || $0.2 == .assignedToOther }.map { slot in
                Command(actor: operatorActor, action: .assignTicket(AssignTicket(
                    ticketID: tickets["\(slot.0)/\(slot.1)/\(slot.2)"]!, assigneeID: slot.2 == .assignedToMe ? actorOf[slot.0]!.id : peer.id)))
            }
            #expect(try await send(assignments).allSatisfy(\.isApplied))
            // Now each actor takes its role, and reports its own tickets.
            #expect(try await send(Role.allCases.filter { $0 != .engineer }.map { role in
                Command(actor: operatorActor, action: .updateUser(UpdateUser(userID: actorOf[role]!.id, role: role)))
            }).allSatisfy { $0.isApplied })
            let ownSlots = Role.allCases.flatMap { role in ticketPermissions.map { (role, $0) } }
            let own = try await send(ownSlots.map { slot in
                Command(actor: Actor(role: slot.0, userID: actorOf[slot.0]!.id), action: .createTicket(CreateTicket(description: "Mine \(slot.0) \(slot.1)")))
            })
            for (slot, reply) in zip(ownSlots, own) { tickets["\(slot.0)/\(slot.1)/own"] = try #require(reply.ticket?.id) }

            // The cells.
            var cells: [Cell] = []
            for role in Role.allCases {
                let actor = Actor(role: role, userID: actorOf[role]!.id)
                for p in ticketPermissions {
                    for k in kinds(p) {
                        let id = tickets["\(role)/\(p)/\(k)"]!
                        let assigned = k == .assignedToMe || k == .assignedToOther
                        let action: CommandAction = switch p {
                        case .editTicket: .editTicket(EditTicket(ticketID: id, description: "Edited by \(role)"))
                        case .changeStatus: .changeStatus(ChangeStatus(ticketID: id, status: .active))
                        case .postMessage: .postMessage(PostMessage(ticketID: id, body: "Note from \(role)"))
                        case .setCategory: .setCategory(SetCategory(ticketID: id, category: .services))
                        case .triageTicket: .setTriage(SetTriage(ticketID: id, severity: .high, impact: .many))
                        // Unassigned: give it to an engineer; assigned: take it back.
                        case .assignTicket: .assignTicket(AssignTicket(ticketID: id, assigneeID: assigned ? nil : engOne.id))
                        // Move it to an engineer who does not have it.
                        default: .assignTicket(AssignTicket(ticketID: id, assigneeID: engTwo.id))
                        }
                        cells.append(Cell(permission: p, role: role, kind: k, command: Command(actor: actor, action: action), ticket: id))
                        // Changing the issue type is recategorising: the same permission, on the same ticket, after it.
                        if p == .setCategory {
                            cells.append(Cell(permission: p, role: role, kind: k, command: Command(actor: actor, action: .setIssueType(
                                SetIssueType(ticketID: id, issueTypeID: IssueTypeID(8)))), ticket: id))
                        }
                    }
                }
                let now = SystemClock().now()
                cells.append(Cell(permission: .reportTicket, role: role, command: Command(actor: actor, action: .createTicket(
                    CreateTicket(description: "Report by \(role)")))))
                cells.append(Cell(permission: .importTickets, role: role, command: Command(actor: actor, action: .importTicket(
                    ImportTicket(description: "Import by \(role)", status: .open, openedAt: now.adding(milliseconds: -1_000))))))
                cells.append(Cell(permission: .manageUsers, role: role, command: Command(actor: actor, action: .createUser(
                    CreateUser(account: AccountFixture.fields("Made-by-\(role.rawValue)"), role: .agent)))))
                cells.append(Cell(permission: .manageUsers, role: role, command: Command(actor: actor, action: .updateUser(
                    UpdateUser(userID: targets[Role.allCases.firstIndex(of: role)!].id, role: .agent)))))
                cells.append(Cell(permission: .manageUsers, role: role, command: Command(actor: actor, action: .changePassword(
                    ChangePassword(userID: targets[Role.allCases.firstIndex(of: role)!].id, passwordHash: AccountFixture.otherHash)))))
                // The issue type list: each role its own new name and its own starter types to rename and retire.
                let n = Int64(Role.allCases.firstIndex(of: role)!)
                cells.append(Cell(permission: .manageCategories, role: role, command: Command(actor: actor, action: .addIssueType(
                    AddIssueType(category: .services, name: "Added by \(role)")))))
                cells.append(Cell(permission: .manageCategories, role: role, command: Command(actor: actor, action: .renameIssueType(
                    RenameIssueType(issueTypeID: IssueTypeID(1 + n), name: "Renamed by \(role)")))))
                cells.append(Cell(permission: .manageCategories, role: role, command: Command(actor: actor, action: .retireIssueType(
                    RetireIssueType(issueTypeID: IssueTypeID(14 + n))))))
            }
            // 5 roles × (5 permissions × 5 tickets + set_issue_type × 5 + assign × 5 + reassign × 2 + 8 commands not about one ticket).
            let perRole: Int = 5 * 5 + 5 + 5 + 2 + 8
            #expect(cells.count == Role.allCases.count * perRole)
            let covered = Set(cells.map(\.permission))
            #expect(covered.union(Self.withoutCommand).union(Self.elsewhere) == Set(Permission.allCases) && covered.isDisjoint(with: Self.withoutCommand))

            let reader = try TicketReader(path: world.dir.path("tickets.db"))
            var before: [TicketID: Ticket] = [:]
            for cell in cells { if let id = cell.ticket { before[id] = try await reader.detail(id)?.ticket } }
            let replies = try await send(cells.map(\.command))
            var applied = 0
            for (cell, reply) in zip(cells, replies) {
                let label = "\(cell.role) \(cell.permission.rawValue) \(cell.kind?.rawValue ?? "-") (\(cell.command.action.type))"
                if cell.expectedApplied {
                    #expect(reply.isApplied, "\(label) should be applied: \(reply.refusal?.reason ?? "")")
                    applied += 1
                } else {
                    #expect(reply.refusal?.code == .forbidden, "\(label) should be forbidden, got \(reply.refusal.map { "\($0.code)" } ?? "applied")")
                    if let id = cell.ticket {
                        #expect(try await reader.detail(id)?.ticket == before[id], "\(label) changed the ticket")
                    }
                }
            }
            // The table is not all-or-nothing: both answers occur, for every role.
            #expect(applied > 0 && applied < cells.count)
            for role in Role.allCases {
                let mine = zip(cells, replies).filter { $0.0.role == role }
                #expect(mine.contains { $0.1.isApplied } && (role == .admin || mine.contains { !$0.1.isApplied }), "\(role)")
            }
            #expect(try world.commands.stats().waiting == 0)
        }
    }
}
