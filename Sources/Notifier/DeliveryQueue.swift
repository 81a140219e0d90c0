import Foundation
import Domain
import SQLiteKit

/// The notifier's durable queue, `data/notifications.db`: every notification is stored before any
/// attempt, once per idempotency key, and moves `pending` → `sent`, or → `dead` with its reason.
///
/// - Idempotency: the key is `<event seq>:<recipient key>:<channel>`, UNIQUE; a redelivered event
///   inserts nothing (`INSERT OR IGNORE`), so it never sends twice.
/// - Retries: a temporary failure counts an attempt and sets `next_attempt_at` by exponential
///   backoff (``RetryPolicy``); a permanent one, or the last attempt, makes the row `dead`.
/// - One owner: a `Connection` is not Sendable; the notifier's actor holds this queue.
public final class DeliveryQueue {
    /// When to try again: `base × 2^(attempt-1)`, at most `cap`, and `maxAttempts` attempts in all.
    public struct RetryPolicy: Sendable, Equatable {
        public var maxAttempts: Int
        public var baseMilliseconds: Int64
        public var capMilliseconds: Int64
        /// 10 attempts from 30 s doubling to at most 1 h: about 3 h of waiting before a row is dead.
        public init(maxAttempts: Int = 10, baseMilliseconds: Int64 = 30_000, capMilliseconds: Int64 = 3_600_000) {
            self.maxAttempts = maxAttempts
            self.baseMilliseconds = baseMilliseconds
            self.capMilliseconds = capMilliseconds
        }
        /// The wait after failed attempt number `attempt` (1-based).
        public func delay(afterAttempt attempt: Int) -> Int64 {
            let shift = min(max(attempt - 1, 0), 40)
            let (doubled, overflow) = baseMilliseconds.multipliedReportingOverflow(by: Int64(1) << shift)
            return overflow ? capMilliseconds : min(doubled, capMilliseconds)
        }
    }

    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, sent, dead
    }

    /// One stored notification.
    public struct Item: Sendable, Equatable {
        public var id: Int64
        public var key: String
        public var eventSeq: Int64
        public var ticketID: TicketID
        public var kind: NotificationKind
        public var channel: NotificationChannel
        public var recipientKey: String
        /// The e-mail address or phone number.
        public var address: String
        public var recipientName: String?
        public var subject: String
        public var body: String
        public var state: State
        public var attempts: Int
        public var nextAttemptAt: Timestamp
        public var lastError: String?
        public var createdAt: Timestamp
        public var sentAt: Timestamp?
        /// The contact window's opening this notification waited for; nil when it went at once.
        /// Waiting ones about one ticket to one recipient on one channel go as one message.
        public var heldUntil: Timestamp?
    }

    /// A notification to store: what the audience and the templates made of one event.
    public struct NewItem: Sendable, Equatable {
        public var eventSeq: Int64
        public var ticketID: TicketID
        public var kind: NotificationKind
        public var channel: NotificationChannel
        public var recipient: Recipient
        public var subject: String
        public var body: String
        /// Not to be tried before this instant (the opening of the reporter's contact window); nil: at once.
        public var notBefore: Timestamp?

        public init(eventSeq: Int64, ticketID: TicketID, kind: NotificationKind, channel: NotificationChannel, recipient: Recipient,
                    subject: String, body: String) {
            self.eventSeq = eventSeq
            self.ticketID = ticketID
            self.kind = kind
            self.channel = channel
            self.recipient = recipient
            self.subject = subject
            self.body = body
        }

        /// Event × recipient × channel.
        public var key: String { "\(eventSeq):\(recipient.key):\(channel.rawValue)" }
        var address: String? {
            switch channel {
            case .email: recipient.email
            case .sms: recipient.phone
            // The webhook goes to one URL; the row keeps whom the notice is for, as the POST names them.
            case .webhook: recipient.email ?? recipient.phone ?? recipient.key
            // Inbox entries are rows of `inbox`, never items of this queue.
            case .web: nil
            }
        }
    }

    // MARK: - Schema

    static let migrations = [
        Migration(version: 1, sql: """
            CREATE TABLE notifications (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                event_seq INTEGER NOT NULL,
                ticket_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                recipient_key TEXT NOT NULL,
                address TEXT NOT NULL,
                recipient_name TEXT,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                sent_at INTEGER
            );
            CREATE INDEX notifications_due ON notifications (state, next_attempt_at, id) WHERE state = 'pending';
            """),
        // Quiet hours and contact windows: the opening a notification waits for (NULL: it went at once).
        Migration(version: 2, sql: """
            ALTER TABLE notifications ADD COLUMN held_until INTEGER;
            """),
        // A person's choices (`campusdesk notify-prefs`): channels ('default', 'none' or a list) and quiet hours.
        Migration(version: 3, sql: """
            CREATE TABLE preferences (
                user_id INTEGER PRIMARY KEY,
                channels TEXT NOT NULL DEFAULT 'default',
                quiet_hours TEXT
            );
            """),
        // The web inbox (``Inbox``): one row per event and person, read by the gateway read-only.
        // `inbox_unread` holds only unread rows, so the header's count reads that person's unread
        // entries of the index and nothing else.
        Migration(version: 4, sql: """
            CREATE TABLE inbox (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                recipient_key TEXT NOT NULL,
                event_seq INTEGER NOT NULL,
                ticket_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                excerpt TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                read_at INTEGER
            );
            CREATE INDEX inbox_by_recipient ON inbox (recipient_key, id);
            CREATE INDEX inbox_unread ON inbox (recipient_key, read_at) WHERE read_at IS NULL;
            """),
        // The webhook channel: migration 1's CHECK lists the channels, and SQLite cannot alter a
        // CHECK; the documented way to widen one without
        // rebuilding the table (sqlite.org/lang_altertable.html §7, "removing CHECK ... constraints")
        // edits the stored CREATE TABLE text. It adds 'webhook' to whatever list is there, so it works
        // whether or not version 4 changed the list, and does nothing when there is no such CHECK.
        // RESET reloads this connection's schema; the index is real DDL, which also bumps the schema
        // cookie so that other connections reload it. A no-op on a file already widened (a fresh one
        // made here gets version 1's text, widened once).
        Migration(version: 5, sql: """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (channel IN (', 'CHECK (channel IN (''webhook'', ')
            WHERE type = 'table' AND name = 'notifications' AND instr(sql, '''webhook''') = 0;
            PRAGMA writable_schema = RESET;
            CREATE INDEX notifications_dead ON notifications (id) WHERE state = 'dead';
            """),
    ]

    public let path: String
    public let policy: RetryPolicy
    /// Internal, not private: `DeliveryQueue+Preferences.swift` uses it; still one owner (this queue).
    let db: Connection
    private static let columns = """
        id, key, event_seq, ticket_id, kind, channel, recipient_key, address, recipient_name, subject, body, state, attempts,
        next_attempt_at, last_error, created_at, sent_at, held_until
        """

    /// Opens (creating and migrating) the queue at `path`.
    public init(path: String, policy: RetryPolicy = RetryPolicy()) throws {
        self.path = path
        self.policy = policy
        db = try Connection(path: path)
        _ = try db.migrate(Self.migrations)
    }

    // MARK: - Storing and sending

    /// Stores the notifications of one event in one transaction, with its web inbox entries;
    /// returns how many notifications were new (a redelivered event's are all known already: 0).
    /// Items without an address are skipped; inbox entries are kept once per key as well.
    @discardableResult
    public func enqueue(_ items: [NewItem], inbox: [Inbox.NewEntry] = [], now: Timestamp) throws -> Int {
        try db.transaction(.immediate) { db in
            try Self.insert(inbox, into: db, now: now)
            let insert = try db.cachedStatement("""
                INSERT OR IGNORE INTO notifications (key, event_seq, ticket_id, kind, channel, recipient_key, address, recipient_name,
                                                     subject, body, next_attempt_at, created_at, held_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var added = 0
            for item in items {
                guard let address = item.address else { continue }
                try insert.execute([
                    .text(item.key), .integer(item.eventSeq), .integer(item.ticketID.rawValue), .text(item.kind.rawValue),
                    .text(item.channel.rawValue), .text(item.recipient.key), .text(address), .optionalText(item.recipient.name),
                    .text(item.subject), .text(item.body), .integer((item.notBefore ?? now).millisecondsSinceEpoch),
                    .integer(now.millisecondsSinceEpoch), item.notBefore.map { .integer($0.millisecondsSinceEpoch) } ?? .null,
                ])
                added += db.changes
            }
            return added
        }
    }

    /// Pending notifications due at `now`, earliest first, leaving out the `excluding` channels.
    public func due(now: Timestamp, limit: Int = 100, excluding: Set<NotificationChannel> = []) throws -> [Item] {
        try db.cachedStatement("""
            SELECT \(Self.columns) FROM notifications
            WHERE state = 'pending' AND next_attempt_at <= ? AND channel NOT IN (\(Self.channelSlots)) ORDER BY next_attempt_at, id LIMIT ?
            """).query([.integer(now.millisecondsSinceEpoch)] + Self.channelList(excluding) + [.integer(Int64(limit))], Self.item)
    }

    /// The earliest instant a pending notification (not on the `excluding` channels) falls due, or nil.
    public func nextDue(excluding: Set<NotificationChannel> = []) throws -> Timestamp? {
        try db.cachedStatement("SELECT min(next_attempt_at) FROM notifications WHERE state = 'pending' AND channel NOT IN (\(Self.channelSlots))")
            .queryFirst(Self.channelList(excluding)) { $0.optionalInt64(at: 0) }?.map(Timestamp.init(millisecondsSinceEpoch:))
    }

    /// One `?` per channel, for `NOT IN (...)`.
    private static let channelSlots = Array(repeating: "?", count: NotificationChannel.allCases.count).joined(separator: ", ")

    /// The values for `NOT IN (channelSlots)`: the excluded channels' names, padded with `''`, which
    /// no channel is (not NULL: `x NOT IN (NULL)` is never true).
    private static func channelList(_ channels: Set<NotificationChannel>) -> [SQLiteValue] {
        let names = NotificationChannel.allCases.filter(channels.contains).map { SQLiteValue.text($0.rawValue) }
        return names + Array(repeating: .text(""), count: NotificationChannel.allCases.count - names.count)
    }

    public func markSent(_ id: Int64, now: Timestamp) throws {
        try markSent([id], now: now)
    }

    /// Marks several notifications sent in one transaction (the parts of one combined message).
    public func markSent(_ ids: [Int64], now: Timestamp) throws {
        try db.transaction(.immediate) { db in
            let update = try db.cachedStatement("UPDATE notifications SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?")
            for id in ids { try update.execute([.integer(now.millisecondsSinceEpoch), .integer(id)]) }
        }
    }

    /// The due notifications that waited for a contact window and go in one message with `item`
    /// (itself included): pending, held, due at `now`, same ticket, recipient and channel; oldest first.
    public func waitingTogether(with item: Item, now: Timestamp) throws -> [Item] {
        guard item.heldUntil != nil else { return [item] }
        let rows = try db.cachedStatement("""
            SELECT \(Self.columns) FROM notifications
            WHERE state = 'pending' AND held_until IS NOT NULL AND next_attempt_at <= ? AND ticket_id = ? AND recipient_key = ? AND channel = ?
            ORDER BY id
            """).query([.integer(now.millisecondsSinceEpoch), .integer(item.ticketID.rawValue), .text(item.recipientKey),
                         .text(item.channel.rawValue)], Self.item)
        return rows.isEmpty ? [item] : rows
    }

    /// Records a failed attempt: permanent, or temporary on the last attempt → dead; else pending
    /// again after the backoff. Returns the state the row is in now.
    @discardableResult
    public func markFailed(_ id: Int64, permanent: Bool, reason: String, now: Timestamp) throws -> State {
        try db.transaction(.immediate) { db in
            guard let attempts = try db.cachedStatement("SELECT attempts FROM notifications WHERE id = ? AND state = 'pending'")
                .queryFirst([.integer(id)], { Int($0.int64(at: 0)) }) else { return .dead }
            let made = attempts + 1
            let dead = permanent || made >= policy.maxAttempts
            let why = dead && !permanent ? "gave up after \(made) attempts: \(reason)" : reason
            try db.cachedStatement("UPDATE notifications SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
                .execute([.text(dead ? State.dead.rawValue : State.pending.rawValue), .integer(Int64(made)),
                          .integer(now.millisecondsSinceEpoch + (dead ? 0 : policy.delay(afterAttempt: made))),
                          .text(String(why.prefix(500))), .integer(id)])
            return dead ? .dead : .pending
        }
    }

    // MARK: - The operator's view (`campusdesk outbox`)

    /// Puts a dead notification back in the queue, due now, with its attempts reset; false when
    /// there is no dead notification `id`.
    @discardableResult
    public func retry(_ id: Int64, now: Timestamp) throws -> Bool {
        try db.cachedStatement("""
            UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'dead'
            """).execute([.integer(now.millisecondsSinceEpoch), .integer(id)])
        return db.changes == 1
    }

    /// Puts every dead notification back in the queue, due now, attempts reset; how many went back.
    @discardableResult
    public func retryAllDead(now: Timestamp) throws -> Int {
        try db.cachedStatement("UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE state = 'dead'")
            .execute([.integer(now.millisecondsSinceEpoch)])
        return db.changes
    }

    /// When the oldest pending notification was stored; nil when none is pending.
    public func oldestPendingCreatedAt() throws -> Timestamp? {
        try db.cachedStatement("SELECT min(created_at) FROM notifications WHERE state = 'pending'")
            .queryFirst([]) { $0.optionalInt64(at: 0) }?.map(Timestamp.init(millisecondsSinceEpoch:))
    }

    /// Notifications in `state` (all with nil), newest first.
    public func list(_ state: State?, limit: Int = 100) throws -> [Item] {
        if let state {
            return try db.cachedStatement("SELECT \(Self.columns) FROM notifications WHERE state = ? ORDER BY id DESC LIMIT ?")
                .query([.text(state.rawValue), .integer(Int64(limit))], Self.item)
        }
        return try db.cachedStatement("SELECT \(Self.columns) FROM notifications ORDER BY id DESC LIMIT ?")
            .query([.integer(Int64(limit))], Self.item)
    }

    /// How many notifications are in each state.
    public func counts() throws -> [State: Int] {
        var out = Dictionary(uniqueKeysWithValues: State.allCases.map { ($0, 0) })
        for (state, n) in try db.cachedStatement("SELECT state, count(*) FROM notifications GROUP BY state")
            .query([], { ($0.text(at: 0), Int($0.int64(at: 1))) }) {
            if let s = State(rawValue: state) { out[s] = n }
        }
        return out
    }

    private static func item(_ s: Statement) throws -> Item {
        Item(id: s.int64(at: 0), key: s.text(at: 1), eventSeq: s.int64(at: 2), ticketID: TicketID(s.int64(at: 3)),
             kind: NotificationKind(rawValue: s.text(at: 4)) ?? .ticketCreated, channel: NotificationChannel(rawValue: s.text(at: 5)) ?? .email,
             recipientKey: s.text(at: 6), address: s.text(at: 7), recipientName: s.optionalText(at: 8), subject: s.text(at: 9),
             body: s.text(at: 10), state: State(rawValue: s.text(at: 11)) ?? .pending, attempts: Int(s.int64(at: 12)),
             nextAttemptAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 13)), lastError: s.optionalText(at: 14),
             createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 15)),
             sentAt: s.optionalInt64(at: 16).map(Timestamp.init(millisecondsSinceEpoch:)),
             heldUntil: s.optionalInt64(at: 17).map(Timestamp.init(millisecondsSinceEpoch:)))
    }
}
