import Foundation
import Domain
import SQLiteKit

// MARK: - SLA timers on tickets (docs/sla.md, "Timers on tickets")

extension TicketStore {
    /// The newest SLA version; on a store without one, writes version 1: the default policies and
    /// the standard calendar in `timeZone` (the operator's, as `CAMPUSDESK_TZ` gives it).
    static func openSLA(_ db: Connection, timeZone: TimeZone, now: Timestamp, replication: ReplicationLog?) throws -> SLAVersion {
        if let latest = try SLAVersion.latest(db) { return latest }
        return try db.transaction(.immediate) { db in
            let version = try SLAVersion.insert(db, policies: .default, calendar: .standard(timeZone: timeZone), at: now,
                                                by: Actor(role: .admin), name: nil)
            _ = try replication?.record(db)
            return version
        }
    }

    /// Version `number` (the one a ticket runs under); the current one without a query.
    func slaVersion(_ number: Int64) throws -> SLAVersion {
        if number == currentSLA.version { return currentSLA }
        guard let version = try SLAVersion.load(db, version: number) else {
            throw SQLiteError(.corrupt, message: "ticket runs under SLA version \(number), which is not in sla_versions")
        }
        return version
    }

    /// The timers of a ticket of the current version, opened at its opening time; with a history
    /// (an import), the targets its messages and status already met.
    func startSLA(_ ticket: inout Ticket, messages: [ImportedMessage] = []) {
        var sla = currentSLA.timers(priority: ticket.priority, opened: ticket.openedAt)
        if let reply = messages.filter({ $0.authorRole.isStaff }).map(\.sentAt).min() { sla.meet(.firstResponse, at: reply) }
        // An imported ticket past `open` was answered at the latest when it last changed.
        if ticket.status != .open { sla.meet(.firstResponse, at: ticket.closedAt ?? ticket.modifiedAt) }
        if let closedAt = ticket.closedAt { sla.meet(.resolution, at: closedAt) }
        ticket.sla = sla
    }

    /// After a change that may have moved the priority: the running timers follow it
    /// (``TicketSLA/retimed(priority:opened:under:)``), under the version the ticket runs under.
    func retimeSLA(_ ticket: inout Ticket, from current: Ticket) throws {
        guard ticket.priority != current.priority, let sla = ticket.sla else { return }
        ticket.sla = sla.retimed(priority: ticket.priority, opened: ticket.openedAt, under: try slaVersion(sla.policyVersion))
    }

    /// Writes the ticket's timers when they differ from `current`'s.
    func saveSLA(_ ticket: Ticket, from current: Ticket) throws {
        guard ticket.sla != current.sla else { return }
        try db.cachedStatement("""
            UPDATE tickets SET (\(TicketSLA.columns)) = (?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?
            """).execute { s in
            try TicketSLA.bind(ticket.sla, to: s, at: 1)
            try s.bind(.integer(ticket.id.rawValue), at: 10)
        }
    }

    /// A transition the SLA monitor saw a timer cross, recorded once (docs/sla.md, "Recording a transition").
    ///
    /// Only the SLA monitor sends it: channel `sla`, as the operator (role admin, no account).
    /// It changes nothing, and is acknowledged with the ticket as it is, when it is stale (the timer
    /// no longer has the instant `at`: the priority changed, or the ticket has no timers), when the
    /// timer was met by then, or when this state or a later one is recorded already.
    func recordSLATransition(_ r: RecordSLATransition, command: Command, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard command.channel == .sla, actor.userID == nil, actor.role == .admin else {
            throw Refusal(.forbidden, "Only the SLA monitor records SLA transitions.")
        }
        guard r.state == .atRisk || r.state == .breached else {
            throw Refusal(.validation, "An SLA transition is at_risk or breached.", field: "state")
        }
        let current = try load(r.ticketID)
        guard var sla = current.sla else { return CommandReply(commandID: id, ticket: current) }
        let timer = sla[r.timer]
        let instant = r.state == .atRisk ? timer.deadlines.atRisk : timer.deadlines.due
        guard instant == r.at, timer.state(now: r.at) != .met, timer.recorded.recordRank < r.state.recordRank else {
            return CommandReply(commandID: id, ticket: current)
        }
        sla[r.timer].recorded = r.state
        var ticket = current
        ticket.sla = sla
        try saveSLA(ticket, from: current)
        // The audit row carries the instant crossed; the event is published now, in order.
        try recordChange(.slaChanged, from: current, to: ticket, at: now, changedAt: r.at)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// A new version of the policies or the calendar (the other part as it is), for tickets opened
    /// from now on; who made it and when are stored with it. Refused to roles without
    /// `edit_sla_policies` on this desk.
    func setSLA(policies: SLAPolicies?, calendar: BusinessCalendar?, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard Permissions.reach(actor.role, .editSLAPolicies, desk: authMode) == .all else {
            throw Refusal(.forbidden, "\(actor.role.withArticle.capitalized) may not edit the SLA policies or calendar.")
        }
        let name = try actor.userID.map { try loadUser($0)?.name } ?? performing?.command.actorName
        currentSLA = try SLAVersion.insert(db, policies: policies ?? currentSLA.policies, calendar: calendar ?? currentSLA.calendar,
                                           at: now, by: actor, name: name)
        return CommandReply(commandID: id)
    }
}
