/// Assign a ticket to an engineer, or take the assignment back (`assigneeID` nil).
/// Agents assign unassigned tickets; moving one from an engineer to another is a manager's
/// `reassign_ticket` (`Permissions`). The assignee must be an active engineer; a closed ticket
/// cannot be assigned.
public struct AssignTicket: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var assigneeID: UserID?
    public init(ticketID: TicketID, assigneeID: UserID?) {
        self.ticketID = ticketID
        self.assigneeID = assigneeID
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", assigneeID = "assignee_id" }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ticketID, forKey: .ticketID)
        try c.encode(assigneeID, forKey: .assigneeID)  // an explicit null means "unassign"
    }
}

/// The fields of a new account. The password arrives already hashed (`PasswordHash`, by the
/// gateway or the CLI): the plain password never enters the queue or the store.
public struct AccountFields: Sendable, Codable, Equatable {
    public var name: String
    public var email: String
    public var phone: String?
    public var location: String?
    public var passwordHash: String
    public init(name: String, email: String, phone: String? = nil, location: String? = nil, passwordHash: String) {
        self.name = name
        self.email = email
        self.phone = phone
        self.location = location
        self.passwordHash = passwordHash
    }
    enum CodingKeys: String, CodingKey { case name, email, phone, location, passwordHash = "password_hash" }
}

/// A customer registers themselves (network desk; no account needed to send it).
public struct RegisterUser: Sendable, Codable, Equatable {
    public var account: AccountFields
    public init(account: AccountFields) { self.account = account }
    public init(from decoder: any Decoder) throws { account = try AccountFields(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try account.encode(to: encoder) }
}

/// An admin (or the operator's `campusdesk users add`) creates an account with any role.
public struct CreateUser: Sendable, Codable, Equatable {
    public var account: AccountFields
    public var role: Role
    public init(account: AccountFields, role: Role) {
        self.account = account
        self.role = role
    }
    enum CodingKeys: String, CodingKey { case role }
    public init(from decoder: any Decoder) throws {
        account = try AccountFields(from: decoder)
        role = try decoder.container(keyedBy: CodingKeys.self).decode(Role.self, forKey: .role)
    }
    public func encode(to encoder: any Encoder) throws {
        try account.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
    }
}

/// An admin changes an account's role or deactivates/reactivates it (nil fields stay).
/// Deactivating ends the account's sessions.
public struct UpdateUser: Sendable, Codable, Equatable {
    public var userID: UserID
    public var role: Role?
    public var active: Bool?
    public init(userID: UserID, role: Role? = nil, active: Bool? = nil) {
        self.userID = userID
        self.role = role
        self.active = active
    }
    enum CodingKeys: String, CodingKey { case userID = "user_id", role, active }
}

/// A new password for an account (already hashed), sent by its owner after the gateway checked the
/// current one, or by an admin. Ends the account's other sessions.
public struct ChangePassword: Sendable, Codable, Equatable {
    public var userID: UserID
    public var passwordHash: String
    /// The session that asked, kept when the others end; nil ends them all.
    public var keepSessionDigest: String?
    public init(userID: UserID, passwordHash: String, keepSessionDigest: String? = nil) {
        self.userID = userID
        self.passwordHash = passwordHash
        self.keepSessionDigest = keepSessionDigest
    }
    enum CodingKeys: String, CodingKey {
        case userID = "user_id", passwordHash = "password_hash", keepSessionDigest = "keep_session_digest"
    }
}

/// Records a session after the gateway checked the password: the SHA-256 of the token (the token
/// itself is only ever held by the client) and when it expires.
public struct StartSession: Sendable, Codable, Equatable {
    public var userID: UserID
    public var tokenDigest: String
    public var expiresAt: Timestamp
    public init(userID: UserID, tokenDigest: String, expiresAt: Timestamp) {
        self.userID = userID
        self.tokenDigest = tokenDigest
        self.expiresAt = expiresAt
    }
    enum CodingKeys: String, CodingKey { case userID = "user_id", tokenDigest = "token_digest", expiresAt = "expires_at" }
}

/// Logout: the session ends now.
public struct EndSession: Sendable, Codable, Equatable {
    public var tokenDigest: String
    public init(tokenDigest: String) { self.tokenDigest = tokenDigest }
    enum CodingKeys: String, CodingKey { case tokenDigest = "token_digest" }
}
