import Domain
import SQLiteKit

// MARK: - The previous page and the last page, keyset-based

extension TicketReader {
    /// Where the page `anchor` names starts: the cursor to read it after, nil for the first page.
    ///
    /// Reads the filter's order backwards, keys only, from the anchor's row (`before`) or from the
    /// end (`last`): the row `skip` places back closes the page before the wanted one, so the page
    /// is then read forwards after it like any other. At most `limit + 1` index entries, never an
    /// OFFSET over the list: a page before the millionth ticket costs what the first does.
    ///
    /// - Parameter total: the filter's count (``matchCount(_:_:cap:)``): the last page holds what the
    ///   pages from the first leave over, so its Previous walks the same pages as Next did.
    /// - Throws: `Refusal(.validation)` for a `before` row of another order; SQLite errors.
    static func start(_ db: Connection, _ filter: TicketFilter, anchor: TicketPageAnchor, total: Int?) throws -> TicketCursor? {
        var back = filter
        back.cursor = nil
        switch anchor {
        case .before(let row):
            guard row.order == filter.order else {
                throw Refusal(.validation, "The position continues the \(row.order.rawValue) order, not the \(filter.order.rawValue) one.", field: "before")
            }
            back.cursor = row
            back.limit = filter.limit
        case .last:
            guard let total else { back.limit = filter.limit; break }
            back.limit = total == 0 ? filter.limit : (total - 1) % filter.limit + 1
        }
        let query = backwardsSQL(back, match: try searchMatch(db, filter.text))
        // The query fetches `limit + 1` rows: the extra one, when there is one, is the start.
        let statement = try db.cachedStatement(query.0)
        try statement.bind(query.1)
        defer { statement.reset() }
        var n = 0
        while try statement.step() {
            if n == back.limit {
                let status = Status(rawValue: statement.text(at: 3)) ?? .closed
                let rank = statement.int64(at: 2)
                return TicketCursor.of(order: filter.order, id: TicketID(statement.int64(at: 0)),
                                       openedAt: Timestamp(millisecondsSinceEpoch: statement.int64(at: 1)),
                                       priority: (1...4).contains(rank) ? Priority.allCases[Int(rank) - 1] : nil, status: status,
                                       modifiedAt: Timestamp(millisecondsSinceEpoch: statement.int64(at: 4)), nextDue: statement.int64(at: 4))
            }
            n += 1
        }
        return nil
    }

    /// The keys of up to `limit + 1` rows before the filter's cursor (from the end without one),
    /// nearest first: the filter's order reversed, over the list's own ranges. `filter` is of the
    /// forward order.
    static func backwardsSQL(_ filter: TicketFilter, match: String?) -> (String, [SQLiteValue]) {
        var back = filter
        if let reversed = reversed(filter.order) {
            back.order = reversed
            back.cursor?.order = reversed
            return switch reversed {
            case .newest: ListQuery(back, match: match).newest(keyColumns(filter.order))
            case .oldest: ListQuery(back, match: match).newest(keyColumns(filter.order), descending: false)
            default: ListQuery(back, match: match).keyed(keyColumns(filter.order))
            }
        }
        let keys = keyColumns(filter.order)
        return switch filter.order {
        case .priority: ListQuery(back, match: match).priority(keys, backwards: true)
        case .due: ListQuery(back, match: match).keyed(keys, backwards: true)
        default: ListQuery(back, match: match).byStatus(keys, backwards: true)
        }
    }

    /// The rows at or before `cursor` in the filter's order, read backwards as ``backwardsSQL(_:)``
    /// reads them, up to `cap`; nil past it. The cursor is moved one id past its row (ids are whole
    /// numbers and the last key of every order), so the row itself counts when it still matches.
    ///
    /// Why not the count's terms (`status IN (...) AND (key) <= (...)`): SQLite searched the status
    /// index for them and read every open ticket to find the 50 before page 2 of the work queue.
    static func preceding(_ db: Connection, _ filter: TicketFilter, cursor: TicketCursor, cap: Int) throws -> Int? {
        var back = filter
        var past = cursor
        let idDescending = [.newest, .numberDescending, .activity, .status].contains(filter.order)
        past.id = TicketID(idDescending ? cursor.id.rawValue &- 1 : cursor.id.rawValue &+ 1)
        back.cursor = past
        back.limit = cap
        let (sql, values) = backwardsSQL(back, match: try searchMatch(db, filter.text))
        let n = try db.cachedStatement("SELECT count(*) FROM (\(sql))").queryFirst(values) { $0.int64(at: 0) } ?? 0
        return n > Int64(cap) ? nil : Int(n)
    }

    /// The order read backwards, where the list has it as an order of its own; nil for the
    /// priority, status and due orders (their queries take `backwards`).
    static func reversed(_ order: TicketOrder) -> TicketOrder? {
        switch order {
        case .newest: .oldest
        case .oldest: .newest
        case .number: .numberDescending
        case .numberDescending: .number
        case .activity: .activityAscending
        case .activityAscending: .activity
        case .priority, .status, .due: nil
        }
    }

    /// A position's keys: id, opening time, priority rank, status, last activity (or next due); each order reads
    /// only its own (the others are constants), so the priority order reads `tickets_by_priority`
    /// alone and the newest order `tickets_by_opened` alone, without a table seek per row.
    static func keyColumns(_ order: TicketOrder) -> ListColumns {
        switch order {
        case .priority: priorityKeys
        case .status: statusKeys
        case .activity, .activityAscending: activityKeys
        case .due: dueKeys
        case .newest, .oldest, .number, .numberDescending: openedKeys
        }
    }
    static let priorityKeys = ListColumns("t.id, t.opened_at, t.priority_rank, 'open' AS status, 0 AS modified_at",
                                          keySelect: "k.ticket_id AS id, k.key >> 20 AS opened_at, k.priority_rank, 'open' AS status, 0 AS modified_at")
    static let statusKeys = ListColumns("t.id, t.opened_at, 0 AS priority_rank, t.status, 0 AS modified_at",
                                        keySelect: "k.ticket_id AS id, k.key >> 20 AS opened_at, 0 AS priority_rank, k.status, 0 AS modified_at")
    static let activityKeys = ListColumns("t.id, t.opened_at, 0 AS priority_rank, 'open' AS status, t.modified_at")
    /// The due key in the fifth column (read as `modified_at` is in the activity orders).
    static let dueKeys = ListColumns("t.id, t.opened_at, 0 AS priority_rank, 'open' AS status, t.sla_next_due AS modified_at")
    static let openedKeys = ListColumns("t.id, t.opened_at, 0 AS priority_rank, 'open' AS status, 0 AS modified_at",
                                        keySelect: "k.ticket_id AS id, k.key >> 20 AS opened_at, 0 AS priority_rank, 'open' AS status, 0 AS modified_at")
}
