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
}

/// Who chose a ticket's category: the classifier (`auto`) or helpdesk staff by hand (`staff`).
public enum CategorySource: String, Sendable, Codable, CaseIterable, Hashable {
    case auto, staff
}

/// The role a person acts in. There is no login: the role is chosen on the entry page,
/// and every service still checks on each change what the role may do.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    case user, staff
}
