import Domain
import Notifier

/// A gateway's question about a web inbox and the notifier's answer, as JSON on
/// ``RemoteFiles/Subject/inbox``: `{"op":"entries","key":…,"before":…,"limit":…}`,
/// `{"op":"unread","key":…}` or `{"op":"preference","user_id":…}`.
public struct InboxQuery: Codable, Sendable, Equatable {
    public enum Operation: String, Codable, Sendable { case entries, unread, preference }
    public var op: Operation
    public var key: String?
    public var before: Int64?
    public var limit: Int?
    public var userID: Int64?

    enum CodingKeys: String, CodingKey {
        case op, key, before, limit
        case userID = "user_id"
    }

    public init(op: Operation, key: String? = nil, before: Int64? = nil, limit: Int? = nil, userID: Int64? = nil) {
        self.op = op
        self.key = key
        self.before = before
        self.limit = limit
        self.userID = userID
    }
}

/// The notifier's answer: one of the three, or an error (the gateway then fails as a failed read would).
public struct InboxAnswer: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        var id: Int64
        var ticketID: Int64
        var kind: String
        var subject: String
        var excerpt: String
        var createdAt: Int64
        var readAt: Int64?

        enum CodingKeys: String, CodingKey {
            case id, kind, subject, excerpt
            case ticketID = "ticket_id", createdAt = "created_at", readAt = "read_at"
        }

        init(_ e: Inbox.Entry) {
            id = e.id
            ticketID = e.ticketID.rawValue
            kind = e.kind.rawValue
            subject = e.subject
            excerpt = e.excerpt
            createdAt = e.createdAt.millisecondsSinceEpoch
            readAt = e.readAt?.millisecondsSinceEpoch
        }

        var entry: Inbox.Entry {
            Inbox.Entry(id: id, ticketID: TicketID(ticketID), kind: NotificationKind(rawValue: kind) ?? .ticketCreated, subject: subject,
                        excerpt: excerpt, createdAt: Timestamp(millisecondsSinceEpoch: createdAt),
                        readAt: readAt.map(Timestamp.init(millisecondsSinceEpoch:)))
        }
    }

    public struct Preference: Codable, Sendable, Equatable {
        var userID: Int64
        /// ``NotificationPreference/channelsText``: `default`, `none` or `email,sms`.
        var channels: String
        /// ``ContactWindow/text``, nil for none.
        var quietHours: String?

        enum CodingKeys: String, CodingKey {
            case channels
            case userID = "user_id", quietHours = "quiet_hours"
        }

        init(_ p: NotificationPreference) {
            userID = p.userID.rawValue
            channels = p.channelsText
            quietHours = p.quietHours?.text
        }

        var preference: NotificationPreference {
            NotificationPreference(userID: UserID(userID), channels: NotificationPreference.channels(parsing: channels) ?? nil,
                                   quietHours: quietHours.flatMap(ContactWindow.init(parsing:)))
        }
    }

    public var entries: [Entry]?
    public var unread: Int?
    public var preference: Preference?
    public var error: String?

    public init(entries: [Inbox.Entry]? = nil, unread: Int? = nil, preference: NotificationPreference? = nil, error: String? = nil) {
        self.entries = entries?.map(Entry.init)
        self.unread = unread
        self.preference = preference.map(Preference.init)
        self.error = error
    }
}
