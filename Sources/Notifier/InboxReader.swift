import Foundation
import Synchronization
import Domain
import SQLiteKit

/// The gateway's read side of `notifications.db`: inboxes, unread counts and preferences, over one
/// read-only connection, as ``TicketStore/TicketReader`` reads `tickets.db`.
///
/// The notifier is the file's only writer; WAL lets this read its last commit without blocking it.
/// The connection opens lazily: before the notifier has created the file, or migrated it to the
/// inbox (migration 4), every inbox is empty and nobody has preferences, rather than an error.
/// One connection in a `Mutex` (its one owner): each query here is one indexed lookup of a few
/// microseconds, so requests taking turns on it cost less than a pool's page caches.
public final class InboxReader: Sendable {
    /// The database file, `<data>/notifications.db`.
    public let path: String
    private let connection = Mutex<Connection?>(nil)

    public init(path: String) {
        self.path = path
    }

    /// The newest entries of `recipientKey`'s inbox, newest first; with `before`, those older than that id.
    public func entries(of recipientKey: String, before: Int64? = nil, limit: Int = 50) throws -> [Inbox.Entry] {
        try withConnection { db in try Self.entries(db, recipientKey: recipientKey, before: before, limit: limit) } ?? []
    }

    /// How many entries of `recipientKey`'s inbox are unread, counted up to ``Inbox/countCap``:
    /// one range of the partial index `inbox_unread`, whatever the inbox's size.
    public func unreadCount(of recipientKey: String) throws -> Int {
        try withConnection { db in try Self.unreadCount(db, recipientKey: recipientKey) } ?? 0
    }

    /// The stored preference of `user`, or nil (the defaults).
    public func preference(of user: UserID) throws -> NotificationPreference? {
        try withConnection { db in try DeliveryQueue.preference(db, of: user) } ?? nil
    }

    // MARK: - Queries (shared with the notifier's own connection)

    static func entries(_ db: Connection, recipientKey: String, before: Int64?, limit: Int) throws -> [Inbox.Entry] {
        try db.cachedStatement("""
            SELECT id, ticket_id, kind, subject, excerpt, created_at, read_at FROM inbox
            WHERE recipient_key = ? AND id < ? ORDER BY id DESC LIMIT ?
            """).query([.text(recipientKey), .integer(before ?? Int64.max), .integer(Int64(max(0, limit)))]) { s in
            Inbox.Entry(id: s.int64(at: 0), ticketID: TicketID(s.int64(at: 1)), kind: NotificationKind(rawValue: s.text(at: 2)) ?? .ticketCreated,
                        subject: s.text(at: 3), excerpt: s.text(at: 4), createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 5)),
                        readAt: s.optionalInt64(at: 6).map(Timestamp.init(millisecondsSinceEpoch:)))
        }
    }

    static func unreadCount(_ db: Connection, recipientKey: String) throws -> Int {
        // The LIMIT bounds the walk: someone with 50,000 unread costs what someone with 100 does.
        try db.cachedStatement("SELECT count(*) FROM (SELECT 1 FROM inbox WHERE recipient_key = ? AND read_at IS NULL LIMIT ?)")
            .queryFirst([.text(recipientKey), .integer(Int64(Inbox.countCap))]) { Int($0.int64(at: 0)) } ?? 0
    }

    // MARK: - The connection

    /// Runs `body` on the connection, opening it first if the file is there and has the inbox;
    /// nil when it is not (yet).
    private func withConnection<R: Sendable>(_ body: (Connection) throws -> R) throws -> R? {
        try connection.withLock { (db: inout Connection?) throws -> R? in
            if db == nil {
                guard FileManager.default.fileExists(atPath: path) else { return nil }
                let opened = try Connection(path: path, mode: .readOnly)
                // A notifier of an earlier release (or one still migrating): no inbox yet, try again later.
                guard try opened.userVersion() >= 4 else { return nil }
                db = opened
            }
            guard let open = db else { return nil }
            return try body(open)
        }
    }
}
