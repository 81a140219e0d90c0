/// A reported problem, as stored by the ticket worker.
public struct Ticket: Sendable, Codable, Equatable, Hashable {
    public var id: TicketID
    public var description: String
    public var location: String?
    public var reporter: String?
    public var category: Category
    /// Who chose the category: the classifier (`auto`), staff (`staff`), or the issue type (`issue_type`).
    public var categorySource: CategorySource
    /// The classifier's confidence in `category` (0...1); nil when a person or an issue type chose it.
    public var categoryConfidence: Double?
    public var status: Status
    public var openedAt: Timestamp
    public var modifiedAt: Timestamp
    /// Set exactly when the ticket becomes `closed`; nil before.
    public var closedAt: Timestamp?
    /// The reporter's account on the network desk; nil on the campus desk and for imports.
    public var customerID: UserID?
    /// The engineer working the ticket, if any.
    public var assigneeID: UserID?
    /// How bad the problem is: suggested from the description (`auto`) or set by staff; nil until triaged.
    public var severity: Severity?
    public var severitySource: CategorySource?
    /// How many people are affected: the reporter's answer (default one person), or staff's.
    public var impact: Impact
    /// How soon: ``PriorityMatrix`` of severity and impact (`auto`), or set by staff; nil without a severity.
    public var priority: Priority?
    public var prioritySource: CategorySource?
    /// How staff reach the reporter (besides messages), and when the reporter prefers it (``ContactWindow`` text).
    public var contactEmail: String?
    public var contactPhone: String?
    public var preferredContactTime: String?
    /// The kind of problem picked from the list (``IssueType``), retired or not, and its current
    /// name; both nil without one. With one, `category` is the type's and `categorySource` `issue_type`.
    public var issueTypeID: IssueTypeID?
    public var issueTypeName: String?
    /// Its SLA timers and the policy version they run under (docs/sla.md, "Timers on tickets");
    /// nil for tickets opened before the timers existed.
    public var sla: TicketSLA?
    /// How many people the problem affects: the reporter and every follower ("me too", merges);
    /// 1 without followers. From ``PriorityMatrix/crowd`` on, the matrix counts impact one step higher.
    public var affected: Int
    /// The ticket this one was merged into as a duplicate (it was closed by the merge); nil otherwise.
    public var mergedInto: TicketID?

    public init(
        id: TicketID, description: String, location: String?, reporter: String?, category: Category,
        categorySource: CategorySource, categoryConfidence: Double?, status: Status, openedAt: Timestamp,
        modifiedAt: Timestamp, closedAt: Timestamp?, customerID: UserID? = nil, assigneeID: UserID? = nil,
        severity: Severity? = nil, severitySource: CategorySource? = nil, impact: Impact = .one,
        priority: Priority? = nil, prioritySource: CategorySource? = nil,
        contactEmail: String? = nil, contactPhone: String? = nil, preferredContactTime: String? = nil,
        issueTypeID: IssueTypeID? = nil, issueTypeName: String? = nil, sla: TicketSLA? = nil,
        affected: Int = 1, mergedInto: TicketID? = nil
    ) {
        self.id = id
        self.description = description
        self.location = location
        self.reporter = reporter
        self.category = category
        self.categorySource = categorySource
        self.categoryConfidence = categoryConfidence
        self.status = status
        self.openedAt = openedAt
        self.modifiedAt = modifiedAt
        self.closedAt = closedAt
        self.customerID = customerID
        self.assigneeID = assigneeID
        self.severity = severity
        self.severitySource = severitySource
        self.impact = impact
        self.priority = priority
        self.prioritySource = prioritySource
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.preferredContactTime = preferredContactTime
        self.issueTypeID = issueTypeID
        self.issueTypeName = issueTypeName
        self.sla = sla
        self.affected = affected
        self.mergedInto = mergedInto
    }

    /// Files the ticket under `type` (its category, source `issue_type`), or takes the type off
    /// (nil), leaving the category as a person's choice. The one place the pairing is kept.
    public mutating func setIssueType(_ type: IssueType?) {
        if let type {
            issueTypeID = type.id
            issueTypeName = type.name
            category = type.category
            categorySource = .issueType
            categoryConfidence = nil
        } else if issueTypeID != nil {
            issueTypeID = nil
            issueTypeName = nil
            categorySource = .staff
        }
    }

