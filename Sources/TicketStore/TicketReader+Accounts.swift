import Foundation
import Domain
import SQLiteKit

// MARK: - Accounts and sessions, read-only

/// The read side of accounts (the network desk): sign-in, the session behind a cookie or bearer
/// token, the user directory and the engineers' load. Like every read, each runs on a pooled
/// read-only connection; the ticket worker is the only writer.
extension TicketReader {
    /// The account with this e-mail address (compared trimmed and lower-cased, as stored) and its
    /// password hash, for sign-in; nil when there is none. Deactivated accounts are returned too:
    /// the caller decides what to say.
    public func account(email: String) async throws -> (user: User, passwordHash: String)? {
        let address = AccountRules.normalizedEmail(email)
        return try withConnection { db in
            try db.cachedStatement("SELECT \(User.columns), password_hash FROM users WHERE email = ?")
                .queryFirst([.text(address)]) { s in (try User(row: s), s.text(at: 8)) }
        }
    }

    /// The active account behind a session, if the session exists and has not expired at `now`:
    /// one lookup by the session's primary key joined to its account.
    public func sessionUser(tokenDigest: String, now: Timestamp) async throws -> User? {
        try withConnection { db in
            try db.cachedStatement("""
                SELECT \(User.prefixedColumns) FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_digest = ? AND s.expires_at > ? AND u.active = 1
                """).queryFirst([.text(tokenDigest), .integer(now.millisecondsSinceEpoch)]) { try User(row: $0) }
        }
    }

    /// One account (active or not), or nil.
    public func user(_ id: UserID) async throws -> User? {
        try withConnection { db in
            try db.cachedStatement("SELECT \(User.columns) FROM users WHERE id = ?").queryFirst([.integer(id.rawValue)]) { try User(row: $0) }
        }
    }

    /// Accounts by name (then id), optionally only one role, only (in)active ones, and only those
    /// whose name or e-mail address contains `query` (case-insensitive for ASCII letters, SQLite's
    /// LIKE; `%` and `_` in the query are literal).
    ///
    /// - Throws: `Refusal(.validation)` when `limit` is outside 1...500 or `offset` is negative.
    public func users(role: Role?, query: String?, active: Bool?, limit: Int, offset: Int) async throws -> [User] {
        guard (1...TicketFilter.maxLimit).contains(limit) else {
            throw Refusal(.validation, "limit must be between 1 and \(TicketFilter.maxLimit).", field: "limit")
        }
        guard offset >= 0 else { throw Refusal(.validation, "offset must not be negative.", field: "offset") }
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let role {
            conditions.append("role = ?")
            values.append(.text(role.rawValue))
        }
        if let active {
            conditions.append("active = ?")
            values.append(.integer(active ? 1 : 0))
        }
        let text = query?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !text.isEmpty {
            conditions.append("(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')")
            let pattern = "%" + Self.escapeLike(text) + "%"
            values += [.text(pattern), .text(pattern)]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values += [.integer(Int64(limit)), .integer(Int64(offset))]
        // At most eight SQL shapes (role, active, query each present or not): each is cached once.
        return try withConnection { db in
            try db.cachedStatement("SELECT \(User.columns) FROM users \(filter) ORDER BY name, id LIMIT ? OFFSET ?")
                .query(values) { try User(row: $0) }
        }
    }

    /// The active engineers by name, without their loads: what the list page's "Assigned to" filter offers.
    ///
    /// Why apart from ``engineers()``: counting each engineer's not-closed tickets reads every one
    /// of them (the assignee index holds no status), which cost as much as the list page's own rows
    /// once engineers held a few dozen tickets each (docs/performance.md).
    public func activeEngineers() async throws -> [User] {
        try withConnection { db in try Self.activeEngineers(db) }
    }

    static func activeEngineers(_ db: Connection) throws -> [User] {
        try db.cachedStatement("SELECT \(User.columns) FROM users WHERE role = 'engineer' AND active = 1 ORDER BY name, id")
            .query([]) { try User(row: $0) }
    }

    /// The active engineers by name, each with the number of not-closed tickets assigned to them.
    public func engineers() async throws -> [EngineerLoad] {
        try withConnection { db in
            try db.cachedStatement("""
                SELECT \(User.prefixedColumns),
                       (SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status <> 'closed')
                FROM users u WHERE u.role = 'engineer' AND u.active = 1
                ORDER BY u.name, u.id
                """).query([]) { s in EngineerLoad(user: try User(row: s), openAssigned: Int(s.int64(at: 8))) }
        }
    }

    /// The campus desk's staff directory: active agents, engineers and managers by name.
    ///
    /// At most `limit`: the entry page lists them in one menu; a desk with more staff than that
    /// wants the network desk's accounts.
    private static let staffDirectoryRoleList = Role.staffDirectoryRoles.map { "'\($0.rawValue)'" }.joined(separator: ", ")

    public func staffDirectory(limit: Int = 500) async throws -> [User] {
        try withConnection { db in
            try db.cachedStatement("""
                SELECT \(User.columns) FROM users
                WHERE role IN (\(Self.staffDirectoryRoleList)) AND active = 1
                ORDER BY name, id LIMIT ?
                """).query([.integer(Int64(limit))]) { try User(row: $0) }
        }
    }

    /// `text` with LIKE's wildcards and the escape character itself taken literally (escape `\`).
    static func escapeLike(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if c == "\\" || c == "%" || c == "_" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
