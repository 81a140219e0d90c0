import Foundation
import Domain
import SQLiteKit

/// The rows of one list page, stepped from the reader's prepared statement.
///
/// Not copyable and not `Sendable`, and only ever lent to a closure as `inout`: the statement is
/// reset as soon as that closure returns, so neither the rows nor their byte views can outlive it.
public struct TicketRows: ~Copyable {
    private let statement: Statement
    private let limit: Int
    private let order: TicketOrder
    private var started = false
    /// How many rows `forEach` has delivered so far.
    public private(set) var count = 0
    /// Where the next page starts (nil on the last page); known once `forEach` has run.
    public private(set) var nextCursor: TicketCursor?
    /// The cursor this page was read after (nil: the first page); for a page reached by a
    /// ``TicketPageAnchor``, the position the store found for it.
    public let start: TicketCursor?
    /// The position of the page's first row, on a page after the first (what its Previous link
    /// names: the page before this row); known once `forEach` has run.
    public private(set) var firstCursor: TicketCursor?

    init(statement: Statement, limit: Int, order: TicketOrder, start: TicketCursor?) {
        self.statement = statement
        self.limit = limit
        self.order = order
        self.start = start
    }

    /// Calls `body` with each row of the page, in the filter's order; a second call delivers nothing.
    ///
    /// The row, and every byte view it hands out, is valid only during its call of `body`
    /// (SQLite reuses the buffers on the next step). The statement fetches `limit + 1` rows; the
    /// extra one only tells that there is a next page.
    public mutating func forEach(_ body: (borrowing TicketRowView) throws -> Void) throws {
        guard !started else { return }
        started = true
        var last: TicketCursor?
        while try statement.step() {
            if count == limit {
                nextCursor = last
                return
            }
            let row = TicketRowView(statement: statement)
            // Only the page's last row can become the cursor (the row after it says there is a next page).
            if count == limit - 1 { last = try cursor(row) }
            if count == 0 && start != nil { firstCursor = try cursor(row) }
            try body(row)
            count += 1
        }
    }

    /// The row's position in the page's order.
    private func cursor(_ row: borrowing TicketRowView) throws -> TicketCursor {
        let activity = order == .activity || order == .activityAscending
        return TicketCursor.of(order: order, id: row.id, openedAt: row.openedAt, priority: order == .priority ? try row.priority : nil,
                               status: order == .status ? try row.status : .open,
                               modifiedAt: activity ? Timestamp(millisecondsSinceEpoch: statement.int64(at: TicketRowView.extraKey)) : nil,
                               nextDue: order == .due ? statement.int64(at: TicketRowView.extraKey) : 0)
    }
}

/// One list row, read in place from the current row of SQLite's result (the columns of `columns`).
///
/// Only what the list page shows: reading every column of `Ticket.columns` made SQLite decode
/// many the page never uses. Text comes as UTF-8 byte views into SQLite's buffers, numbers and
/// enums are decoded on access. Valid only inside the `TicketRows.forEach` call that lent it.
public struct TicketRowView: ~Copyable {
    /// The columns the list statement selects for these rows, in this order: the ticket as `t`,
    /// and the assignee's name from `users` joined as `u` (``joinUsers``).
    ///
    /// The six SLA columns (10...15) are the two timers' at-risk, due and met instants: what the
    /// row's state (``slaState(now:)``) needs and no more (`sla_version` is NULL exactly when they are).
    static let columns = """
        t.id, t.description, t.location, t.category, t.status, t.opened_at, t.severity, t.priority, t.assignee_id, u.name, \
        t.sla_first_response_at_risk, t.sla_first_response_due, t.sla_first_response_met_at, \
        t.sla_resolution_at_risk, t.sla_resolution_due, t.sla_resolution_met_at
        """
    /// The index of the column an order's own key is read from, after `columns` (`modified_at`, `sla_next_due`).
    static let extraKey: Int32 = 16
    /// The join that names the assignee: a primary-key lookup for each assigned row, nothing for the others.
    static let joinUsers = " LEFT JOIN users u ON u.id = t.assignee_id"

    private let s: Statement

    init(statement: Statement) { s = statement }

