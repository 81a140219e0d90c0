import Foundation
import Domain
import SQLiteKit

// MARK: - service-levels

/// The service-levels state: three tables of counts, each row one ``ServiceLevelsAggregate/Key``.
///
/// Counters and series are named by short texts (`breached P1`, `engineer_due 17`) so a new kind
/// of count is a new name, not a new table.
extension ServiceLevelsAggregate: PersistedAggregate {
    public static var service: AnalyticsService { .serviceLevels }
    public static var schema: String {
        """
        CREATE TABLE sla_compliance (
            month_index INTEGER NOT NULL,  -- year × 12 + month − 1, in the campus time zone
            priority TEXT NOT NULL,
            first_response_met INTEGER NOT NULL,
            first_response_breached INTEGER NOT NULL,
            resolution_met INTEGER NOT NULL,
            resolution_breached INTEGER NOT NULL,
            PRIMARY KEY (month_index, priority)
        ) WITHOUT ROWID;
        CREATE TABLE sla_counter (
            name TEXT PRIMARY KEY,
            tickets INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE sla_instant (
            series TEXT NOT NULL,
            instant INTEGER NOT NULL,     -- ms since the epoch
            tickets INTEGER NOT NULL CHECK (tickets > 0),
            PRIMARY KEY (series, instant)
        ) WITHOUT ROWID;
        """
    }
    public static var tables: [String] { ["sla_compliance", "sla_counter", "sla_instant"] }
    public static var dependsOnTimeZone: Bool { true }

    public static func empty(timeZone: TimeZone) -> ServiceLevelsAggregate { ServiceLevelsAggregate(timeZone: timeZone) }

    public static func load(from db: Connection, timeZone: TimeZone) throws -> ServiceLevelsAggregate {
        let cells = try db.prepare("""
            SELECT month_index, priority, first_response_met, first_response_breached, resolution_met, resolution_breached FROM sla_compliance
            """).query { s -> (Cell, Compliance) in
            let raw = s.text(at: 1)
            guard let priority = Priority(rawValue: raw) else { throw AnalyticsStateError("sla_compliance has an unknown priority: \(raw.prefix(20))") }
            return (Cell(month: YearMonth(index: s.int64(at: 0)), priority: priority),
                    Compliance(firstResponse: SLAOutcomeCounts(met: Int(s.int64(at: 2)), breached: Int(s.int64(at: 3))),
                               resolution: SLAOutcomeCounts(met: Int(s.int64(at: 4)), breached: Int(s.int64(at: 5)))))
        }
        let counters = try db.prepare("SELECT name, tickets FROM sla_counter").query { s -> (Counter, Int) in
            let name = s.text(at: 0)
            guard let counter = Counter(name: name) else { throw AnalyticsStateError("sla_counter has an unknown name: \(name.prefix(40))") }
            return (counter, Int(s.int64(at: 1)))
        }
        var lists: [String: [(Int64, Int)]] = [:]
        let rows = try db.prepare("SELECT series, instant, tickets FROM sla_instant ORDER BY series, instant").query { s in
            (s.text(at: 0), s.int64(at: 1), Int(s.int64(at: 2)))
        }
        for (name, instant, n) in rows { lists[name, default: []].append((instant, n)) }
        var series: [Series: SortedCountingMultiset] = [:]
        for (name, list) in lists {
            guard let key = Series(name: name) else { throw AnalyticsStateError("sla_instant has an unknown series: \(name.prefix(40))") }
            series[key] = SortedCountingMultiset(ascending: list.lazy.flatMap { repeatElement($0.0, count: max(0, $0.1)) })
        }
        return ServiceLevelsAggregate(timeZone: timeZone, compliance: Dictionary(cells, uniquingKeysWith: { a, _ in a }),
                                      counters: Dictionary(counters, uniquingKeysWith: { a, _ in a }), series: series)
    }

