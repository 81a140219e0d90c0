import Domain
import TicketStore

/// Where the notifier reads what an event does not carry: the ticket and the accounts to tell.
public protocol TicketContext: Sendable {
    /// The ticket as it is now and the accounts the audience may name; nil for a ticket that is not there.
    func context(for event: ChangeEvent) async throws -> (TicketSnapshot, AccountDirectory)?
}

/// The ticket store's query side (read-only, WAL) as the notifier's context.
public struct TicketReaderContext: TicketContext {
    public let reader: TicketReader

    public init(reader: TicketReader) {
        self.reader = reader
    }

    public func context(for event: ChangeEvent) async throws -> (TicketSnapshot, AccountDirectory)? {
        guard let detail = try await reader.detail(event.ticketID) else { return nil }
        var snapshot = TicketSnapshot(detail)
        if snapshot.customerID == nil { snapshot.reporterKeyDigest = try await reader.reporterKeyDigest(of: event.ticketID) }
        // Only the events that tell the reporter tell the followers; the rest need not read them.
        if Audience.reachesFollowers(event) {
            snapshot.followers = try await reader.followerContacts(of: event.ticketID).map { f in
                f.userID.map(TicketFollower.account) ?? .contact(name: f.name, email: f.email, phone: f.phone)
            }
        }
        let followerAccounts = snapshot.followers.compactMap { if case .account(let id) = $0 { id } else { nil } }
        var users: [User] = []
        for id in Set([snapshot.customerID, snapshot.assigneeID, Audience.newAssignee(event)].compactMap { $0 } + followerAccounts) {
            if let u = try await reader.user(id) { users.append(u) }
        }
        for role in [Role.agent, .manager] {
            users += try await reader.users(role: role, query: nil, active: true, limit: 500, offset: 0)
        }
        return (snapshot, AccountDirectory(users))
    }
}
