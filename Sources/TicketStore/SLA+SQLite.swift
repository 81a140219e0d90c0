import Foundation
import Domain
import SQLiteKit

/// Row mapping of a ticket's SLA timers: nine columns of `tickets` (migration 12).
extension TicketSLA {
    /// The columns, in the order `init(row:offset:)` reads and `bind(_:to:at:)` writes them.
    static let columns = """
        sla_version, sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at, sla_first_response_recorded, \
        sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at, sla_resolution_recorded
        """

    /// Nil when `sla_version` is NULL (a ticket opened before the timers).
    init?(row s: Statement, offset o: Int32) throws(SQLiteError) {
        guard !s.isNull(at: o) else { return nil }
        func timer(_ i: Int32) throws(SQLiteError) -> SLATimer {
            SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: s.int64(at: i)),
                                             due: Timestamp(millisecondsSinceEpoch: s.int64(at: i + 1))),
                     metAt: s.optionalInt64(at: i + 2).map(Timestamp.init(millisecondsSinceEpoch:)),
                     recorded: try decodeEnum(SLAState.self, s, i + 3))
        }
        self.init(policyVersion: s.int64(at: o), firstResponse: try timer(o + 1), resolution: try timer(o + 5))
    }

    /// Binds the nine columns from index `first` on (all NULL for nil).
    static func bind(_ sla: TicketSLA?, to s: Statement, at first: Int32) throws(SQLiteError) {
        try s.bind(.optionalInteger(sla?.policyVersion), at: first)
        for (n, kind) in SLATimerKind.allCases.enumerated() {
            let i = first + 1 + Int32(n) * 4
            let timer = sla?[kind]
            try s.bind(.optionalInteger(timer?.deadlines.atRisk.millisecondsSinceEpoch), at: i)
            try s.bind(.optionalInteger(timer?.deadlines.due.millisecondsSinceEpoch), at: i + 1)
            try s.bind(.optionalInteger(timer?.metAt?.millisecondsSinceEpoch), at: i + 2)
            try s.bind(.optionalText(timer?.recorded.rawValue), at: i + 3)
        }
    }
}

/// The SLA part of an event's facts (`events.before_sla`, `after_sla`) as one short text:
/// `version fr_at_risk fr_due fr_met fr_recorded res_at_risk res_due res_met res_recorded priority assignee`,
/// times in milliseconds, `-` for a timer not met, a ticket not triaged or not assigned.
///
/// Why not JSON: every event of a million-ticket import writes it, and a `JSONEncoder` per row
/// costs more than the rest of the event; the fields are written and read by hand.
/// Why priority and assignee ride here: the SLA dashboard needs them with the timers, and the
/// events table has no column of its own for them (adding one is a migration); texts written
/// before them have nine fields and read back with neither.
public enum SLAFactsText {
    /// The text for `facts` (nil when the ticket has no timers).
    public static func encode(_ facts: TicketFacts) -> String? {
        guard let sla = facts.sla else { return nil }
        var parts = [String(sla.policyVersion)]
        for kind in SLATimerKind.allCases {
            let t = sla[kind]
            parts += [String(t.deadlines.atRisk.millisecondsSinceEpoch), String(t.deadlines.due.millisecondsSinceEpoch),
                      t.metAt.map { String($0.millisecondsSinceEpoch) } ?? "-", t.recorded.rawValue]
        }
        parts += [facts.priority?.rawValue ?? "-", facts.assigneeID.map { String($0.rawValue) } ?? "-"]
        return parts.joined(separator: " ")
    }

    /// The timers, priority and assignee of a stored text (nil text: no timers).
    static func decode(_ text: String?) throws(SQLiteError) -> (sla: TicketSLA, priority: Priority?, assigneeID: UserID?)? {
        guard let text else { return nil }
        let f = text.split(separator: " ")
        func time(_ i: Int) throws(SQLiteError) -> Int64 {
            guard let v = Int64(f[i]) else { throw corrupt }
            return v
        }
        func timer(_ i: Int) throws(SQLiteError) -> SLATimer {
            guard let recorded = SLAState(rawValue: String(f[i + 3])) else { throw corrupt }
            return SLATimer(
                deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: try time(i)), due: Timestamp(millisecondsSinceEpoch: try time(i + 1))),
                metAt: f[i + 2] == "-" ? nil : Timestamp(millisecondsSinceEpoch: try time(i + 2)), recorded: recorded)
        }
        guard f.count == 9 || f.count == 11 else { throw corrupt }
        let sla = TicketSLA(policyVersion: try time(0), firstResponse: try timer(1), resolution: try timer(5))
        guard f.count == 11 else { return (sla, nil, nil) }
        var priority: Priority?
        if f[9] != "-" {
            guard let p = Priority(rawValue: String(f[9])) else { throw corrupt }
            priority = p
        }
        return (sla, priority, f[10] == "-" ? nil : UserID(try time(10)))
    }

    private static var corrupt: SQLiteError { SQLiteError(.corrupt, message: "unreadable SLA facts in events") }
}

