// MARK: - The TicketStore target
//
// The ticket store: the schema and its migrations, `TicketStore` (the sole writer, inside the ticket
// worker) and `TicketReader` (the read-only query side over a connection pool, for the gateway and
// the tools).

import Foundation
import Domain
import SQLiteKit

/// The ticket store's write side: the one writer of `tickets.db`, inside the ticket worker process.
///
/// An actor because it owns a non-`Sendable` `Connection` (one owner per handle); the worker loop
/// and the outbox relay can both reach it from their tasks. It applies commands in batches: one
/// transaction per batch (one fsync), one savepoint per command (a refused command undoes only
/// itself), the command id and its reply recorded in the same transaction as the effect
/// (exactly-once on top of at-least-once delivery), and change events written to the outbox
/// in that same transaction (no change without its event, no event without its change).
public actor TicketStore {
    let db: Connection
    let classifier: any TicketClassifier
    /// Suggests category and severity and learns from overrides (``TicketStore+Suggestions``); nil: the classifier alone.
    let triage: (any TicketTriaging)?
    /// A batch kept a new override: refit once it commits.
    var examplesChanged = false
    private let clock: any WallClock
    /// How commands without an account are taken (`resolveActor`): the campus desk's visitors, or
    /// only registration and operator tools on the network desk.
    public nonisolated let authMode: AuthMode
    /// The command being performed and who acts, for the audit rows its changes write (``recordChange``).
    var performing: (command: Command, actor: Actor)?
    /// The SLA policies and calendar new tickets run under (the newest version in `sla_versions`).
    var currentSLA: SLAVersion
    /// Row images of each write transaction for replicas (``ReplicationLog``); nil unless replicating.
    let replication: ReplicationLog?
    /// The sequence number of the newest row-image batch written (0 when not replicating or none yet).
    public internal(set) var replicationSeq: Int64 = 0

    /// Opens (creating and migrating if needed) the ticket database at `path`.
    ///
    /// - Parameters:
    ///   - synchronous: `.full` by default: a reply is sent only after commit, so a commit must
    ///     survive a power loss; batching makes the one fsync per batch cheap (docs/performance.md).
    ///   - authMode: `CAMPUSDESK_AUTH` (`Configuration.authMode`); see docs/roles.md, "Who acts".
    ///   - timeZone: the campus zone (`CAMPUSDESK_TZ`), the calendar's zone in SLA version 1 when
    ///     the store has no version yet; later versions keep the zone they were given.
    ///   - replicating: also write each transaction's row images to `replication_outbox`, for
    ///     gateways that keep a replica (``TicketReplica``, docs/nats.md); off, nothing extra is done.
    public init(path: String, classifier: any TicketClassifier, clock: any WallClock, synchronous: Connection.Synchronous = .full,
                authMode: AuthMode = .open, triage: (any TicketTriaging)? = nil,
                timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current, replicating: Bool = false) throws {
        db = try Connection(path: path, mode: .readWrite, synchronous: synchronous)
        // 64 MiB of page cache: the unique command-id index is written at random places.
        try db.execute("PRAGMA cache_size = -65536")
        // Checkpoint every ~32 MiB of WAL rather than 4 MiB: index and FTS pages written by many
        // batches in a row are copied into the database once per checkpoint, not once per 4 MiB.
        // The size limit truncates the WAL back after a checkpoint so it does not stay large.
        try db.execute("PRAGMA wal_autocheckpoint = 8192")
        try db.execute("PRAGMA journal_size_limit = 67108864")
        try db.execute("PRAGMA temp_store = MEMORY")
        // 1 GiB of mapping (address space, not memory: the pages are the kernel's reclaimable cache):
        // at 256 MiB a million-ticket file (~750 MiB) read its cold index pages through pread copies.
        try db.execute("PRAGMA mmap_size = 1073741824")
        // Before migrating: migration 9 and the search triggers call it.
        try SearchText.register(on: db)
        try db.migrate(TicketSchema.migrations)
        let replication = replicating ? try ReplicationLog(db) : nil
        self.replication = replication
        currentSLA = try Self.openSLA(db, timeZone: timeZone, now: clock.now(), replication: replication)
        self.classifier = classifier
        self.triage = triage
        // What staff taught the model before a restart counts again.
        if let triage {
            let examples = try Self.trainingExamples(db)
            if !examples.isEmpty { triage.learn(examples) }
        }
        self.clock = clock
        self.authMode = authMode
        if replication != nil {
            replicationSeq = try db.cachedStatement("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0
        }
    }

    // MARK: - Commands

    /// Applies a batch of commands in one transaction and returns one reply per command, in order.
    ///
    /// A refused command (rule broken, unknown ticket) rolls back to its savepoint and gets a reply
    /// with a `Refusal`; the others still commit. A command id seen before returns the stored reply
    /// and changes nothing. Only a storage failure throws, and then nothing of the batch is written,
    /// so the worker must not acknowledge those messages.
    public func apply(_ commands: [Command]) throws -> [CommandReply] {
        let versionBefore = currentSLA
        let replies: [CommandReply]
        do {
            replies = try db.transaction(.immediate) { _ in
                var replies: [CommandReply] = []
                replies.reserveCapacity(commands.count)
                for command in commands { replies.append(try applyOne(command)) }
                try recordReplication()
                return replies
            }
        } catch {
            // A new SLA version of this batch was not committed.
            currentSLA = versionBefore
            throw error
        }
        try refitIfLearned()
        return replies
    }

    private func applyOne(_ command: Command) throws -> CommandReply {
        if let stored = try storedReply(command.id) { return stored }
        let now = clock.now()
        let reply: CommandReply
        do {
            reply = try db.savepoint("command") { _ in try perform(command, now: now) }
        } catch let refusal as Refusal {
            reply = CommandReply(commandID: command.id, refusal: refusal)
        }
        let stored = StoredReply.encode(reply)
        try db.cachedStatement("INSERT INTO applied_commands (command_id, applied_at, reply) VALUES (?, ?, ?)").execute { s in
            try s.bind(.text(command.id.rawValue), at: 1)
            try s.bind(.integer(now.millisecondsSinceEpoch), at: 2)
            try s.bind(.blob(stored), at: 3)
        }
        return reply
    }

    private func storedReply(_ id: CommandID) throws -> CommandReply? {
        let statement = try db.cachedStatement("SELECT reply FROM applied_commands WHERE command_id = ?")
        return try statement.queryFirst([.text(id.rawValue)]) { s in try StoredReply.read(s, at: 0, commandID: id) }
    }

    private func perform(_ command: Command, now: Timestamp) throws -> CommandReply {
        let id = command.id
        // Who acts comes first: every rule below is checked against the account as stored.
        let actor = try resolveActor(command)
        performing = (command, actor)
        defer { performing = nil }
        switch command.action {
        case .createTicket(let c): return try create(c, actor: actor, id: id, now: now)
        case .editTicket(let e): return try edit(e, actor: actor, id: id, now: now)
        case .changeStatus(let c): return try changeStatus(c, actor: actor, id: id, now: now)
        case .postMessage(let p): return try post(p, actor: actor, id: id, now: now)
        case .setCategory(let s): return try setCategory(s, actor: actor, id: id, now: now)
        case .setTriage(let t): return try setTriage(t, actor: actor, id: id, now: now)
        case .importTicket(let i): return try importTicket(i, actor: actor, id: id, now: now)
        case .assignTicket(let a): return try assign(a, actor: actor, id: id, now: now)
        case .registerUser(let r): return try register(r, actor: actor, id: id, now: now)
        case .createUser(let c): return try createUser(c, actor: actor, id: id, now: now)
        case .updateUser(let u): return try updateUser(u, actor: actor, id: id, now: now)
        case .changePassword(let c): return try changePassword(c, actor: actor, id: id, now: now)
        case .startSession(let s): return try startSession(s, actor: actor, id: id, now: now)
        case .endSession(let e): return try endSession(e, actor: actor, id: id, now: now)
        case .addIssueType(let a): return try addIssueType(a, actor: actor, id: id, now: now)
        case .renameIssueType(let r): return try renameIssueType(r, actor: actor, id: id, now: now)
        case .retireIssueType(let r): return try retireIssueType(r, actor: actor, id: id, now: now)
        case .setIssueType(let s): return try setIssueType(s, actor: actor, id: id, now: now)
        case .recordSLATransition(let r): return try recordSLATransition(r, command: command, actor: actor, id: id, now: now)
        case .setSLAPolicies(let p): return try setSLA(policies: p.policies, calendar: nil, actor: actor, id: id, now: now)
        case .setSLACalendar(let c): return try setSLA(policies: nil, calendar: c.calendar, actor: actor, id: id, now: now)
        case .addAttachment(let a): return try addAttachment(a, actor: actor, id: id, now: now)
        case .followTicket(let f): return try follow(f, actor: actor, id: id, now: now)
        case .mergeTicket(let m): return try merge(m, actor: actor, id: id, now: now)
        }
    }

    // MARK: - Rows

    func load(_ id: TicketID) throws -> Ticket {
        let found = try db.cachedStatement("SELECT \(Ticket.columns) FROM tickets WHERE id = ?")
            .queryFirst([.integer(id.rawValue)]) { try Ticket(row: $0) }
        guard let found else { throw Refusal(.notFound, "There is no ticket \(id).", field: "ticket_id") }
        return found
    }

    // Inserts bind by index (`execute(binding:)`): they run once or twice per command, a million
    // times in an import, and an `[SQLiteValue]` array per row is an allocation each time.

    /// Inserts the row; `searchIndexed: false` leaves its text out of `tickets_fts` for the
    /// background pass (migration 4), the search key row is written either way.
    func insert(_ t: Ticket, searchIndexed: Bool, suggestion: String? = nil) throws -> TicketID {
        try db.cachedStatement("""
            INSERT INTO tickets (description, location, reporter, category, category_source, category_confidence, status, opened_at, modified_at, closed_at, search_indexed,
                                 customer_id, assignee_id, severity, severity_source, impact, priority, priority_source,
                                 contact_email, contact_phone, preferred_contact_time, suggestion, issue_type_id, \(TicketSLA.columns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute { s in
            try s.bind(.text(t.description), at: 1)
            try s.bind(.optionalText(t.location), at: 2)
            try s.bind(.optionalText(t.reporter), at: 3)
            try s.bind(.text(t.category.rawValue), at: 4)
            try s.bind(.text(t.storedCategorySource), at: 5)
            try s.bind(.optionalReal(t.categoryConfidence), at: 6)
            try s.bind(.text(t.status.rawValue), at: 7)
            try s.bind(.integer(t.openedAt.millisecondsSinceEpoch), at: 8)
            try s.bind(.integer(t.modifiedAt.millisecondsSinceEpoch), at: 9)
            try s.bind(.optionalInteger(t.closedAt?.millisecondsSinceEpoch), at: 10)
            try s.bind(.integer(searchIndexed ? 1 : 0), at: 11)
            try s.bind(.optionalInteger(t.customerID?.rawValue), at: 12)
            try s.bind(.optionalInteger(t.assigneeID?.rawValue), at: 13)
            try s.bind(.optionalText(t.severity?.rawValue), at: 14)
            try s.bind(.optionalText(t.severitySource?.rawValue), at: 15)
            try s.bind(.text(t.impact.rawValue), at: 16)
            try s.bind(.optionalText(t.priority?.rawValue), at: 17)
            try s.bind(.optionalText(t.prioritySource?.rawValue), at: 18)
            try s.bind(.optionalText(t.contactEmail), at: 19)
            try s.bind(.optionalText(t.contactPhone), at: 20)
            try s.bind(.optionalText(t.preferredContactTime), at: 21)
            try s.bind(.optionalText(suggestion), at: 22)
            try s.bind(.optionalInteger(t.issueTypeID?.rawValue), at: 23)
            try TicketSLA.bind(t.sla, to: s, at: 24)
        }
        return TicketID(db.lastInsertRowID)
    }

    func insertMessage(ticket: TicketID, role: Role, authorName: String?, body: String, at time: Timestamp) throws -> Message {
        try db.cachedStatement("INSERT INTO messages (ticket_id, author_role, author_name, body, sent_at) VALUES (?, ?, ?, ?, ?)").execute { s in
            try s.bind(.integer(ticket.rawValue), at: 1)
            try s.bind(.text(role.rawValue), at: 2)
            try s.bind(.optionalText(authorName), at: 3)
            try s.bind(.text(body), at: 4)
            try s.bind(.integer(time.millisecondsSinceEpoch), at: 5)
        }
        return Message(id: MessageID(db.lastInsertRowID), ticketID: ticket, authorRole: role, authorName: authorName, body: body, sentAt: time)
    }

    /// Writes the change event and one audit row per changed field (``HistoryEntry/changes(from:to:)``),
    /// naming who acts in the command being performed, in the command's savepoint. `reason` goes
    /// on the status row (why a ticket was reopened, or closed).
    /// `changedAt` dates the audit rows when the change happened at another instant than its event
    /// (an SLA transition recorded after it fell due).
    /// `extra` rows are recorded beside the field changes (a merge's `merged_from` on the survivor).
    func recordChange(_ type: ChangeEventType, from before: Ticket, to after: Ticket, at time: Timestamp, reason: String? = nil,
                      changedAt: Timestamp? = nil, extra: [(field: AuditField, old: String?, new: String?)] = []) throws {
        let seq = try writeEvent(type, ticket: after.id, before: before.facts, after: after.facts, at: time)
        let changes = HistoryEntry.changes(from: before, to: after) + extra
        guard !changes.isEmpty, let (command, actor) = performing else { return }
        // The account's name as stored now; a campus visitor's as they gave it.
        let name = try actor.userID.map { try loadUser($0)?.name } ?? command.actorName
        let statement = try db.cachedStatement("""
            INSERT INTO ticket_history (ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for change in changes {
            try statement.execute { s in
                try s.bind(.integer(after.id.rawValue), at: 1)
                try s.bind(.integer(seq), at: 2)
                try s.bind(.integer((changedAt ?? time).millisecondsSinceEpoch), at: 3)
                try s.bind(.optionalInteger(actor.userID?.rawValue), at: 4)
                try s.bind(.text(actor.role.rawValue), at: 5)
                try s.bind(.optionalText(name), at: 6)
                try s.bind(.optionalText(command.channel?.rawValue), at: 7)
                try s.bind(.text(change.field.rawValue), at: 8)
                try s.bind(.optionalText(change.old), at: 9)
                try s.bind(.optionalText(change.new), at: 10)
                try s.bind(.optionalText(change.field == .status ? reason : nil), at: 11)
            }
        }
    }

    /// Writes one change event to the outbox; returns its sequence number.
    @discardableResult
    func writeEvent(_ type: ChangeEventType, ticket: TicketID, before: TicketFacts?, after: TicketFacts, at time: Timestamp) throws -> Int64 {
        try db.cachedStatement("""
            INSERT INTO events (ticket_id, type, occurred_at, before_category, before_status, before_opened_at, before_closed_at,
                                after_category, after_status, after_opened_at, after_closed_at, before_sla, after_sla)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute { s in
            try s.bind(.integer(ticket.rawValue), at: 1)
            try s.bind(.text(type.rawValue), at: 2)
            try s.bind(.integer(time.millisecondsSinceEpoch), at: 3)
            if let before {
                try s.bind(.text(before.category.rawValue), at: 4)
                try s.bind(.text(before.status.rawValue), at: 5)
                try s.bind(.integer(before.openedAt.millisecondsSinceEpoch), at: 6)
                try s.bind(.optionalInteger(before.closedAt?.millisecondsSinceEpoch), at: 7)
            }
            try s.bind(.text(after.category.rawValue), at: 8)
            try s.bind(.text(after.status.rawValue), at: 9)
            try s.bind(.integer(after.openedAt.millisecondsSinceEpoch), at: 10)
            try s.bind(.optionalInteger(after.closedAt?.millisecondsSinceEpoch), at: 11)
            try s.bind(.optionalText(before.flatMap(SLAFactsText.encode)), at: 12)
            try s.bind(.optionalText(SLAFactsText.encode(after)), at: 13)
        }
        return db.lastInsertRowID
    }

    // MARK: - Search backlog

    /// Tickets whose text is not in the full-text index yet (imported, waiting for the pass).
    public var searchBacklog: Int {
        get throws {
            Int(try db.cachedStatement("SELECT count(*) FROM tickets WHERE search_indexed = 0").queryFirst { $0.int64(at: 0) } ?? 0)
        }
    }

    /// Adds up to `limit` pending tickets to the full-text index, in one transaction, and returns how
    /// many it indexed (fewer than `limit` means the backlog is now empty).
    ///
    /// Why one transaction holding both the FTS5 rows and the flags: a crash (kill -9) before the
    /// commit leaves both undone and after it both done, so no ticket is indexed twice or lost. The
    /// text read is the ticket's current text, so edits made while it waited are what gets indexed.
    /// Rows go to FTS5 in search-key order: FTS5 flushes its pending postings whenever a rowid
    /// arrives below the previous one, and a flush per row would make thousands of tiny segments.
    @discardableResult
    public func indexSearchBacklog(limit: Int) throws -> Int {
        let limit = Int64(max(0, limit))
        return try db.transaction(.immediate) { db in
            try db.cachedStatement("""
                INSERT INTO tickets_fts (rowid, description, location, reporter, filters)
                SELECT k.key, campusdesk_search_text(t.description), campusdesk_search_text(t.location), campusdesk_search_text(t.reporter),
                       \(TicketSchema.filterWords("t"))
                FROM (SELECT id FROM tickets WHERE search_indexed = 0 ORDER BY id LIMIT ?) p
                JOIN ticket_search_keys k ON k.ticket_id = p.id
                JOIN tickets t ON t.id = p.id
                ORDER BY k.key
                """).execute([.integer(limit)])
            // Their words into the index's vocabulary (migration 17), which search expands a word with.
            try db.cachedStatement("""
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT id FROM tickets WHERE search_indexed = 0 ORDER BY id LIMIT ?1) p
                JOIN tickets t ON t.id = p.id, json_each(campusdesk_search_words(t.description)) w
                UNION ALL
                SELECT w.value FROM (SELECT id FROM tickets WHERE search_indexed = 0 ORDER BY id LIMIT ?1) p
                JOIN tickets t ON t.id = p.id, json_each(campusdesk_search_words(t.location)) w
                UNION ALL
                SELECT w.value FROM (SELECT id FROM tickets WHERE search_indexed = 0 ORDER BY id LIMIT ?1) p
                JOIN tickets t ON t.id = p.id, json_each(campusdesk_search_words(t.reporter)) w
                """).execute([.integer(limit)])
            // The same rows: nothing else writes between the two statements of this transaction.
            try db.cachedStatement("""
                UPDATE tickets SET search_indexed = 1
                WHERE id IN (SELECT id FROM tickets WHERE search_indexed = 0 ORDER BY id LIMIT ?)
                """).execute([.integer(limit)])
            let indexed = db.changes
            try recordReplication()
            return indexed
        }
    }

    /// A ticket's audit trail, oldest first, as the writer sees it (tools and tests; the gateway uses ``TicketReader/history(_:)``).
    public func history(_ id: TicketID) throws -> [HistoryEntry] {
        try HistoryEntry.trail(db, ticket: id)
    }

    // MARK: - Outbox

    /// The sequence number of the newest event (zero when there is none).
    public var lastSequence: SequenceNumber {
        get throws {
            SequenceNumber(try db.cachedStatement("SELECT coalesce(max(seq), 0) FROM events").queryFirst { $0.int64(at: 0) } ?? 0)
        }
    }

    /// The highest sequence number the relay has published to every subscriber.
    public var publishedThrough: SequenceNumber {
        get throws {
            SequenceNumber(try db.cachedStatement("SELECT published_through FROM outbox_state").queryFirst { $0.int64(at: 0) } ?? 0)
        }
    }

    /// The oldest events not yet published, in sequence order, at most `limit`.
    public func unpublishedEvents(limit: Int) throws -> [ChangeEvent] {
        let events = try db.cachedStatement("""
            SELECT \(ChangeEvent.columns) FROM events
            WHERE seq > (SELECT published_through FROM outbox_state) ORDER BY seq LIMIT ?
            """).query([.integer(Int64(max(0, limit)))]) { try ChangeEvent(row: $0) }
        return try ChangeEvent.attachingHistory(events, db)
    }

    /// Records that every event up to `seq` is published; the marker never moves back or past the last event.
    public func markPublished(through seq: SequenceNumber) throws {
        try db.execute("""
            UPDATE outbox_state SET published_through =
                max(published_through, min(?, (SELECT coalesce(max(seq), 0) FROM events)))
            """, [.integer(seq.rawValue)])
    }

    /// Events with sequence numbers from `start` (inclusive) on, in order, at most `limit`: the replay
    /// for a subscriber that saw a gap or starts fresh (it asks from its last applied seq + 1).
    public func events(from start: SequenceNumber, limit: Int) throws -> [ChangeEvent] {
        let events = try db.cachedStatement("SELECT \(ChangeEvent.columns) FROM events WHERE seq >= ? ORDER BY seq LIMIT ?")
            .query([.integer(start.rawValue), .integer(Int64(max(0, limit)))]) { try ChangeEvent(row: $0) }
        return try ChangeEvent.attachingHistory(events, db)
    }
}
