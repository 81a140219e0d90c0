/// A request to change tickets, sent by the gateway (or an operator tool) on the `commands` queue.
///
/// The `id` makes it idempotent: the ticket worker records each applied id with its reply,
/// so a redelivered command is applied once and answered the same way again.
public struct Command: Sendable, Codable, Equatable {
    public var id: CommandID
    /// The role the sender acts in; the worker checks every rule against it (`Permissions`).
    public var role: Role
    /// The account the sender acts for (the network desk); nil on the campus desk and for operator
    /// tools. With an account, the worker takes the role from the stored account, not from here.
    public var userID: UserID?
    public var action: CommandAction
    /// Through what the command came (audit trail); nil from senders older than the trail.
    public var channel: Channel?
    /// The name a campus visitor gave (audit trail); with an account the worker uses the account's name.
    public var actorName: String?

    public init(id: CommandID = .random(), role: Role, userID: UserID? = nil, action: CommandAction,
                channel: Channel? = nil, actorName: String? = nil) {
        self.id = id
        self.role = role
        self.userID = userID
        self.action = action
        self.channel = channel
        self.actorName = actorName
    }

    public init(id: CommandID = .random(), actor: Actor, action: CommandAction, channel: Channel? = nil, actorName: String? = nil) {
        self.init(id: id, role: actor.role, userID: actor.userID, action: action, channel: channel, actorName: actorName)
    }

    public var actor: Actor { Actor(role: role, userID: userID) }

    enum CodingKeys: String, CodingKey { case id, role, userID = "user_id", action, channel, actorName = "actor_name" }
}

/// What a command asks for. JSON: `{"type": "create_ticket", ...fields}` inside the command's `action`.
public enum CommandAction: Sendable, Equatable {
    case createTicket(CreateTicket)
    case editTicket(EditTicket)
    case changeStatus(ChangeStatus)
    case postMessage(PostMessage)
    case setCategory(SetCategory)
    case setTriage(SetTriage)
    case importTicket(ImportTicket)
    case assignTicket(AssignTicket)
    case registerUser(RegisterUser)
    case createUser(CreateUser)
    case updateUser(UpdateUser)
    case changePassword(ChangePassword)
    case startSession(StartSession)
    case endSession(EndSession)
    case addIssueType(AddIssueType)
    case renameIssueType(RenameIssueType)
    case retireIssueType(RetireIssueType)
    case setIssueType(SetIssueType)
    /// From the SLA monitor only (channel `sla`), never from HTTP.
    case recordSLATransition(RecordSLATransition)
    case setSLAPolicies(SetSLAPolicies)
    case setSLACalendar(SetSLACalendar)
    case addAttachment(AddAttachment)
    case followTicket(FollowTicket)
    case mergeTicket(MergeTicket)

    /// The wire name of this action.
    public var type: String {
        switch self {
        case .createTicket: "create_ticket"
        case .editTicket: "edit_ticket"
        case .changeStatus: "change_status"
        case .postMessage: "post_message"
        case .setCategory: "set_category"
        case .setTriage: "set_triage"
        case .importTicket: "import_ticket"
        case .assignTicket: "assign_ticket"
        case .registerUser: "register_user"
        case .createUser: "create_user"
        case .updateUser: "update_user"
        case .changePassword: "change_password"
        case .startSession: "start_session"
        case .endSession: "end_session"
        case .addIssueType: "add_issue_type"
        case .renameIssueType: "rename_issue_type"
        case .retireIssueType: "retire_issue_type"
        case .setIssueType: "set_issue_type"
        case .recordSLATransition: "record_sla_transition"
        case .setSLAPolicies: "set_sla_policies"
        case .setSLACalendar: "set_sla_calendar"
        case .addAttachment: "add_attachment"
        case .followTicket: "follow_ticket"
        case .mergeTicket: "merge_ticket"
        }
    }
}