/// `sla_versions`: every version of the policies and the calendar, with who made it and when.
extension SLAVersion {
    /// The newest version, or nil on a store that has none yet.
    static func latest(_ db: Connection) throws -> SLAVersion? {
        try db.cachedStatement("SELECT version, policies, calendar FROM sla_versions ORDER BY version DESC LIMIT 1")
            .queryFirst([]) { try SLAVersion(row: $0) }
    }

    /// Version `number`, or nil.
    static func load(_ db: Connection, version number: Int64) throws -> SLAVersion? {
        try db.cachedStatement("SELECT version, policies, calendar FROM sla_versions WHERE version = ?")
            .queryFirst([.integer(number)]) { try SLAVersion(row: $0) }
    }

    init(row s: Statement) throws {
        let decoder = JSONDecoder()
        self.init(version: s.int64(at: 0),
                  policies: try decoder.decode(SLAPolicies.self, from: Data(s.text(at: 1).utf8)),
                  calendar: try decoder.decode(BusinessCalendar.self, from: Data(s.text(at: 2).utf8)))
    }

    /// Writes a new version numbered one past the newest; returns it.
    static func insert(_ db: Connection, policies: SLAPolicies, calendar: BusinessCalendar, at time: Timestamp,
                       by actor: Actor, name: String?) throws -> SLAVersion {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let number = (try db.cachedStatement("SELECT coalesce(max(version), 0) FROM sla_versions").queryFirst([]) { $0.int64(at: 0) } ?? 0) + 1
        try db.cachedStatement("""
            INSERT INTO sla_versions (version, policies, calendar, created_at, created_by_id, created_by_role, created_by_name)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute([.integer(number), .text(String(decoding: try encoder.encode(policies), as: UTF8.self)),
                          .text(String(decoding: try encoder.encode(calendar), as: UTF8.self)), .integer(time.millisecondsSinceEpoch),
                          .optionalInteger(actor.userID?.rawValue), .text(actor.role.rawValue), .optionalText(name)])
        return SLAVersion(version: number, policies: policies, calendar: calendar)
    }
}

/// The list's `sla` filter as SQL over a ticket's timer columns: the state
/// ``TicketSLA/state(now:)`` gives, written with the same comparisons.
///
/// A met time is never after now, so a timer is breached exactly when `coalesce(met_at, now) >= due`.
enum SLAFilter {
    static func term(_ state: SLAState, prefix p: String, now: Timestamp) -> (sql: String, values: [SQLiteValue]) {
        let n = SLAValueNow(now)
        let breached = "(coalesce(\(p)sla_first_response_met_at, ?) >= \(p)sla_first_response_due OR coalesce(\(p)sla_resolution_met_at, ?) >= \(p)sla_resolution_due)"
        let atRisk = "((\(p)sla_first_response_met_at IS NULL AND \(p)sla_first_response_at_risk <= ?) OR (\(p)sla_resolution_met_at IS NULL AND \(p)sla_resolution_at_risk <= ?))"
        let bothMet = "(\(p)sla_first_response_met_at IS NOT NULL AND \(p)sla_resolution_met_at IS NOT NULL)"
        let timed = "\(p)sla_version IS NOT NULL"
        switch state {
        case .breached: return ("(\(timed) AND \(breached))", [n, n])
        case .atRisk: return ("(\(timed) AND NOT \(breached) AND \(atRisk))", [n, n, n, n])
        case .met: return ("(\(timed) AND NOT \(breached) AND \(bothMet))", [n, n])
        case .onTrack: return ("(\(timed) AND NOT \(breached) AND NOT \(atRisk) AND NOT \(bothMet))", [n, n, n, n])
        }
    }

    private static func SLAValueNow(_ now: Timestamp) -> SQLiteValue { .integer(now.millisecondsSinceEpoch) }
}

extension SLAVersionRecord {
    /// The newest version with who made it, or nil on a store that has none.
    static func latest(_ db: Connection) throws -> SLAVersionRecord? {
        try db.cachedStatement("""
            SELECT version, policies, calendar, created_at, created_by_id, created_by_role, created_by_name
            FROM sla_versions ORDER BY version DESC LIMIT 1
            """).queryFirst([]) { s in
            SLAVersionRecord(sla: try SLAVersion(row: s), createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 3)),
                             createdByID: s.optionalInt64(at: 4).map(UserID.init), createdByRole: try decodeEnum(Role.self, s, 5),
                             createdByName: s.optionalText(at: 6))
        }
    }
}

extension TicketReader {
    /// The SLA policies and calendar new tickets run under, with who set them; nil before the
    /// ticket worker first opened the store (it writes version 1).
    public func currentSLA() async throws -> SLAVersionRecord? {
        try withConnection { try SLAVersionRecord.latest($0) }
    }
}
