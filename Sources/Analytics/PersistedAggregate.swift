import Foundation
import Domain
import SQLiteKit
import SpoolBroker

/// An aggregate that can be stored in, and restored from, its worker's own SQLite state file.
///
/// Why key-wise saving: a batch of events changes a handful of stored values (a few opening
/// instants, months or cells), so a batch writes only those rows, whatever the aggregate's size.
public protocol PersistedAggregate: AnalyticsAggregate {
    /// The service this aggregate answers for; names the state file and the queues.
    static var service: AnalyticsService { get }
    /// `CREATE TABLE` statements for the aggregate's own rows.
    static var schema: String { get }
    /// Tables to empty when the state is rebuilt from scratch.
    static var tables: [String] { get }
    /// Whether the stored values depend on the campus time zone (a new zone forces a rebuild).
    static var dependsOnTimeZone: Bool { get }
    /// The version of `schema`; a state file written with another layout is rebuilt from a replay.
    static var layout: Int { get }

    /// An aggregate with no events applied.
    static func empty(timeZone: TimeZone) -> Self
    /// Reads the aggregate back from its rows.
    static func load(from db: Connection, timeZone: TimeZone) throws -> Self
    /// Writes the current values of `keys` (deleting rows whose value became zero).
    func save(_ keys: Set<Key>, to db: Connection) throws
}

extension PersistedAggregate {
    /// Layout 1, the first one, unless the aggregate says otherwise.
    public static var layout: Int { 1 }
}

/// A stored row that cannot be read back into an aggregate.
public struct AnalyticsStateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// MARK: - open-tickets

extension OpenTicketsAggregate: PersistedAggregate {
    public static var service: AnalyticsService { .openTickets }
    /// Layout 2 keeps the category beside the opening instant (for the breakdown by category);
    /// layout 1 kept instants only, so a state file of layout 1 is rebuilt by a full replay.
    public static var layout: Int { 2 }
    public static var schema: String {
        """
        CREATE TABLE open_ticket (
            opened_at INTEGER NOT NULL,
            category TEXT NOT NULL,
            tickets INTEGER NOT NULL CHECK (tickets > 0),
            PRIMARY KEY (opened_at, category)
        ) WITHOUT ROWID;
        """
    }
    public static var tables: [String] { ["open_ticket"] }
    public static var dependsOnTimeZone: Bool { false }

    public static func empty(timeZone: TimeZone) -> OpenTicketsAggregate { OpenTicketsAggregate(timeZone: timeZone) }

    public static func load(from db: Connection, timeZone: TimeZone) throws -> OpenTicketsAggregate {
        var rows: [Domain.Category: [(openedAt: Int64, count: Int)]] = [:]
        let stored = try db.prepare("SELECT opened_at, category, tickets FROM open_ticket ORDER BY opened_at").query { s in
            let raw = s.text(at: 1)
            guard let category = Domain.Category(rawValue: raw) else {
                throw AnalyticsStateError("open_ticket has an unknown category: \(raw.prefix(20))")
            }
            return (category, s.int64(at: 0), Int(s.int64(at: 2)))
        }
        for (category, openedAt, count) in stored { rows[category, default: []].append((openedAt, count)) }
        return OpenTicketsAggregate(timeZone: timeZone, ascendingCounts: rows)
    }

    public func save(_ keys: Set<Key>, to db: Connection) throws {
        for key in keys {
            let n = count(key)
            if n == 0 {
                try db.execute("DELETE FROM open_ticket WHERE opened_at = ? AND category = ?", [.integer(key.openedAt), .text(key.category.rawValue)])
            } else {
                try db.execute("INSERT OR REPLACE INTO open_ticket (opened_at, category, tickets) VALUES (?, ?, ?)",
                               [.integer(key.openedAt), .text(key.category.rawValue), .integer(Int64(n))])
            }
        }
    }
}

// MARK: - resolution-time

extension ResolutionTimeAggregate: PersistedAggregate {
    public static var service: AnalyticsService { .resolutionTime }
    public static var schema: String {
        """
        CREATE TABLE month_resolution (
            month_index INTEGER PRIMARY KEY,  -- year × 12 + month − 1, in the campus time zone
            closed INTEGER NOT NULL CHECK (closed > 0),
            total_ms INTEGER NOT NULL
        );
        """
    }
    public static var tables: [String] { ["month_resolution"] }
    public static var dependsOnTimeZone: Bool { true }

    public static func empty(timeZone: TimeZone) -> ResolutionTimeAggregate { ResolutionTimeAggregate(timeZone: timeZone) }

    public static func load(from db: Connection, timeZone: TimeZone) throws -> ResolutionTimeAggregate {
        let rows = try db.prepare("SELECT month_index, closed, total_ms FROM month_resolution").query { s in
            (YearMonth(index: s.int64(at: 0)), Totals(closed: Int(s.int64(at: 1)), totalMilliseconds: s.int64(at: 2)))
        }
        return ResolutionTimeAggregate(timeZone: timeZone, months: Dictionary(rows, uniquingKeysWith: { a, _ in a }))
    }

    public func save(_ keys: Set<YearMonth>, to db: Connection) throws {
        for month in keys {
            let t = totals(for: month)
            if t.closed == 0 {
                try db.execute("DELETE FROM month_resolution WHERE month_index = ?", [.integer(month.index)])
            } else {
                try db.execute("INSERT OR REPLACE INTO month_resolution (month_index, closed, total_ms) VALUES (?, ?, ?)",
                               [.integer(month.index), .integer(Int64(t.closed)), .integer(t.totalMilliseconds)])
            }
        }
    }
}

// MARK: - category-load

extension CategoryLoadAggregate: PersistedAggregate {
    public static var service: AnalyticsService { .categoryLoad }
    public static var schema: String {
        """
        CREATE TABLE category_load (
            category TEXT NOT NULL,
            status TEXT NOT NULL,
            tickets INTEGER NOT NULL,
            PRIMARY KEY (category, status)
        ) WITHOUT ROWID;
        """
    }
    public static var tables: [String] { ["category_load"] }
    public static var dependsOnTimeZone: Bool { false }

    public static func empty(timeZone: TimeZone) -> CategoryLoadAggregate { CategoryLoadAggregate() }

    public static func load(from db: Connection, timeZone: TimeZone) throws -> CategoryLoadAggregate {
        let rows = try db.prepare("SELECT category, status, tickets FROM category_load").query { s -> (Cell, Int) in
            let (c, st) = (s.text(at: 0), s.text(at: 1))
            guard let category = Category(rawValue: c), let status = Status(rawValue: st) else {
                throw AnalyticsStateError("category_load has an unknown category or status: \(c.prefix(20))/\(st.prefix(20))")
            }
            return (Cell(category: category, status: status), Int(s.int64(at: 2)))
        }
        return CategoryLoadAggregate(counts: Dictionary(rows, uniquingKeysWith: +))
    }

    public func save(_ keys: Set<Cell>, to db: Connection) throws {
        for cell in keys {
            let n = count(cell)
            if n == 0 {
                try db.execute("DELETE FROM category_load WHERE category = ? AND status = ?", [.text(cell.category.rawValue), .text(cell.status.rawValue)])
            } else {
                try db.execute("INSERT OR REPLACE INTO category_load (category, status, tickets) VALUES (?, ?, ?)",
                               [.text(cell.category.rawValue), .text(cell.status.rawValue), .integer(Int64(n))])
            }
        }
    }
}