extension CommandAction: Codable {
    private enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "create_ticket": self = .createTicket(try CreateTicket(from: decoder))
        case "edit_ticket": self = .editTicket(try EditTicket(from: decoder))
        case "change_status": self = .changeStatus(try ChangeStatus(from: decoder))
        case "post_message": self = .postMessage(try PostMessage(from: decoder))
        case "set_category": self = .setCategory(try SetCategory(from: decoder))
        case "set_triage": self = .setTriage(try SetTriage(from: decoder))
        case "import_ticket": self = .importTicket(try ImportTicket(from: decoder))
        case "assign_ticket": self = .assignTicket(try AssignTicket(from: decoder))
        case "register_user": self = .registerUser(try RegisterUser(from: decoder))
        case "create_user": self = .createUser(try CreateUser(from: decoder))
        case "update_user": self = .updateUser(try UpdateUser(from: decoder))
        case "change_password": self = .changePassword(try ChangePassword(from: decoder))
        case "start_session": self = .startSession(try StartSession(from: decoder))
        case "end_session": self = .endSession(try EndSession(from: decoder))
        case "add_issue_type": self = .addIssueType(try AddIssueType(from: decoder))
        case "rename_issue_type": self = .renameIssueType(try RenameIssueType(from: decoder))
        case "retire_issue_type": self = .retireIssueType(try RetireIssueType(from: decoder))
        case "set_issue_type": self = .setIssueType(try SetIssueType(from: decoder))
        case "record_sla_transition": self = .recordSLATransition(try RecordSLATransition(from: decoder))
        case "set_sla_policies": self = .setSLAPolicies(try SetSLAPolicies(from: decoder))
        case "set_sla_calendar": self = .setSLACalendar(try SetSLACalendar(from: decoder))
        case "add_attachment": self = .addAttachment(try AddAttachment(from: decoder))
        case "follow_ticket": self = .followTicket(try FollowTicket(from: decoder))
        case "merge_ticket": self = .mergeTicket(try MergeTicket(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "unknown command type \(type.prefix(40))"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .createTicket(let a): try a.encode(to: encoder)
        case .editTicket(let a): try a.encode(to: encoder)
        case .changeStatus(let a): try a.encode(to: encoder)
        case .postMessage(let a): try a.encode(to: encoder)
        case .setCategory(let a): try a.encode(to: encoder)
        case .setTriage(let a): try a.encode(to: encoder)
        case .importTicket(let a): try a.encode(to: encoder)
        case .assignTicket(let a): try a.encode(to: encoder)
        case .registerUser(let a): try a.encode(to: encoder)
        case .createUser(let a): try a.encode(to: encoder)
        case .updateUser(let a): try a.encode(to: encoder)
        case .changePassword(let a): try a.encode(to: encoder)
        case .startSession(let a): try a.encode(to: encoder)
        case .endSession(let a): try a.encode(to: encoder)
        case .addIssueType(let a): try a.encode(to: encoder)
        case .renameIssueType(let a): try a.encode(to: encoder)
        case .retireIssueType(let a): try a.encode(to: encoder)
        case .setIssueType(let a): try a.encode(to: encoder)
        case .recordSLATransition(let a): try a.encode(to: encoder)
        case .setSLAPolicies(let a): try a.encode(to: encoder)
        case .setSLACalendar(let a): try a.encode(to: encoder)
        case .addAttachment(let a): try a.encode(to: encoder)
        case .followTicket(let a): try a.encode(to: encoder)
        case .mergeTicket(let a): try a.encode(to: encoder)
        }
    }
}

/// Report a new problem. The reporter's issue type, when chosen, decides the category; without
/// one the classifier does.
public struct CreateTicket: Sendable, Codable, Equatable {
    public var description: String
    public var location: String?
    public var reporter: String?
    /// How many people the reporter says are affected; nil means one person.
    public var impact: Impact?
    public var contactEmail: String?
    public var contactPhone: String?
    /// Days and hours (``ContactWindow``), stored in canonical form.
    public var preferredContactTime: String?
    /// The reporter's pick from the offered (not retired) issue types; nil: "not sure".
    public var issueTypeID: IssueTypeID?
    /// On the campus desk, the SHA-256 (64 lower-case hex digits) of the secret the reporting client
    /// holds (its browser's `cd_browser` cookie, or the API's `X-CampusDesk-Reporter-Key`): who may
    /// read the ticket once it is closed (``ReporterKey``). Nil on the network desk (`customer_id` says it).
    public var reporterKeyDigest: String?
    public init(description: String, location: String? = nil, reporter: String? = nil, impact: Impact? = nil,
                contactEmail: String? = nil, contactPhone: String? = nil, preferredContactTime: String? = nil,
                issueTypeID: IssueTypeID? = nil, reporterKeyDigest: String? = nil) {
        self.description = description
        self.location = location
        self.reporter = reporter
        self.impact = impact
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.preferredContactTime = preferredContactTime
        self.issueTypeID = issueTypeID
        self.reporterKeyDigest = reporterKeyDigest
    }
    enum CodingKeys: String, CodingKey {
        case description, location, reporter, impact
        case contactEmail = "contact_email"
        case contactPhone = "contact_phone"
        case preferredContactTime = "preferred_contact_time"
        case issueTypeID = "issue_type_id"
        case reporterKeyDigest = "reporter_key_digest"
    }
}

