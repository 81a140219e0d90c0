import Domain
import SQLiteKit

// MARK: - "Me too" and merges (migration 15)

/// Followers, the affected count and merges of duplicates (docs/tickets.md, "Me too and merges").
///
/// `tickets.affected` is always 1 (the reporter) plus the ticket's rows in `ticket_followers`,
/// written in the same savepoint as those rows; the priority matrix reads it through
/// ``Ticket/matrixImpact``, so a change of count is a triage change (event `ticket_triaged`, an
/// `affected` audit row, the SLA deadlines retimed when the priority moves).
extension TicketStore {
    /// "Me too": the sender follows the ticket. Following twice, or one's own report, is a no-op.
    ///
    /// Following is reporting the same problem, so it needs `report_ticket` (every role holds it);
    /// a closed ticket is refused, and a merged one names the ticket to follow instead.
    func follow(_ f: FollowTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .reportTicket)
        let current = try load(f.ticketID)
        if let survivor = current.mergedInto {
            throw Refusal(.readOnly, "Ticket \(current.id) was merged into ticket \(survivor); follow that one.", field: "ticket_id")
        }
        guard current.status != .closed else {
            throw Refusal(.readOnly, "Ticket \(current.id) is closed; report the problem again if it is back.", field: "ticket_id")
        }
        let follower: Follower
        if let user = actor.userID {
            follower = .account(user)
        } else if let digest = try TicketRules.reporterKeyDigest(f.reporterKeyDigest) {
            follower = .reporterKey(digest)
        } else {
            throw Refusal(.validation, "Following needs who follows: an account, or on the campus desk the client's reporter key.",
                          field: "reporter_key_digest")
        }
        guard try !isReporter(follower, of: current), try addFollower(follower, to: current.id, at: now) else {
            return CommandReply(commandID: id, ticket: current)
        }
        let ticket = try recount(current, now: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// Closes the duplicate `ticket_id` into `into`: its reporter and followers follow the survivor,
    /// the duplicate is closed with `merged_into`, and both trails record it.
    ///
    /// Merging is triage (`triage_ticket` on both tickets). Refused: into itself, a closed duplicate,
    /// a closed survivor, and a survivor that was itself merged (named, so staff pick the last one:
    /// merges never form chains). Only the reporter and followers move: a message records its
    /// author's role and name, not an account, and a customer writes only on their own ticket.
    func merge(_ m: MergeTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard m.ticketID != m.into else { throw Refusal(.validation, "A ticket cannot be merged into itself.", field: "into") }
        let duplicate = try load(m.ticketID)
        let survivor: Ticket
        do { survivor = try load(m.into) } catch let refusal as Refusal {
            throw Refusal(refusal.code, refusal.reason, field: "into")
        }
        try Permissions.check(actor, .triageTicket, on: duplicate.parties)
        try Permissions.check(actor, .triageTicket, on: survivor.parties, field: "into")
        if let target = duplicate.mergedInto {
            throw Refusal(.readOnly, "Ticket \(duplicate.id) was already merged into ticket \(target).", field: "ticket_id")
        }
        guard duplicate.status != .closed else {
            throw Refusal(.readOnly, "Ticket \(duplicate.id) is closed; only an open or active ticket is merged.", field: "ticket_id")
        }
        if let target = survivor.mergedInto {
            throw Refusal(.readOnly, "Ticket \(survivor.id) was merged into ticket \(target); merge into ticket \(target) instead.",
                          field: "into")
        }
        guard survivor.status != .closed else {
            throw Refusal(.readOnly, "Ticket \(survivor.id) is closed; merge into an open or active ticket.", field: "into")
        }
        // Who the duplicate affects follows the survivor (its reporter first).
        for follower in try [reporter(of: duplicate)] + followers(of: duplicate.id) where try !isReporter(follower, of: survivor) {
            try addFollower(follower, to: survivor.id, at: now)
        }
        // The duplicate closes, as a close by staff would (its timers met), with the link.
        var closed = duplicate
        closed.status = .closed
        closed.modifiedAt = max(now, duplicate.modifiedAt)
        closed.closedAt = closed.modifiedAt
        closed.mergedInto = survivor.id
        closed.sla?.meet(.firstResponse, at: closed.modifiedAt)
        closed.sla?.meet(.resolution, at: closed.modifiedAt)
        try saveSLA(closed, from: duplicate)
        try db.cachedStatement("UPDATE tickets SET status = ?, modified_at = ?, closed_at = ?, merged_into = ? WHERE id = ?").execute { s in
            try s.bind(.text(closed.status.rawValue), at: 1)
            try s.bind(.integer(closed.modifiedAt.millisecondsSinceEpoch), at: 2)
            try s.bind(.optionalInteger(closed.closedAt?.millisecondsSinceEpoch), at: 3)
            try s.bind(.integer(survivor.id.rawValue), at: 4)
            try s.bind(.integer(closed.id.rawValue), at: 5)
        }
        try recordChange(.statusChanged, from: duplicate, to: closed, at: now, reason: "Merged into ticket \(survivor.id).")
        _ = try recount(survivor, now: now, extra: [(.mergedFrom, nil, String(duplicate.id.rawValue))])
        return CommandReply(commandID: id, ticket: closed)
    }

    // MARK: - Rows

    /// Sets `affected` from the follower rows, lets the matrix follow, and records the change
    /// (`extra` rows too, even when the count stayed).
    private func recount(_ current: Ticket, now: Timestamp, extra: [(field: AuditField, old: String?, new: String?)] = []) throws -> Ticket {
        let count = try db.cachedStatement("SELECT count(*) FROM ticket_followers WHERE ticket_id = ?")
            .queryFirst([.integer(current.id.rawValue)]) { $0.int64(at: 0) } ?? 0
        var ticket = current
        ticket.affected = 1 + Int(count)
        ticket.refreshPriority()
        try retimeSLA(&ticket, from: current)
        guard ticket != current || !extra.isEmpty else { return current }
        ticket.modifiedAt = max(now, current.modifiedAt)
        try saveSLA(ticket, from: current)
        try db.cachedStatement("UPDATE tickets SET affected = ?, priority = ?, priority_source = ?, modified_at = ? WHERE id = ?").execute { s in
            try s.bind(.integer(Int64(ticket.affected)), at: 1)
            try s.bind(.optionalText(ticket.priority?.rawValue), at: 2)
            try s.bind(.optionalText(ticket.prioritySource?.rawValue), at: 3)
            try s.bind(.integer(ticket.modifiedAt.millisecondsSinceEpoch), at: 4)
            try s.bind(.integer(ticket.id.rawValue), at: 5)
        }
        try recordChange(.ticketTriaged, from: current, to: ticket, at: now, extra: extra)
        return ticket
    }

    /// Adds the row; false when it was there already (following twice counts once).
    @discardableResult
    private func addFollower(_ follower: Follower, to ticket: TicketID, at time: Timestamp) throws -> Bool {
        try db.cachedStatement("INSERT OR IGNORE INTO ticket_followers (ticket_id, follower, added_at) VALUES (?, ?, ?)").execute { s in
            try s.bind(.integer(ticket.rawValue), at: 1)
            try s.bind(.text(follower.rawValue), at: 2)
            try s.bind(.integer(time.millisecondsSinceEpoch), at: 3)
        }
        return db.changes > 0
    }

    private func followers(of ticket: TicketID) throws -> [Follower] {
        try db.cachedStatement("SELECT follower FROM ticket_followers WHERE ticket_id = ? ORDER BY follower")
            .query([.integer(ticket.rawValue)]) { $0.text(at: 0) }
            .compactMap(Follower.init(rawValue:))
    }

    /// The reporter as a follower identity: the account, the campus client's key, or else the ticket itself.
    private func reporter(of ticket: Ticket) throws -> Follower {
        if let customer = ticket.customerID { return .account(customer) }
        let digest = try db.cachedStatement("SELECT key_digest FROM ticket_reporters WHERE ticket_id = ?")
            .queryFirst([.integer(ticket.id.rawValue)]) { $0.text(at: 0) }
        return digest.map(Follower.reporterKey) ?? .reporterOf(ticket.id)
    }

    /// Whether `follower` is the ticket's reporter (already counted in `affected`).
    private func isReporter(_ follower: Follower, of ticket: Ticket) throws -> Bool {
        try reporter(of: ticket) == follower
    }
}
