import Domain
import SQLiteKit

extension HistoryEntry {
    static let columns = "id, ticket_id, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason"

    init(row s: Statement) throws(SQLiteError) {
        self.init(
            id: s.int64(at: 0), ticketID: TicketID(s.int64(at: 1)), changedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 2)),
            actorID: s.optionalInt64(at: 3).map(UserID.init), actorRole: try decodeEnum(Role.self, s, 4), actorName: s.optionalText(at: 5),
            channel: s.isNull(at: 6) ? nil : try decodeEnum(Channel.self, s, 6),
            field: try decodeEnum(AuditField.self, s, 7), oldValue: s.optionalText(at: 8), newValue: s.optionalText(at: 9),
            reason: s.optionalText(at: 10))
    }

    /// A ticket's trail, oldest first.
    static func trail(_ db: Connection, ticket: TicketID) throws -> [HistoryEntry] {
        try db.cachedStatement("SELECT \(columns) FROM ticket_history WHERE ticket_id = ? ORDER BY id")
            .query([.integer(ticket.rawValue)]) { try HistoryEntry(row: $0) }
    }
}

extension ChangeEvent {
    /// The events with the audit rows each change wrote (one indexed range read for the whole run).
    static func attachingHistory(_ events: [ChangeEvent], _ db: Connection) throws -> [ChangeEvent] {
        guard let first = events.first?.seq.rawValue, let last = events.last?.seq.rawValue else { return events }
        var bySeq: [Int64: [HistoryEntry]] = [:]
        let rows = try db.cachedStatement("SELECT \(HistoryEntry.columns), event_seq FROM ticket_history WHERE event_seq BETWEEN ? AND ? ORDER BY id")
            .query([.integer(first), .integer(last)]) { s in (s.int64(at: 11), try HistoryEntry(row: s)) }
        for (seq, entry) in rows { bySeq[seq, default: []].append(entry) }
        guard !bySeq.isEmpty else { return events }
        return events.map { e in
            var e = e
            e.changes = bySeq[e.seq.rawValue]
            return e
        }
    }
}