/// Change the text fields of an `open` or `active` ticket. A nil field stays as it is;
/// an empty `location` or `reporter` clears it. A new description re-assigns the category
/// unless staff set it by hand.
public struct EditTicket: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var description: String?
    public var location: String?
    public var reporter: String?
    /// An empty value clears the contact field, as for location.
    public var contactEmail: String?
    public var contactPhone: String?
    public var preferredContactTime: String?
    public init(ticketID: TicketID, description: String? = nil, location: String? = nil, reporter: String? = nil,
                contactEmail: String? = nil, contactPhone: String? = nil, preferredContactTime: String? = nil) {
        self.ticketID = ticketID
        self.description = description
        self.location = location
        self.reporter = reporter
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.preferredContactTime = preferredContactTime
    }
    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id", description, location, reporter
        case contactEmail = "contact_email"
        case contactPhone = "contact_phone"
        case preferredContactTime = "preferred_contact_time"
    }
}

/// Move a ticket along its lifecycle (staff only): `open → active`, `active → closed`, or reopen
/// `closed → active` (managers and admins; on the campus desk helpdesk staff), which needs a reason.
public struct ChangeStatus: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var status: Status
    /// Why (recorded in the ticket's history with the status change): required to reopen, optional otherwise.
    public var reason: String?
    public init(ticketID: TicketID, status: Status, reason: String? = nil) {
        self.ticketID = ticketID
        self.status = status
        self.reason = reason
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", status, reason }
}

/// Add a message to a ticket's conversation; the author's role is the command's role.
public struct PostMessage: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var body: String
    public var authorName: String?
    public init(ticketID: TicketID, body: String, authorName: String? = nil) {
        self.ticketID = ticketID
        self.body = body
        self.authorName = authorName
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", body, authorName = "author_name" }
}

/// Set a ticket's category by hand (staff only); it then stays through later edits.
public struct SetCategory: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var category: Category
    public init(ticketID: TicketID, category: Category) {
        self.ticketID = ticketID
        self.category = category
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", category }
}

/// Triage by hand (agents, managers, admins): any of severity, impact and priority. A severity set
/// here is `staff`'s and stays; `priority` pins a priority, or `auto` lets the matrix decide again.
public struct SetTriage: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var severity: Severity?
    public var impact: Impact?
    public var priority: PriorityChoice?
    public init(ticketID: TicketID, severity: Severity? = nil, impact: Impact? = nil, priority: PriorityChoice? = nil) {
        self.ticketID = ticketID
        self.severity = severity
        self.impact = impact
        self.priority = priority
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", severity, impact, priority }
}

/// A priority set by hand, or `auto`: back to the matrix of severity and impact.
public enum PriorityChoice: Sendable, Equatable, Codable, Hashable {
    case auto
    case pinned(Priority)

