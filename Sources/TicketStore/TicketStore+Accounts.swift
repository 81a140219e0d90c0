import Foundation
import Domain
import SQLiteKit

// MARK: - Who acts, and the account commands

/// Actor resolution and the account commands (the network desk, docs/roles.md), inside the
/// transaction and savepoint `apply` opened, like the ticket actions: each checks first (a refusal
/// throws before anything is written), then writes, and answers with the account as stored.
extension TicketStore {
    /// The actor a command is checked as.
    ///
    /// With an account (`userID`), the stored account is the truth: it must exist and be active,
    /// and its stored role is used whatever role the command names (a role changed or an account
    /// deactivated takes effect on the next command, not the next login). Without one, it depends
    /// on the mode: the campus desk (`open`) takes the visitor's role when it is one a visitor may
    /// pick, or `admin` for the operator tools; the network desk (`accounts`) takes only a
    /// customer's `register_user` and the operator tools (`admin`, e.g. `campusdesk users`).
    func resolveActor(_ command: Command) throws -> Actor {
        if let userID = command.userID {
            guard let user = try loadUser(userID), user.active else {
                throw Refusal(.unauthenticated, "This account is unknown or deactivated; please sign in again.")
            }
            return user.actor
        }
        // The operator: whoever can write to the commands queue on this machine (the CLI).
        if command.role == .admin { return Actor(role: .admin) }
        switch authMode {
        case .open:
            guard Role.openModeRoles.contains(command.role) else {
                throw Refusal(.unauthenticated, "An account is required to act as \(command.role.withArticle).")
            }
            return Actor(role: command.role)
        case .accounts:
            if command.role == .customer, case .registerUser = command.action { return Actor(role: .customer) }
            throw Refusal(.unauthenticated, "An account is required.")
        }
    }

    // MARK: - Rows

    func loadUser(_ id: UserID) throws -> User? {
        try db.cachedStatement("SELECT \(User.columns) FROM users WHERE id = ?").queryFirst([.integer(id.rawValue)]) { try User(row: $0) }
    }

    /// The account, or a `not_found` refusal naming `field`.
    private func requireUser(_ id: UserID, field: String = "user_id") throws -> User {
        guard let user = try loadUser(id) else { throw Refusal(.notFound, "There is no account \(id).", field: field) }
        return user
    }

    /// Inserts a checked account; a second account with the same address is a conflict.
    private func insertUser(_ fields: AccountFields, role: Role, now: Timestamp) throws -> User {
        let f = try AccountRules.validate(fields)
        let taken = try db.cachedStatement("SELECT 1 FROM users WHERE email = ?").queryFirst([.text(f.email)]) { _ in true } ?? false
        guard !taken else { throw Refusal(.conflict, "An account with this e-mail already exists.", field: "email") }
        try db.cachedStatement("""
            INSERT INTO users (name, email, phone, location, role, active, password_hash, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
            """).execute([.text(f.name), .text(f.email), .optionalText(f.phone), .optionalText(f.location), .text(role.rawValue),
                          .text(f.passwordHash), .integer(now.millisecondsSinceEpoch)])
        return User(id: UserID(db.lastInsertRowID), name: f.name, email: f.email, phone: f.phone, location: f.location, role: role,
                    active: true, createdAt: now)
    }

    /// The roles that manage users (admins): at least one active account must keep holding one.
    private static let userManagers = Role.allCases.filter { Permissions.reach($0, .manageUsers) == .all }

    private func deleteSessions(of user: UserID, keeping digest: String? = nil) throws {
        try db.cachedStatement("DELETE FROM sessions WHERE user_id = ? AND token_digest IS NOT ?")
            .execute([.integer(user.rawValue), .optionalText(digest)])
    }

    // MARK: - Commands

    /// A visitor registers as a customer (no account yet, so none may be named).
    func register(_ r: RegisterUser, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard actor.userID == nil, actor.role == .customer else {
            throw Refusal(.forbidden, "Registration is for new customers; an admin creates other accounts.")
        }
        return CommandReply(commandID: id, user: try insertUser(r.account, role: .customer, now: now))
    }

