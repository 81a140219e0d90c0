import Domain

/// Someone a notification goes to: an account, or a reporter known only by the contact they gave.
///
/// `key` is what the idempotency key and "nobody is told of their own action" compare: `user:<id>`
/// for an account, `contact:<address>` otherwise, so the same person is one key whichever event names them.
public struct Recipient: Sendable, Codable, Hashable {
    public var key: String
    public var userID: UserID?
    public var name: String?
    public var email: String?
    public var phone: String?
    /// Their web inbox (``Inbox``): `user:<id>` for an account, `reporter:<digest>` for a campus
    /// reporter known by their reporter key; nil for someone who has none (an import's reporter).
    public var inboxKey: String?

    public init(key: String, userID: UserID? = nil, name: String? = nil, email: String? = nil, phone: String? = nil, inboxKey: String? = nil) {
        self.key = key
        self.userID = userID
        self.name = name
        self.email = email
        self.phone = phone
        self.inboxKey = inboxKey
    }

    /// An account, addressed by its e-mail and phone.
    public init(_ user: User) {
        self.init(key: Inbox.key(user: user.id), userID: user.id, name: user.name, email: user.email, phone: user.phone,
                  inboxKey: Inbox.key(user: user.id))
    }

    /// The channels this recipient can be reached on for a notice; e-mail whenever there is an
    /// address, a text message too when the notice is urgent (or when there is no address).
    public func channels(urgent: Bool) -> [NotificationChannel] {
        var out: [NotificationChannel] = []
        if email != nil { out.append(.email) }
        if phone != nil && (urgent || email == nil) { out.append(.sms) }
        return out
    }
}