    public init?(rawValue: String) {
        if rawValue == "auto" { self = .auto } else if let p = Priority(rawValue: rawValue) { self = .pinned(p) } else { return nil }
    }
    public var rawValue: String {
        switch self {
        case .auto: "auto"
        case .pinned(let p): p.rawValue
        }
    }
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = PriorityChoice(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "priority must be P1, P2, P3, P4 or auto"))
        }
        self = value
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A historical ticket with its own times and status, for migrations and demo data (staff only).
///
/// Valid when: closed ⇔ `closed_at` present, `closed_at ≥ opened_at`, no time in the future,
/// messages sent no earlier than `opened_at`. A nil category is assigned by the classifier.
/// An issue type is named (as exports write it) and found by name within the category, retired
/// ones included (history keeps them); it then decides the category.
public struct ImportTicket: Sendable, Codable, Equatable {
    public var description: String
    public var location: String?
    public var reporter: String?
    public var category: Category?
    /// An issue type's name; nil for none.
    public var issueType: String?
    public var status: Status
    public var openedAt: Timestamp
    public var modifiedAt: Timestamp?
    public var closedAt: Timestamp?
    public var messages: [ImportedMessage]
    /// Triage as the source system had it; each counts as set by staff (a priority that equals
    /// ``PriorityMatrix``'s for the severity and impact keeps following it). Absent: untriaged, one person.
    public var severity: Severity?
    public var impact: Impact?
    public var priority: Priority?
    /// An engineer account of this system (active or not: history keeps who worked it).
    public var assigneeID: UserID?
    public var contactEmail: String?
    public var contactPhone: String?
    /// Read as ``ContactWindow`` reads it, stored in canonical form.
    public var preferredContactTime: String?

    public init(
        description: String, location: String? = nil, reporter: String? = nil, category: Category? = nil,
        status: Status, openedAt: Timestamp, modifiedAt: Timestamp? = nil, closedAt: Timestamp? = nil,
        messages: [ImportedMessage] = [], severity: Severity? = nil, impact: Impact? = nil, priority: Priority? = nil,
        assigneeID: UserID? = nil, contactEmail: String? = nil, contactPhone: String? = nil, preferredContactTime: String? = nil,
        issueType: String? = nil
    ) {
        self.description = description
        self.location = location
        self.reporter = reporter
        self.category = category
        self.issueType = issueType
        self.status = status
        self.openedAt = openedAt
        self.modifiedAt = modifiedAt
        self.closedAt = closedAt
        self.messages = messages
        self.severity = severity
        self.impact = impact
        self.priority = priority
        self.assigneeID = assigneeID
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.preferredContactTime = preferredContactTime
    }

    enum CodingKeys: String, CodingKey {
        case description, location, reporter, category, status, messages
        case openedAt = "opened_at", modifiedAt = "modified_at", closedAt = "closed_at"
        case issueType = "issue_type"
        case severity, impact, priority, assigneeID = "assignee_id"
        case contactEmail = "contact_email", contactPhone = "contact_phone", preferredContactTime = "preferred_contact_time"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decode(String.self, forKey: .description)
        location = try c.decodeIfPresent(String.self, forKey: .location)
        reporter = try c.decodeIfPresent(String.self, forKey: .reporter)
        category = try c.decodeIfPresent(Category.self, forKey: .category)
        issueType = try c.decodeIfPresent(String.self, forKey: .issueType)
        status = try c.decode(Status.self, forKey: .status)
        openedAt = try c.decode(Timestamp.self, forKey: .openedAt)
        modifiedAt = try c.decodeIfPresent(Timestamp.self, forKey: .modifiedAt)
        closedAt = try c.decodeIfPresent(Timestamp.self, forKey: .closedAt)
        messages = try c.decodeIfPresent([ImportedMessage].self, forKey: .messages) ?? []
        // Commands queued before triage and contact came to imports have none of these.
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity)
        impact = try c.decodeIfPresent(Impact.self, forKey: .impact)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority)
        assigneeID = try c.decodeIfPresent(UserID.self, forKey: .assigneeID)
        contactEmail = try c.decodeIfPresent(String.self, forKey: .contactEmail)
        contactPhone = try c.decodeIfPresent(String.self, forKey: .contactPhone)
        preferredContactTime = try c.decodeIfPresent(String.self, forKey: .preferredContactTime)
    }
}

/// A message of an imported ticket, with its original time.
public struct ImportedMessage: Sendable, Codable, Equatable {
    public var authorRole: Role
    public var authorName: String?
    public var body: String
    public var sentAt: Timestamp
    public init(authorRole: Role, authorName: String? = nil, body: String, sentAt: Timestamp) {
        self.authorRole = authorRole
        self.authorName = authorName
        self.body = body
        self.sentAt = sentAt
    }
    enum CodingKeys: String, CodingKey {
        case authorRole = "author_role", authorName = "author_name", body, sentAt = "sent_at"
    }
}