    /// An admin (or the operator) creates an account with any role.
    func createUser(_ c: CreateUser, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .manageUsers)
        return CommandReply(commandID: id, user: try insertUser(c.account, role: c.role, now: now))
    }

    /// An admin changes an account's role or (de)activates it. Nobody deactivates or demotes
    /// themselves (another admin must), and the last active admin stays one. Deactivating ends the
    /// account's sessions.
    func updateUser(_ u: UpdateUser, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .manageUsers)
        guard u.role != nil || u.active != nil else { throw Refusal(.validation, "Nothing to change.") }
        let current = try requireUser(u.userID)
        var user = current
        if let role = u.role { user.role = role }
        if let active = u.active { user.active = active }
        guard user != current else { return CommandReply(commandID: id, user: current) }
        if actor.userID == current.id {
            if !user.active {
                throw Refusal(.forbidden, "You cannot deactivate your own account; another admin must.", field: "active")
            }
            if user.role != current.role {
                throw Refusal(.forbidden, "You cannot change your own role; another admin must.", field: "role")
            }
        }
        let managed = { (x: User) in x.active && Self.userManagers.contains(x.role) }
        if managed(current) && !managed(user) {
            let marks = Array(repeating: "?", count: Self.userManagers.count).joined(separator: ", ")
            let others = try db.cachedStatement("SELECT count(*) FROM users WHERE active = 1 AND role IN (\(marks)) AND id <> ?")
                .queryFirst(Self.userManagers.map { .text($0.rawValue) } + [.integer(current.id.rawValue)]) { $0.int64(at: 0) } ?? 0
            guard others > 0 else {
                throw Refusal(.conflict, "This is the last active admin account; make another account admin first.",
                              field: user.active ? "role" : "active")
            }
        }
        try db.cachedStatement("UPDATE users SET role = ?, active = ? WHERE id = ?")
            .execute([.text(user.role.rawValue), .integer(user.active ? 1 : 0), .integer(user.id.rawValue)])
        if !user.active { try deleteSessions(of: user.id) }
        return CommandReply(commandID: id, user: user)
    }

    /// A new password hash, from the account itself (the gateway checked the current password) or
    /// an admin. Every other session of the account ends; the one that asked may stay.
    func changePassword(_ c: ChangePassword, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard actor.userID == c.userID || Permissions.reach(actor.role, .manageUsers) == .all else {
            throw Refusal(.forbidden, "Only the account itself or an admin may change its password.")
        }
        let hash = try AccountRules.passwordHash(c.passwordHash)
        let user = try requireUser(c.userID)
        try db.cachedStatement("UPDATE users SET password_hash = ? WHERE id = ?").execute([.text(hash), .integer(user.id.rawValue)])
        try deleteSessions(of: user.id, keeping: c.keepSessionDigest)
        return CommandReply(commandID: id, user: user)
    }

    /// Records a session for the account that just signed in (the gateway checked the password and
    /// sends the command as that account). Its own expired sessions go at the same time, so the
    /// table does not grow with every login.
    func startSession(_ s: StartSession, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        guard let userID = actor.userID, userID == s.userID else {
            throw Refusal(.forbidden, "A session is started only by the account that signed in.", field: "user_id")
        }
        let digest = try AccountRules.tokenDigest(s.tokenDigest)
        guard s.expiresAt > now else { throw Refusal(.validation, "The session would already have expired.", field: "expires_at") }
        let taken = try db.cachedStatement("SELECT 1 FROM sessions WHERE token_digest = ?").queryFirst([.text(digest)]) { _ in true } ?? false
        guard !taken else { throw Refusal(.conflict, "This session already exists.", field: "token_digest") }
        try db.cachedStatement("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?")
            .execute([.integer(userID.rawValue), .integer(now.millisecondsSinceEpoch)])
        try db.cachedStatement("INSERT INTO sessions (token_digest, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .execute([.text(digest), .integer(userID.rawValue), .integer(now.millisecondsSinceEpoch), .integer(s.expiresAt.millisecondsSinceEpoch)])
        return CommandReply(commandID: id, user: try requireUser(userID))
    }

    /// Logout: the session row goes (a session already gone is fine). Only its own account or an
    /// admin may end it.
    func endSession(_ e: EndSession, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let digest = try AccountRules.tokenDigest(e.tokenDigest)
        let owner = try db.cachedStatement("SELECT user_id FROM sessions WHERE token_digest = ?").queryFirst([.text(digest)]) { UserID($0.int64(at: 0)) }
        guard let owner else { return CommandReply(commandID: id) }
        guard actor.userID == owner || Permissions.reach(actor.role, .manageUsers) == .all else {
            throw Refusal(.forbidden, "Only the account itself or an admin may end its session.")
        }
        try db.cachedStatement("DELETE FROM sessions WHERE token_digest = ?").execute([.text(digest)])
        return CommandReply(commandID: id)
    }
}