    /// The contact as the audit trail records it: both channels in one value.
    public var contactSummary: String? {
        switch (contactEmail, contactPhone) {
        case (nil, nil): nil
        case (let e?, nil): e
        case (nil, let p?): p
        case (let e?, let p?): "\(e), \(p)"
        }
    }

    /// Sets the severity (from `source`) and, unless staff pinned the priority, the priority that
    /// follows from severity and impact. The one place the matrix is applied to a ticket.
    public mutating func triage(severity: Severity?, source: CategorySource?) {
        self.severity = severity
        severitySource = severity == nil ? nil : source
        refreshPriority()
    }

    /// The matrix's priority, unless staff set one by hand.
    public mutating func refreshPriority() {
        guard prioritySource != .staff else { return }
        priority = severity.map { PriorityMatrix.priority(severity: $0, impact: matrixImpact) }
        prioritySource = priority == nil ? nil : .auto
    }

    /// The impact the matrix reads: the stored ``impact``, one step higher once ``affected`` reaches
    /// ``PriorityMatrix/crowd`` (docs/tickets.md, "Me too"). Staff's impact stays what they said.
    public var matrixImpact: Impact { PriorityMatrix.impact(impact, affected: affected) }

    /// Who the ticket belongs to, for `Permissions`.
    public var parties: TicketParties { TicketParties(customerID: customerID, assigneeID: assigneeID) }

    enum CodingKeys: String, CodingKey {
        case id, description, location, reporter, category
        case categorySource = "category_source"
        case categoryConfidence = "category_confidence"
        case status
        case openedAt = "opened_at"
        case modifiedAt = "modified_at"
        case closedAt = "closed_at"
        case customerID = "customer_id"
        case assigneeID = "assignee_id"
        case severity
        case severitySource = "severity_source"
        case impact, priority
        case prioritySource = "priority_source"
        case contactEmail = "contact_email"
        case contactPhone = "contact_phone"
        case preferredContactTime = "preferred_contact_time"
        case issueTypeID = "issue_type_id"
        case issueTypeName = "issue_type"
        case sla
        case slaState = "sla_state"
        case affected
        case mergedInto = "merged_into"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(TicketID.self, forKey: .id)
        description = try c.decode(String.self, forKey: .description)
        location = try c.decodeIfPresent(String.self, forKey: .location)
        reporter = try c.decodeIfPresent(String.self, forKey: .reporter)
        category = try c.decode(Category.self, forKey: .category)
        categorySource = try c.decode(CategorySource.self, forKey: .categorySource)
        categoryConfidence = try c.decodeIfPresent(Double.self, forKey: .categoryConfidence)
        status = try c.decode(Status.self, forKey: .status)
        openedAt = try c.decode(Timestamp.self, forKey: .openedAt)
        modifiedAt = try c.decode(Timestamp.self, forKey: .modifiedAt)
        closedAt = try c.decodeIfPresent(Timestamp.self, forKey: .closedAt)
        // Replies recorded before accounts existed have neither field.
        customerID = try c.decodeIfPresent(UserID.self, forKey: .customerID)
        assigneeID = try c.decodeIfPresent(UserID.self, forKey: .assigneeID)
        // Nor before triage existed.
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity)
        severitySource = try c.decodeIfPresent(CategorySource.self, forKey: .severitySource)
        impact = try c.decodeIfPresent(Impact.self, forKey: .impact) ?? .one
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority)
        prioritySource = try c.decodeIfPresent(CategorySource.self, forKey: .prioritySource)
        contactEmail = try c.decodeIfPresent(String.self, forKey: .contactEmail)
        contactPhone = try c.decodeIfPresent(String.self, forKey: .contactPhone)
        preferredContactTime = try c.decodeIfPresent(String.self, forKey: .preferredContactTime)
        issueTypeID = try c.decodeIfPresent(IssueTypeID.self, forKey: .issueTypeID)
        issueTypeName = try c.decodeIfPresent(String.self, forKey: .issueTypeName)
        sla = try c.decodeIfPresent(TicketSLA.self, forKey: .sla)
        // Replies recorded before followers existed have neither.
        affected = try c.decodeIfPresent(Int.self, forKey: .affected) ?? 1
        mergedInto = try c.decodeIfPresent(TicketID.self, forKey: .mergedInto)
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls: API clients rely on `closed_at: null` rather than a missing key.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(description, forKey: .description)
        try c.encode(location, forKey: .location)
        try c.encode(reporter, forKey: .reporter)
        try c.encode(category, forKey: .category)
        try c.encode(categorySource, forKey: .categorySource)
        try c.encode(categoryConfidence, forKey: .categoryConfidence)
        try c.encode(status, forKey: .status)
        try c.encode(openedAt, forKey: .openedAt)
        try c.encode(modifiedAt, forKey: .modifiedAt)
        try c.encode(closedAt, forKey: .closedAt)
        try c.encode(customerID, forKey: .customerID)
        try c.encode(assigneeID, forKey: .assigneeID)
        try c.encode(severity, forKey: .severity)
        try c.encode(severitySource, forKey: .severitySource)
        try c.encode(impact, forKey: .impact)
        try c.encode(priority, forKey: .priority)
        try c.encode(prioritySource, forKey: .prioritySource)
        try c.encode(contactEmail, forKey: .contactEmail)
        try c.encode(contactPhone, forKey: .contactPhone)
        try c.encode(preferredContactTime, forKey: .preferredContactTime)
        try c.encode(issueTypeID, forKey: .issueTypeID)
        try c.encode(issueTypeName, forKey: .issueTypeName)
        try c.encodeIfPresent(sla, forKey: .sla)
        try c.encode(affected, forKey: .affected)
        try c.encode(mergedInto, forKey: .mergedInto)
        // The states at the encoder's `slaNow` (the API's answers), beside the stored facts.
        if let sla, let now = encoder.userInfo[.slaNow] as? Timestamp {
            try c.encode(SLAStates(sla, now: now), forKey: .slaState)
        }
    }

    /// The facts analytics need, taken from this ticket.
    public var facts: TicketFacts {
        // Priority and assignee travel beside the timers only (the events table keeps them in its SLA text).
        TicketFacts(category: category, status: status, openedAt: openedAt, closedAt: closedAt, sla: sla,
                    priority: sla == nil ? nil : priority, assigneeID: sla == nil ? nil : assigneeID)
    }
}

