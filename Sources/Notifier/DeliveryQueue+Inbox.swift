import Domain
import SQLiteKit

/// The `inbox` table of `notifications.db` (migration 4): the notifier's writes (entries with an
/// event's notifications, reads marked on a person's command) and its own reads of it.
extension DeliveryQueue {
    /// Inserts entries inside the caller's transaction, once per key.
    static func insert(_ entries: [Inbox.NewEntry], into db: Connection, now: Timestamp) throws {
        guard !entries.isEmpty else { return }
        let insert = try db.cachedStatement("""
            INSERT OR IGNORE INTO inbox (key, recipient_key, event_seq, ticket_id, kind, subject, excerpt, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in entries {
            try insert.execute([.text(e.key), .text(e.recipientKey), .integer(e.eventSeq), .integer(e.ticketID.rawValue),
                                .text(e.kind.rawValue), .text(e.subject), .text(e.excerpt), .integer(now.millisecondsSinceEpoch)])
        }
    }

    /// Marks entries of `recipientKey`'s inbox read (others' are not touched); returns how many of
    /// `ids` are in that inbox (read before or now).
    @discardableResult
    public func markRead(_ ids: [Int64], of recipientKey: String, now: Timestamp) throws -> Int {
        try db.transaction(.immediate) { db in
            let mark = try db.cachedStatement("UPDATE inbox SET read_at = ? WHERE id = ? AND recipient_key = ? AND read_at IS NULL")
            let owned = try db.cachedStatement("SELECT 1 FROM inbox WHERE id = ? AND recipient_key = ?")
            var found = 0
            for id in Set(ids) {
                try mark.execute([.integer(now.millisecondsSinceEpoch), .integer(id), .text(recipientKey)])
                if try owned.queryFirst([.integer(id), .text(recipientKey)], { _ in true }) == true { found += 1 }
            }
            return found
        }
    }

    /// Marks every unread entry of `recipientKey` up to `throughID` read (those that came after the
    /// page was shown stay unread); returns how many changed.
    @discardableResult
    public func markAllRead(of recipientKey: String, throughID: Int64, now: Timestamp) throws -> Int {
        try db.cachedStatement("UPDATE inbox SET read_at = ? WHERE recipient_key = ? AND read_at IS NULL AND id <= ?")
            .execute([.integer(now.millisecondsSinceEpoch), .text(recipientKey), .integer(throughID)])
        return db.changes
    }

    /// The newest entries of one inbox (the notifier's own connection; the gateway uses ``InboxReader``).
    public func inbox(of recipientKey: String, limit: Int = 50) throws -> [Inbox.Entry] {
        try InboxReader.entries(db, recipientKey: recipientKey, before: nil, limit: limit)
    }

    /// Unread entries of one inbox, counted up to ``Inbox/countCap``.
    public func unreadCount(of recipientKey: String) throws -> Int {
        try InboxReader.unreadCount(db, recipientKey: recipientKey)
    }
}