    public var id: TicketID { TicketID(s.int64(at: 0)) }
    /// The description's UTF-8 bytes (valid until the next row).
    public var description: UnsafeBufferPointer<UInt8> { s.textBytes(at: 1) ?? UnsafeBufferPointer(start: nil, count: 0) }
    /// The location's UTF-8 bytes, nil when the reporter gave none.
    public var location: UnsafeBufferPointer<UInt8>? { s.textBytes(at: 2) }
    /// The three names differ in their last byte: it picks the one to compare with (the table walk
    /// of `decode` cost three hundred instructions a row for each of category and status).
    public var category: Category {
        get throws(SQLiteError) {
            if let b = s.textBytes(at: 3), let last = b.last {
                let candidate: (Category, StaticString)? = switch last {
                case UInt8(ascii: "y"): (.facility, "facility")
                case UInt8(ascii: "t"): (.it, "it")
                case UInt8(ascii: "s"): (.services, "services")
                default: nil
                }
                if let (value, raw) = candidate, Self.equal(b, raw) { return value }
            }
            return try decode(3, Self.categories)
        }
    }
    /// By the first byte, as `category` by its last.
    public var status: Status {
        get throws(SQLiteError) {
            if let b = s.textBytes(at: 4), let first = b.first {
                let candidate: (Status, StaticString)? = switch first {
                case UInt8(ascii: "o"): (.open, "open")
                case UInt8(ascii: "a"): (.active, "active")
                case UInt8(ascii: "c"): (.closed, "closed")
                default: nil
                }
                if let (value, raw) = candidate, Self.equal(b, raw) { return value }
            }
            return try decode(4, Self.statuses)
        }
    }
    public var openedAt: Timestamp { Timestamp(millisecondsSinceEpoch: s.int64(at: 5)) }
    /// nil until triaged. The four names differ in length, so the length picks the one to compare
    /// with (a table walk per row showed in the list page's profile).
    public var severity: Severity? {
        get throws(SQLiteError) {
            guard let b = s.textBytes(at: 6) else { return nil }
            let candidate: (Severity, StaticString)? = switch b.count {
            case 8: (.critical, "critical")
            case 4: (.high, "high")
            case 6: (.medium, "medium")
            case 3: (.low, "low")
            default: nil
            }
            if let (value, raw) = candidate, Self.equal(b, raw) { return value }
            return try decode(6, Self.severities)
        }
    }
    /// nil without a priority. `P1`…`P4` by their second byte.
    public var priority: Priority? {
        get throws(SQLiteError) {
            guard let b = s.textBytes(at: 7) else { return nil }
            if b.count == 2, b[0] == UInt8(ascii: "P") {
                switch b[1] {
                case UInt8(ascii: "1"): return .p1
                case UInt8(ascii: "2"): return .p2
                case UInt8(ascii: "3"): return .p3
                case UInt8(ascii: "4"): return .p4
                default: break
                }
            }
            return try decode(7, Self.priorities)
        }
    }
    public var assigneeID: UserID? { s.optionalInt64(at: 8).map(UserID.init) }
    /// The assignee's name as stored in `users` (UTF-8, valid until the next row); nil when unassigned.
    public var assigneeName: UnsafeBufferPointer<UInt8>? { s.textBytes(at: 9) }

    /// The ticket's SLA state at `now` (``TicketSLA/state(now:)``: breached if either timer is,
    /// else at risk if either is, else on track if either runs, else met); nil without timers.
    ///
    /// Computed from the six instants in place: `TicketSLA.state` builds an array per call, which a
    /// row of the staff's list must not. Each SQLite call costs, so the due and met instants are
    /// read first (the at-risk one only for a timer still running before its due time), NULL is
    /// told from 0 only when a column reads 0, and a breached first timer decides alone.
    public func slaState(now: Timestamp) -> SLAState? {
        let n = now.millisecondsSinceEpoch
        func instant(_ i: Int32) -> Int64? {
            let v = s.int64(at: i)
            return v == 0 && s.isNull(at: i) ? nil : v
        }
        // ``SLADeadlines/state(now:metAt:)``, column by column.
        func timer(_ i: Int32) -> SLAState {
            let due = s.int64(at: i + 1)
            if let met = instant(i + 2), met <= n { return met < due ? .met : .breached }
            if n >= due { return .breached }
            return n >= s.int64(at: i) ? .atRisk : .onTrack
        }
        guard instant(11) != nil else { return nil }
        let first = timer(10)
        if first == .breached { return .breached }
        return SLAState.combined(first, timer(13))
    }

    private static let categories = Category.allCases.map { ($0, Array($0.rawValue.utf8)) }
    private static let statuses = Status.allCases.map { ($0, Array($0.rawValue.utf8)) }
    private static let severities = Severity.allCases.map { ($0, Array($0.rawValue.utf8)) }
    private static let priorities = Priority.allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// Whether the column's bytes are `raw`'s.
    @inline(__always)
    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ raw: StaticString) -> Bool {
        guard let base = b.baseAddress, b.count == raw.utf8CodeUnitCount else { return false }
        return memcmp(raw.utf8Start, base, b.count) == 0
    }

    /// The enum whose raw value equals the column's bytes; corrupt (as `Ticket(row:)` reports) otherwise.
    private func decode<E>(_ index: Int32, _ table: [(E, [UInt8])]) throws(SQLiteError) -> E {
        if let bytes = s.textBytes(at: index), let base = bytes.baseAddress {
            for (value, raw) in table where raw.count == bytes.count {
                if raw.withUnsafeBytes({ r in r.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false }) { return value }
            }
        }
        throw SQLiteError(.corrupt, message: "unexpected \(E.self) value in column \(index)", sql: s.sql)
    }
}
