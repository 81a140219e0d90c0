/// Where a ticket stands: `open` (new) → `active` (staff working on it) → `closed`.
public enum Status: String, Sendable, Codable, CaseIterable, Hashable {
    case open, active, closed

    /// The one status this one may move to, if any; the lifecycle is a straight line.
    public var next: Status? {
        switch self {
        case .open: .active
        case .active: .closed
        case .closed: nil
        }
    }
}

/// What kind of problem a ticket reports.
public enum Category: String, Sendable, Codable, CaseIterable, Hashable {
    /// Buildings, lifts, heating, water, cleaning, doors, lights, furniture.
    case facility
    /// Wi-Fi, accounts, email, learning platform, software, computers, printers, AV.
    case it
    /// Canteen, prices and hours, library, administration, fees, housing, shuttles, staff conduct.
    case services

    /// The name in a sentence ("IT", not "it"), for the worker's refusals.
    public var title: String {
        switch self {
        case .facility: "Facility"
        case .it: "IT"
        case .services: "Services"
        }
    }
}

/// Who chose a ticket's category, severity or priority: the model or the priority matrix (`auto`),
/// or staff by hand (`staff`, which later automatic changes keep). A category may also follow the
/// ticket's issue type (`issue_type`: the reporter picked it, or staff changed it), which later
/// edits keep as they keep staff's; severity and priority are never `issue_type`.
public enum CategorySource: String, Sendable, Codable, CaseIterable, Hashable {
    case auto, staff
    case issueType = "issue_type"
}

/// The role a person acts in: one name each in code, database, JSON, docs and UI.
///
/// On the campus desk (`CAMPUSDESK_AUTH=open`) the role is chosen on the entry page (`customer` or
/// `agent`); on the network desk (`accounts`) it belongs to the account. What each role may do is
/// `Permissions`, checked by the gateway and again by the ticket worker on every change.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Reports problems and follows their own tickets (the campus desk's "simple user").
    case customer
    /// Works the incoming queue: triage, assignment, status (the campus desk's "helpdesk staff").
    case agent
    /// Resolves the tickets assigned to them; sees the rest read-only.
    case engineer
    /// An agent who also reassigns across engineers and edits SLA policies.
    case manager
    /// Manages users, categories and settings.
    case admin

    /// The role a name stands for. Also accepts the names used before the network desk
    /// (`user` = customer, `staff` = agent), so cookies, headers, queued commands, stored replies and
    /// exports written by earlier versions keep their meaning; what is written is always the new name.
    public init?(rawValue: String) {
        switch rawValue {
        case "customer", "user": self = .customer
        case "agent", "staff": self = .agent
        case "engineer": self = .engineer
        case "manager": self = .manager
        case "admin": self = .admin
        default: return nil
        }
    }

    /// Everyone but customers: the people who work tickets.
    public var isStaff: Bool { self != .customer }

    /// The roles a visitor may choose on the campus desk's entry page (no accounts there).
    public static let openModeRoles: [Role] = [.customer, .agent]

    /// The roles listed in the campus desk's staff directory, where helpdesk staff pick themselves
    /// (so "assigned to me" works). Admins are operators, not people at the desk.
    public static let staffDirectoryRoles: [Role] = [.agent, .engineer, .manager]
}