    public func save(_ keys: Set<Key>, to db: Connection) throws {
        for key in keys {
            switch key {
            case .compliance(let cell):
                let c = compliance(cell)
                if c.isZero {
                    try db.execute("DELETE FROM sla_compliance WHERE month_index = ? AND priority = ?",
                                   [.integer(cell.month.index), .text(cell.priority.rawValue)])
                } else {
                    try db.execute("""
                        INSERT OR REPLACE INTO sla_compliance
                        (month_index, priority, first_response_met, first_response_breached, resolution_met, resolution_breached)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, [.integer(cell.month.index), .text(cell.priority.rawValue),
                              .integer(Int64(c.firstResponse.met)), .integer(Int64(c.firstResponse.breached)),
                              .integer(Int64(c.resolution.met)), .integer(Int64(c.resolution.breached))])
                }
            case .counter(let counter):
                let n = count(counter)
                if n == 0 {
                    try db.execute("DELETE FROM sla_counter WHERE name = ?", [.text(counter.name)])
                } else {
                    try db.execute("INSERT OR REPLACE INTO sla_counter (name, tickets) VALUES (?, ?)", [.text(counter.name), .integer(Int64(n))])
                }
            case .instant(let s, let instant):
                let n = multiplicity(s, instant)
                if n == 0 {
                    try db.execute("DELETE FROM sla_instant WHERE series = ? AND instant = ?", [.text(s.name), .integer(instant)])
                } else {
                    try db.execute("INSERT OR REPLACE INTO sla_instant (series, instant, tickets) VALUES (?, ?, ?)",
                                   [.text(s.name), .integer(instant), .integer(Int64(n))])
                }
            }
        }
    }
}

extension ServiceLevelsAggregate.Counter {
    /// `breached P1`, `engineer_open 17`, `engineer_active 17`, `engineer_breached 17`.
    var name: String {
        switch self {
        case .breached(let p): "breached \(p.rawValue)"
        case .engineerOpen(let id): "engineer_open \(id.rawValue)"
        case .engineerActive(let id): "engineer_active \(id.rawValue)"
        case .engineerBreached(let id): "engineer_breached \(id.rawValue)"
        }
    }

    init?(name: String) {
        let f = name.split(separator: " ")
        guard f.count == 2 else { return nil }
        switch f[0] {
        case "breached": guard let p = Priority(rawValue: String(f[1])) else { return nil }; self = .breached(p)
        case "engineer_open": guard let id = Int64(f[1]) else { return nil }; self = .engineerOpen(UserID(id))
        case "engineer_active": guard let id = Int64(f[1]) else { return nil }; self = .engineerActive(UserID(id))
        case "engineer_breached": guard let id = Int64(f[1]) else { return nil }; self = .engineerBreached(UserID(id))
        default: return nil
        }
    }
}

extension ServiceLevelsAggregate.Series {
    /// `at_risk P1`, `due P1`, `engineer_due 17`, `engineer_opened 17`.
    var name: String {
        switch self {
        case .atRisk(let p): "at_risk \(p.rawValue)"
        case .due(let p): "due \(p.rawValue)"
        case .engineerDue(let id): "engineer_due \(id.rawValue)"
        case .engineerOpened(let id): "engineer_opened \(id.rawValue)"
        }
    }

    init?(name: String) {
        let f = name.split(separator: " ")
        guard f.count == 2 else { return nil }
        switch f[0] {
        case "at_risk": guard let p = Priority(rawValue: String(f[1])) else { return nil }; self = .atRisk(p)
        case "due": guard let p = Priority(rawValue: String(f[1])) else { return nil }; self = .due(p)
        case "engineer_due": guard let id = Int64(f[1]) else { return nil }; self = .engineerDue(UserID(id))
        case "engineer_opened": guard let id = Int64(f[1]) else { return nil }; self = .engineerOpened(UserID(id))
        default: return nil
        }
    }
}
