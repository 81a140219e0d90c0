/// Something that happened to a ticket, written to the outbox in the same transaction as the
/// change and published to the `events` exchange after commit.
///
/// Each event carries the ticket's analytic facts before and after the change, so subscribers
/// keep their aggregates by subtracting `before` and adding `after`, without a ticket table of their own.
public struct ChangeEvent: Sendable, Codable, Equatable {
    public var seq: SequenceNumber
    public var type: ChangeEventType
    public var ticketID: TicketID
    public var occurredAt: Timestamp
    /// The facts before the change; nil for a ticket that did not exist yet.
    public var before: TicketFacts?
    public var after: TicketFacts
    /// The audit rows this change wrote (who, through what, which fields from what to what); nil
    /// for events without field changes (a new ticket, a message) and from stores before the trail.
    public var changes: [HistoryEntry]?

    public init(seq: SequenceNumber, type: ChangeEventType, ticketID: TicketID, occurredAt: Timestamp, before: TicketFacts?, after: TicketFacts) {
        self.seq = seq
        self.type = type
        self.ticketID = ticketID
        self.occurredAt = occurredAt
        self.before = before
        self.after = after
    }

    enum CodingKeys: String, CodingKey {
        case seq, type, before, after, changes
        case ticketID = "ticket_id"
        case occurredAt = "occurred_at"
    }
}

/// The kinds of change events.
public enum ChangeEventType: String, Sendable, Codable, CaseIterable {
    case ticketOpened = "ticket_opened"
    case ticketEdited = "ticket_edited"
    case ticketCategorised = "ticket_categorised"
    case statusChanged = "status_changed"
    case messagePosted = "message_posted"
    case ticketImported = "ticket_imported"
    /// The assigned engineer changed (assigned, moved or taken back); only the facts' `assigneeID`
    /// changes, so the analytics other than service-levels add and subtract the same thing.
    case ticketAssigned = "ticket_assigned"
    case ticketTriaged = "ticket_triaged"
    /// The SLA monitor recorded a timer's transition (`at_risk`, `breached`): only `sla` differs.
    case slaChanged = "sla_changed"
}

/// The part of a ticket that the analytics depend on.
public struct TicketFacts: Sendable, Codable, Equatable, Hashable {
    public var category: Category
    public var status: Status
    public var openedAt: Timestamp
    public var closedAt: Timestamp?
    /// The ticket's SLA timers; nil for tickets without them (opened before SLA timers, or on a
    /// store without policies) and in events written before them.
    public var sla: TicketSLA?
    /// The ticket's priority (nil until triaged); the SLA dashboard counts compliance by it.
    /// Carried only beside `sla` (events without timers, and events written before, leave it nil).
    public var priority: Priority?
    /// The engineer the ticket is assigned to; the SLA dashboard's workload per engineer.
    /// Carried only beside `sla`, like `priority`.
    public var assigneeID: UserID?

    public init(category: Category, status: Status, openedAt: Timestamp, closedAt: Timestamp?, sla: TicketSLA? = nil,
                priority: Priority? = nil, assigneeID: UserID? = nil) {
        self.category = category
        self.status = status
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.sla = sla
        self.priority = priority
        self.assigneeID = assigneeID
    }

    enum CodingKeys: String, CodingKey {
        case category, status, sla, priority
        case assigneeID = "assignee_id"
        case openedAt = "opened_at"
        case closedAt = "closed_at"
    }
}
