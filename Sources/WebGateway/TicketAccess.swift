import Domain
import SpoolBroker
import TicketStore
import HTTPServer

/// The gateway's side of the permission table for tickets: which tickets an actor sees, and the
/// early check in front of every change (the worker checks again; `Permissions` is the one table).
enum TicketAccess {
    /// Whether the actor sees closed tickets it may view, without asking who reported them. On the
    /// campus desk customers have no account, so every ticket counts as theirs while open; of the
    /// closed ones they see only those their own browser (or API key) reported (``mayRead``).
    /// On the network desk a customer sees their own tickets in every status.
    static func seesClosed(_ actor: Actor, mode: AuthMode) -> Bool {
        mode == .accounts || Permissions.reach(actor.role, .viewTicket) == .all
    }

    /// Whether `ticket` exists for the actor from its fields alone (else the gateway answers 404,
    /// not 403: another person's ticket is not even said to exist).
    static func mayView(_ actor: Actor, _ ticket: Ticket, mode: AuthMode) -> Bool {
        Permissions.allows(actor, .viewTicket, on: ticket.parties) && (ticket.status != .closed || seesClosed(actor, mode: mode))
    }

    /// `mayView`, or on the campus desk a closed ticket that the caller reported: the client whose
    /// reporter key (``ReporterKey``; `reporterKey` is its digest) filed it reads it, read-only.
    static func mayRead(_ actor: Actor, _ ticket: Ticket, mode: AuthMode, reporterKey: String?, tickets: TicketReader) async throws -> Bool {
        if mayView(actor, ticket, mode: mode) { return true }
        guard mode == .open, ticket.status == .closed, let reporterKey, Permissions.allows(actor, .viewTicket, on: ticket.parties) else { return false }
        return try await tickets.isReporter(of: ticket.id, keyDigest: reporterKey)
    }

    /// The permission a change of assignee needs: moving a ticket from one engineer to another is
    /// reassigning; assigning an unassigned ticket or taking an assignment back is assigning.
    static func assignPermission(current: UserID?, new: UserID?) -> Permission {
        if let current, let new, current != new { .reassignTicket } else { .assignTicket }
    }

    enum Gate: Sendable {
        /// Send the command; the ticket when it had to be read.
        case allowed(Ticket?)
        /// No such ticket, or one the actor may not see.
        case notFound
        case forbidden(Refusal)
    }

    /// May `actor` do `permission` on ticket `id`? The ticket is read only when the answer depends
    /// on it (a reach of `own` or `assigned`), or when `alwaysRead` (the assignment needs the
    /// current assignee); a role that never may is told so without a read. A ticket the actor may
    /// not read (``mayRead``: on the campus desk a closed ticket another browser reported) is
    /// `notFound`, so a change to it says no more than a read would.
    static func gate(_ actor: Actor, _ permission: Permission, ticket id: TicketID, tickets: TicketReader,
                     mode: AuthMode, reporterKey: String?, alwaysRead: Bool = false) async throws -> Gate {
        if Permissions.reach(actor.role, permission) == .none { return .forbidden(refusal(actor, permission)) }
        let needsTicket = alwaysRead || Permissions.reach(actor.role, .viewTicket) != .all || Permissions.reach(actor.role, permission) != .all
        guard needsTicket else { return .allowed(nil) }
        guard let ticket = try await tickets.detail(id)?.ticket,
              try await mayRead(actor, ticket, mode: mode, reporterKey: reporterKey, tickets: tickets) else { return .notFound }
        guard Permissions.allows(actor, permission, on: ticket.parties) else { return .forbidden(refusal(actor, permission, on: ticket.parties)) }
        return .allowed(ticket)
    }

    /// Why `id` cannot be given a ticket, or nil: no such account (`not_found`), or not an active
    /// engineer (`conflict`: the account exists but is not in a state to take tickets).
    ///
    /// The API asks before sending `assign_ticket`, so a well-formed request naming the wrong account
    /// gets the status of what is wrong with it; the worker checks again (its own words, `validation`).
    static func assigneeRefusal(_ id: UserID, accounts: any AccountQuerying) async throws -> Refusal? {
        guard let user = try await accounts.user(id) else { return Refusal(.notFound, "There is no account \(id.rawValue).", field: "assignee_id") }
        guard user.active else { return Refusal(.conflict, "\(user.name)'s account is deactivated.", field: "assignee_id") }
        guard user.role == .engineer else {
            return Refusal(.conflict, "Tickets are assigned to engineers; \(user.name) is \(user.role.withArticle).", field: "assignee_id")
        }
        return nil
    }

    /// The table's own refusal (its wording: "An engineer may … only on tickets assigned to them.").
    static func refusal(_ actor: Actor, _ permission: Permission, on parties: TicketParties? = nil) -> Refusal {
        do {
            if let parties { try Permissions.check(actor, permission, on: parties) } else { try Permissions.check(actor, permission) }
        } catch {
            return error
        }
        return Refusal(.forbidden, "Not allowed.")
    }
}
