import Domain

/// The accounts the audience may name: looked up by number, plus the agents on duty and the managers.
///
/// "On duty" is every active agent until rosters exist (docs/notifications.md). Deactivated
/// accounts are never told anything.
public struct AccountDirectory: Sendable {
    private var byID: [UserID: User]

    public init(_ users: [User]) {
        byID = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// An active account, or nil.
    public func user(_ id: UserID?) -> User? {
        guard let id, let u = byID[id], u.active else { return nil }
        return u
    }

    public var agentsOnDuty: [User] { active(.agent) }
    public var managers: [User] { active(.manager) }

    private func active(_ role: Role) -> [User] {
        byID.values.filter { $0.role == role && $0.active }.sorted { $0.id < $1.id }
    }
}
