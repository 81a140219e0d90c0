import Domain
import SQLiteKit

// MARK: - Who follows a ticket, as the notifier reaches them

/// A follower of a ticket (``Follower``, `ticket_followers`) with what reaches them: the account,
/// or for a campus follower the name and contact they gave on a ticket they reported.
public struct FollowerContact: Sendable, Equatable {
    public var follower: Follower
    /// The account of a `user:<id>` follower.
    public var userID: UserID?
    public var name: String?
    public var email: String?
    public var phone: String?

    public init(follower: Follower, userID: UserID? = nil, name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.follower = follower
        self.userID = userID
        self.name = name
        self.email = email
        self.phone = phone
    }
}

extension TicketReader {
    /// The followers of ticket `id` (not its reporter), in the table's order, each with what reaches them:
    ///
    /// - `user:<id>`: the account (the notifier looks it up, active ones only);
    /// - `key:<digest>` (a campus client's "me too", or a merged duplicate's reporter): the name and
    ///   contact on the newest ticket that client reported with a contact; none when it never gave one;
    /// - `ticket:<id>` (a merged duplicate's reporter known by nothing else): that ticket's contact.
    public func followerContacts(of id: TicketID) async throws -> [FollowerContact] {
        try withConnection { db in
            let followers = try db.cachedStatement("SELECT follower FROM ticket_followers WHERE ticket_id = ? ORDER BY follower")
                .query([.integer(id.rawValue)]) { $0.text(at: 0) }.compactMap(Follower.init(rawValue:))
            return try followers.map { follower in
                switch follower {
                case .account(let user):
                    return FollowerContact(follower: follower, userID: user)
                case .reporterKey(let digest):
                    return try db.cachedStatement("""
                        SELECT t.reporter, t.contact_email, t.contact_phone FROM ticket_reporters r JOIN tickets t ON t.id = r.ticket_id
                        WHERE r.key_digest = ? AND (t.contact_email IS NOT NULL OR t.contact_phone IS NOT NULL)
                        ORDER BY r.ticket_id DESC LIMIT 1
                        """).queryFirst([.text(digest)]) { Self.contact(follower, $0) } ?? FollowerContact(follower: follower)
                case .reporterOf(let ticket):
                    return try db.cachedStatement("SELECT reporter, contact_email, contact_phone FROM tickets WHERE id = ?")
                        .queryFirst([.integer(ticket.rawValue)]) { Self.contact(follower, $0) } ?? FollowerContact(follower: follower)
                }
            }
        }
    }

    private static func contact(_ follower: Follower, _ s: Statement) -> FollowerContact {
        FollowerContact(follower: follower, name: s.optionalText(at: 0), email: s.optionalText(at: 1), phone: s.optionalText(at: 2))
    }
}
