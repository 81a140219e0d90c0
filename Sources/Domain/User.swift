/// An account on the network desk (`CAMPUSDESK_AUTH=accounts`). The password hash is not part of
/// it: it stays in the store and is read only where a password is checked.
///
/// JSON: `{"id", "name", "email", "phone", "location", "role", "active", "created_at"}`.
public struct User: Sendable, Codable, Equatable, Hashable {
    public var id: UserID
    public var name: String
    /// Lower-cased and trimmed; unique among all accounts.
    public var email: String
    public var phone: String?
    public var location: String?
    public var role: Role
    /// A deactivated account cannot log in, and its sessions end on their next request.
    public var active: Bool
    public var createdAt: Timestamp

    public init(
        id: UserID, name: String, email: String, phone: String? = nil, location: String? = nil, role: Role,
        active: Bool = true, createdAt: Timestamp
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.phone = phone
        self.location = location
        self.role = role
        self.active = active
        self.createdAt = createdAt
    }

    public var actor: Actor { Actor(role: role, userID: id) }

    enum CodingKeys: String, CodingKey {
        case id, name, email, phone, location, role, active
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls, as for tickets: clients see every field.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(phone, forKey: .phone)
        try c.encode(location, forKey: .location)
        try c.encode(role, forKey: .role)
        try c.encode(active, forKey: .active)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// How people enter, chosen by `CAMPUSDESK_AUTH`.
public enum AuthMode: String, Sendable, CaseIterable {
    /// The campus desk: no password; a visitor picks `customer` or `agent` on the entry page.
    case open
    /// The network desk: registered accounts, a session cookie in the browser, a bearer token in the API.
    case accounts
}
