import Domain

/// What the audience and the templates need of a ticket beyond its change event: who reported it,
/// who works it, how urgent it is, and its text.
///
/// Why apart from the event: change events carry only the analytics' facts. The notifier reads the
/// rest from the ticket store's query side when it handles the event (``init(_:)``), so the text
/// shows the ticket as it is then, which may be a little after the event.
public struct TicketSnapshot: Sendable, Equatable {
    public var id: TicketID
    public var description: String
    public var status: Status
    public var category: Category
    public var priority: Priority?
    /// The reporter's account (network desk); nil for a campus visitor or an import.
    public var customerID: UserID?
    /// The name a campus visitor gave, and the contact given on the ticket.
    public var reporterName: String?
    public var contactEmail: String?
    public var contactPhone: String?
    public var assigneeID: UserID?
    /// The author of the ticket's newest message, for "the other side of the conversation".
    public var lastMessageAuthorRole: Role?
    public var lastMessageBody: String?
    /// The reporter's preferred contact window (`preferred_contact_time`): their non-urgent
    /// notifications about this ticket wait for it (``ContactSchedule``).
    public var preferredContactTime: ContactWindow?
    /// The digest of the reporter key a campus reporter filed it with (`ticket_reporters`): the
    /// key of their web inbox (``Inbox``); nil on the network desk and for imports.
    public var reporterKeyDigest: String?
    /// Who follows the ticket besides its reporter ("me too", merged duplicates): they hear what
    /// the reporter hears (``Audience``).
    public var followers: [TicketFollower] = []

    public init(id: TicketID, description: String, status: Status, category: Category, priority: Priority? = nil,
                customerID: UserID? = nil, reporterName: String? = nil, contactEmail: String? = nil, contactPhone: String? = nil,
                assigneeID: UserID? = nil, lastMessageAuthorRole: Role? = nil, lastMessageBody: String? = nil,
                preferredContactTime: ContactWindow? = nil) {
        self.id = id
        self.description = description
        self.status = status
        self.category = category
        self.priority = priority
        self.customerID = customerID
        self.reporterName = reporterName
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.assigneeID = assigneeID
        self.lastMessageAuthorRole = lastMessageAuthorRole
        self.lastMessageBody = lastMessageBody
        self.preferredContactTime = preferredContactTime
    }

    /// The snapshot of a ticket read with its messages (the newest message is the one a
    /// `message_posted` event is about, or a later one).
    public init(_ detail: TicketDetail) {
        let t = detail.ticket
        self.init(id: t.id, description: t.description, status: t.status, category: t.category, priority: t.priority,
                  customerID: t.customerID, reporterName: t.reporter, contactEmail: t.contactEmail, contactPhone: t.contactPhone,
                  assigneeID: t.assigneeID, lastMessageAuthorRole: detail.messages.last?.authorRole,
                  lastMessageBody: detail.messages.last?.body, preferredContactTime: t.preferredContactTime.flatMap(ContactWindow.init(parsing:)))
    }
}
