/// Through what a change reached the ticket worker: recorded with every audited change.
public enum Channel: String, Sendable, Codable, CaseIterable, Hashable {
    /// The gateway's pages (a browser).
    case web
    /// The gateway's JSON API.
    case api
    /// `campusdesk import` (a CSV file).
    case `import`
    /// The SLA monitor.
    case sla
    /// The operator's other tools (`campusdesk users`, `demo`).
    case cli
}

/// A ticket field whose changes the audit trail records (one name each in code, database, JSON and UI).
public enum AuditField: String, Sendable, Codable, CaseIterable, Hashable {
    case status, category
    case issueType = "issue_type"
    case severity, impact, priority, assignee, description, location, reporter, contact
    case preferredContactTime = "preferred_contact_time"
    /// A transition the SLA monitor recorded on a timer (`on_track` → `at_risk` → `breached`).
    case slaFirstResponse = "sla_first_response"
    case slaResolution = "sla_resolution"
    /// How many people are affected (the reporter and the followers): a "me too" or a merge.
    case affected
    /// On a duplicate: the ticket it was merged into.
    case mergedInto = "merged_into"
    /// On the surviving ticket: a duplicate merged into it (new value: the duplicate's number).
    case mergedFrom = "merged_from"

    /// The field that records transitions of `timer`.
    public static func sla(_ timer: SLATimerKind) -> AuditField { timer == .firstResponse ? .slaFirstResponse : .slaResolution }
}

/// One row of a ticket's audit trail: who changed which field from what to what, when and through
/// what. Written in the transaction of the change; never updated or deleted (the schema refuses).
///
/// Values are the field's wire form (`open`, `it`, an engineer's account number, an issue type's
/// number, the text itself); nil means "none" (before a ticket existed, an empty location, no assignee).
public struct HistoryEntry: Sendable, Codable, Equatable, Hashable {
    public var id: Int64
    public var ticketID: TicketID
    public var changedAt: Timestamp
    /// The account that made the change; nil on the campus desk and for the operator's tools.
    public var actorID: UserID?
    public var actorRole: Role
    /// The account's name, or the name a campus visitor gave; nil when none was given.
    public var actorName: String?
    /// Nil for commands sent before channels were recorded.
    public var channel: Channel?
    public var field: AuditField
    public var oldValue: String?
    public var newValue: String?
    /// Why, as the actor said (a reopen always has one; other status changes may); nil for none.
    public var reason: String?

    public init(id: Int64, ticketID: TicketID, changedAt: Timestamp, actorID: UserID?, actorRole: Role, actorName: String?,
                channel: Channel?, field: AuditField, oldValue: String?, newValue: String?, reason: String? = nil) {
        self.id = id
        self.ticketID = ticketID
        self.changedAt = changedAt
        self.actorID = actorID
        self.actorRole = actorRole
        self.actorName = actorName
        self.channel = channel
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, field, reason
        case ticketID = "ticket_id"
        case changedAt = "changed_at"
        case actorID = "actor_id"
        case actorRole = "actor_role"
        case actorName = "actor_name"
        case oldValue = "old_value"
        case newValue = "new_value"
    }

    /// Every member present, `null` for none, as the API document says.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ticketID, forKey: .ticketID)
        try c.encode(changedAt, forKey: .changedAt)
        try c.encode(actorID, forKey: .actorID)
        try c.encode(actorRole, forKey: .actorRole)
        try c.encode(actorName, forKey: .actorName)
        try c.encode(channel, forKey: .channel)
        try c.encode(field, forKey: .field)
        try c.encode(oldValue, forKey: .oldValue)
        try c.encode(newValue, forKey: .newValue)
        try c.encode(reason, forKey: .reason)
    }

    /// The audited fields that differ between two states of a ticket, as (field, old, new);
    /// `before` nil is a new ticket, whose status and category (and anything else set) are recorded.
    public static func changes(from before: Ticket?, to after: Ticket) -> [(field: AuditField, old: String?, new: String?)] {
        var out: [(field: AuditField, old: String?, new: String?)] = []
        func note(_ field: AuditField, _ old: String?, _ new: String?) {
            if old != new { out.append((field, old, new)) }
        }
        note(.status, before?.status.rawValue, after.status.rawValue)
        note(.category, before?.category.rawValue, after.category.rawValue)
        note(.issueType, before?.issueTypeID.map { String($0.rawValue) }, after.issueTypeID.map { String($0.rawValue) })
        note(.severity, before?.severity?.rawValue, after.severity?.rawValue)
        note(.impact, before?.impact.rawValue, after.impact.rawValue)
        note(.priority, before?.priority?.rawValue, after.priority?.rawValue)
        note(.assignee, before?.assigneeID.map { String($0.rawValue) }, after.assigneeID.map { String($0.rawValue) })
        note(.description, before?.description, after.description)
        note(.location, before?.location, after.location)
        note(.reporter, before?.reporter, after.reporter)
        note(.contact, before?.contactSummary, after.contactSummary)
        note(.preferredContactTime, before?.preferredContactTime, after.preferredContactTime)
        // A new ticket's one affected person (its reporter) is not a change.
        if let before { note(.affected, String(before.affected), String(after.affected)) }
        note(.mergedInto, before?.mergedInto.map { String($0.rawValue) }, after.mergedInto.map { String($0.rawValue) })
        // Transitions recorded by the SLA monitor, and their reset by a priority change; not the
        // start of the timers (a new ticket) nor the deadlines (they follow the priority row).
        if let b = before?.sla, let a = after.sla {
            for kind in SLATimerKind.allCases {
                note(.sla(kind), b[kind].recorded.rawValue, a[kind].recorded.rawValue)
            }
        }
        return out
    }
}
