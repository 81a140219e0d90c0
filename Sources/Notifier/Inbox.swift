import Domain

/// The web channel's inbox (issue 17, "In the web UI"): what the notifier decided to tell each
/// person, kept in `notifications.db`'s `inbox` table (migration 4) for the notifications page.
///
/// An inbox belongs to a key the gateway can prove the visitor holds:
/// - `user:<id>`: an account (a signed-in user on the network desk; on the campus desk a person who
///   picked themselves from the staff directory);
/// - `reporter:<sha256>`: a campus reporter, by the digest of the reporter key their browser (its
///   `cd_browser` cookie) or API client (`X-CampusDesk-Reporter-Key`) filed the ticket with. It is
///   what the desk already stores of a campus reporter (`ticket_reporters`); the name they typed is
///   not a key, anyone can type any name.
///
/// Only the notifier writes it (``DeliveryQueue``); the gateway reads it (``InboxReader``) and
/// sends ``InboxCommand``s to change it.
public enum Inbox {
    /// One notification in an inbox, as the page and `GET /api/notifications` show it.
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var ticketID: TicketID
        public var kind: NotificationKind
        public var subject: String
        /// A line of the ticket's description, or of the new message.
        public var excerpt: String
        public var createdAt: Timestamp
        public var readAt: Timestamp?
        public var isRead: Bool { readAt != nil }

        public init(id: Int64, ticketID: TicketID, kind: NotificationKind, subject: String, excerpt: String, createdAt: Timestamp, readAt: Timestamp?) {
            self.id = id
            self.ticketID = ticketID
            self.kind = kind
            self.subject = subject
            self.excerpt = excerpt
            self.createdAt = createdAt
            self.readAt = readAt
        }
    }

    /// An entry to store: one per event and person (`key`, UNIQUE: a redelivered event adds nothing).
    public struct NewEntry: Sendable, Equatable {
        public var recipientKey: String
        public var eventSeq: Int64
        public var ticketID: TicketID
        public var kind: NotificationKind
        public var subject: String
        public var excerpt: String

        public init(recipientKey: String, eventSeq: Int64, ticketID: TicketID, kind: NotificationKind, subject: String, excerpt: String) {
            self.recipientKey = recipientKey
            self.eventSeq = eventSeq
            self.ticketID = ticketID
            self.kind = kind
            self.subject = subject
            self.excerpt = excerpt
        }

        /// Event × inbox × `web`, the idempotency key's shape of the other channels.
        public var key: String { "\(eventSeq):\(recipientKey):\(NotificationChannel.web.rawValue)" }
    }

    /// The unread count is counted up to this many; the header shows more as "99+".
    public static let countCap = 100

    /// The inbox of an account.
    public static func key(user: UserID) -> String { "user:\(user.rawValue)" }

    /// The inbox of a campus reporter, by their reporter key's digest (64 lower-case hex digits).
    public static func key(reporterKeyDigest digest: String) -> String { "reporter:\(digest)" }

    /// The account an inbox key names, or nil (a reporter's inbox, or not a key).
    public static func user(of key: String) -> UserID? {
        guard key.hasPrefix("user:"), let n = Int64(key.dropFirst(5)), n > 0 else { return nil }
        return UserID(n)
    }

    /// True for the two forms above and nothing else (the notifier refuses other keys).
    public static func isValidKey(_ key: String) -> Bool {
        // `user:007` would name account 7 under a second key: only the canonical form is one.
        if let account = user(of: key) { return key == Self.key(user: account) }
        guard key.hasPrefix("reporter:") else { return false }
        let digest = key.utf8.dropFirst(9)
        return digest.count == 64 && digest.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// "3", or "99+" past the cap.
    public static func countText(_ n: Int) -> String { n >= countCap ? "\(countCap - 1)+" : String(n) }
}