/// A message in the conversation under a ticket.
public struct Message: Sendable, Codable, Equatable, Hashable {
    public var id: MessageID
    public var ticketID: TicketID
    public var authorRole: Role
    public var authorName: String?
    public var body: String
    public var sentAt: Timestamp

    public init(id: MessageID, ticketID: TicketID, authorRole: Role, authorName: String?, body: String, sentAt: Timestamp) {
        self.id = id
        self.ticketID = ticketID
        self.authorRole = authorRole
        self.authorName = authorName
        self.body = body
        self.sentAt = sentAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case ticketID = "ticket_id"
        case authorRole = "author_role"
        case authorName = "author_name"
        case body
        case sentAt = "sent_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ticketID, forKey: .ticketID)
        try c.encode(authorRole, forKey: .authorRole)
        try c.encode(authorName, forKey: .authorName)
        try c.encode(body, forKey: .body)
        try c.encode(sentAt, forKey: .sentAt)
    }
}

/// Limits on free text, shared by the worker (the guard) and the gateway (a convenience).
public enum TextLimits {
    /// Description and message body: 1...5,000 characters after trimming.
    public static let maxDescription = 5_000
    public static let maxMessageBody = 5_000
    /// Location and reporter/author names.
    public static let maxShortField = 200
}

/// A ticket's SLA states at one instant, as the API shows them (`sla_state`): the ticket's one word
/// (``TicketSLA/state(now:)``) and each timer's.
public struct SLAStates: Sendable, Codable, Equatable {
    public var state: SLAState
    public var firstResponse: SLAState
    public var resolution: SLAState

    public init(_ sla: TicketSLA, now: Timestamp) {
        state = sla.state(now: now)
        firstResponse = sla.firstResponse.state(now: now)
        resolution = sla.resolution.state(now: now)
    }

    enum CodingKeys: String, CodingKey { case state, firstResponse = "first_response", resolution }
}

extension CodingUserInfoKey {
    /// The instant a ticket's SLA states are computed at when it is encoded (``SLAStates``); without
    /// it (stored replies, the queue) only the timers are encoded.
    public static let slaNow = CodingUserInfoKey(rawValue: "campusdesk.sla-now")!
}
