import Foundation
import Domain
import SQLiteKit

// MARK: - The queries, over a connection the caller holds

/// The read side's SQL: each function runs on a connection that ``TicketReader`` lends it.
extension TicketReader {
    /// One page of tickets, newest first by (opened_at, id), after the filter; see `TicketQueries`.
    ///
    /// Without text and without a status or category filter, the page is one ordered range of
    /// `tickets_by_opened`. Otherwise each selected (status, category) pair is one ordered range of the
    /// `tickets_by_status_category_opened` index; each range yields at most `limit + 1` rows after the
    /// cursor and the union is merged, so a page costs about the same at any table size. With a
    /// customer or assignee (and no text), the page is one ordered range of that person's partial
    /// index, the other filters checked on its rows. Unassigned tickets (no person) take the
    /// status-and-category ranges, `assignee_id IS NULL` checked on their rows. With text,
    /// FTS5 walks the matches newest first and stops once the page is full: cost follows how many
    /// matches must be read to fill it (few for a plain search; many when a status or category filter
    /// rejects most matches).
    ///
    /// - Throws: `Refusal(.validation)` when `limit` is outside 1...500.
    static func list(_ db: Connection, _ filter: TicketFilter) throws -> TicketPage {
        let (statement, values) = try listStatement(db, filter, columns: ticketColumns)
        var tickets = try statement.query(values) { try Ticket(row: $0) }
        var next: TicketCursor?
        if tickets.count > filter.limit {
            tickets.removeLast(tickets.count - filter.limit)
            if let last = tickets.last { next = TicketCursor(openedAt: last.openedAt, id: last.id) }
        }
        return TicketPage(tickets: tickets, nextCursor: next)
    }

    /// The rows `list(filter)` returns, lent to `body` in place.
    ///
    /// The same query as `list` but selecting only `TicketRowView.columns` (what the list page
    /// shows), stepped while `body` reads each row's bytes; reset when `body` returns.
    static func withListRows<R>(_ db: Connection, _ filter: TicketFilter, _ body: (inout TicketRows) throws -> R) throws -> R {
        let (statement, values) = try listStatement(db, filter, columns: rowColumns)
        try statement.bind(values)
        defer { statement.reset() }
        var rows = TicketRows(statement: statement, limit: filter.limit)
        return try body(&rows)
    }

    /// The cached statement for one list page and its values (it fetches `limit + 1` rows).
    ///
    /// `columns` is the select list twice over: bare (the unfiltered query) and prefixed `t.` (the joins).
    static func listStatement(_ db: Connection, _ filter: TicketFilter, columns: ListColumns) throws -> (Statement, [SQLiteValue]) {
        guard (1...TicketFilter.maxLimit).contains(filter.limit) else {
            throw Refusal(.validation, "limit must be between 1 and \(TicketFilter.maxLimit).", field: "limit")
        }
        let statuses = Status.allCases.filter { filter.statuses.isEmpty || filter.statuses.contains($0) }
        let categories = Category.allCases.filter { filter.category == nil || filter.category == $0 }
        // No cursor: start above every real position, so one SQL shape serves both cases.
        let after = filter.cursor ?? TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: .max), id: TicketID(.max))
        let keyset: [SQLiteValue] = [
            .integer(after.openedAt.millisecondsSinceEpoch), .integer(after.openedAt.millisecondsSinceEpoch), .integer(after.id.rawValue),
        ]
        let fetch = Int64(filter.limit + 1)
        var sql: String
        var values: [SQLiteValue] = []
        // The people filters (a customer's own tickets, an engineer's assigned ones), as extra terms.
        var parties: [(column: String, id: UserID)] = []
        if let id = filter.customerID { parties.append(("customer_id", id)) }
        if let id = filter.assigneeID { parties.append(("assignee_id", id)) }
        if let text = filter.text, let match = FullTextQuery.expression(for: text) {
            let s = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
            let c = Array(repeating: "?", count: categories.count).joined(separator: ", ")
            // The full-text rowid is the listing position (migration 2), so FTS5 yields matches newest
            // first and the LIMIT stops it; the rowid bound skips everything opened after the cursor's
            // millisecond, and the keyset test drops the few in that same millisecond. A people filter
            // only drops matches, like the status and category ones.
            let people = parties.map { " AND t.\($0.column) = ?" }.joined() + (filter.unassigned ? " AND t.assignee_id IS NULL" : "")
            sql = """
                SELECT \(columns.prefixed) FROM tickets_fts
                JOIN ticket_search_keys k ON k.key = tickets_fts.rowid
                JOIN tickets t ON t.id = k.ticket_id
                WHERE tickets_fts MATCH ? AND tickets_fts.rowid < ?
                  AND t.status IN (\(s)) AND t.category IN (\(c))\(people)
                  AND t.opened_at <= ? AND (t.opened_at < ? OR t.id < ?)
                ORDER BY tickets_fts.rowid DESC LIMIT ?
                """
            values.append(.text(match))
            values.append(.integer(searchKeyBound(after: filter.cursor)))
            values += statuses.map { .text($0.rawValue) }
            values += categories.map { .text($0.rawValue) }
            values += parties.map { .integer($0.id.rawValue) }
            values += keyset
            values.append(.integer(fetch))
        } else if let first = parties.first {
            // One person's tickets: one ordered range of the partial index `tickets_by_customer` or
            // `tickets_by_assignee` (migration 5), (id, opened_at DESC, id DESC). The other terms are
            // written `+column` so they only filter rows and never make SQLite prefer another index:
            // a person has few tickets next to the whole table.
            var terms = ["t.\(first.column) = ?"]
            values.append(.integer(first.id.rawValue))
            for other in parties.dropFirst() {
                terms.append("+t.\(other.column) = ?")
                values.append(.integer(other.id.rawValue))
            }
            if filter.unassigned { terms.append("+t.assignee_id IS NULL") }
            if statuses.count < Status.allCases.count {
                terms.append("+t.status IN (\(Array(repeating: "?", count: statuses.count).joined(separator: ", ")))")
                values += statuses.map { .text($0.rawValue) }
            }
            if categories.count < Category.allCases.count {
                terms.append("+t.category IN (\(Array(repeating: "?", count: categories.count).joined(separator: ", ")))")
                values += categories.map { .text($0.rawValue) }
            }
            sql = """
                SELECT \(columns.prefixed) FROM tickets t
                WHERE \(terms.joined(separator: " AND "))
                  AND t.opened_at <= ? AND (t.opened_at < ? OR t.id < ?)
                ORDER BY t.opened_at DESC, t.id DESC LIMIT ?
                """
            values += keyset
            values.append(.integer(fetch))
        } else if statuses.count == Status.allCases.count && categories.count == Category.allCases.count && !filter.unassigned {
            // No status or category filter: one range of `tickets_by_opened` (migration 3).
            sql = columns.newestSQL
            values = keyset + [.integer(fetch)]
        } else {
            // Unassigned tickets have no index of their own (the assignee index is partial, `IS NOT
            // NULL`): each range of the status index checks `assignee_id` on its rows and stops at
            // `limit + 1`. The open queue is mostly unassigned, so few rows are read past the page.
            let unassigned = filter.unassigned ? " AND assignee_id IS NULL" : ""
            var branches: [String] = []
            for status in statuses {
                for category in categories {
                    branches.append("""
                        SELECT * FROM (SELECT id, opened_at FROM tickets
                          WHERE status = ? AND category = ?\(unassigned) AND opened_at <= ? AND (opened_at < ? OR id < ?)
                          ORDER BY opened_at DESC, id DESC LIMIT ?)
                        """)
                    values += [.text(status.rawValue), .text(category.rawValue)] + keyset + [.integer(fetch)]
                }
            }
            sql = """
                SELECT \(columns.prefixed) FROM (
                  \(branches.joined(separator: "\nUNION ALL\n"))
                  ORDER BY opened_at DESC, id DESC LIMIT ?
                ) AS page JOIN tickets t ON t.id = page.id
                ORDER BY t.opened_at DESC, t.id DESC
                """
            values.append(.integer(fetch))
        }
        return (try db.cachedStatement(sql), values)
    }

    /// One ticket with its messages oldest first, or nil.
    static func detail(_ db: Connection, _ id: TicketID) throws -> TicketDetail? {
        try db.transaction(.deferred) { db in
            // One read transaction: the ticket and its messages come from the same snapshot.
            guard let ticket = try db.cachedStatement("SELECT \(Ticket.columns) FROM tickets WHERE id = ?")
                .queryFirst([.integer(id.rawValue)], { try Ticket(row: $0) }) else { return nil }
            let messages = try db.cachedStatement("SELECT \(Message.columns) FROM messages WHERE ticket_id = ? ORDER BY sent_at, id")
                .query([.integer(id.rawValue)]) { try Message(row: $0) }
            return TicketDetail(ticket: ticket, messages: messages)
        }
    }

    /// Tickets per status (every status present, zero included), from the trigger-kept counters.
    static func counts(_ db: Connection) throws -> [Status: Int] {
        var result = Dictionary(uniqueKeysWithValues: Status.allCases.map { ($0, 0) })
        let rows = try db.cachedStatement("SELECT status, count FROM status_counts").query([]) { ($0.text(at: 0), $0.int64(at: 1)) }
        for (status, count) in rows {
            if let s = Status(rawValue: status) { result[s] = Int(count) }
        }
        return result
    }

    /// The first search key past every ticket opened in the cursor's millisecond (`Int64.max` without one).
    static func searchKeyBound(after cursor: TicketCursor?) -> Int64 {
        guard let ms = cursor?.openedAt.millisecondsSinceEpoch else { return .max }
        // key = opened_at * 2^20 + n; a cursor outside the keys' range bounds nothing or everything.
        if ms >= (Int64.max >> 20) - 1 { return .max }
        if ms < (Int64.min >> 20) + 1 { return .min }
        return (ms + 1) << 20
    }

    /// A list query's select list, with its SQL pieces built once (the SQL text is the cached
    /// statement's key on every request).
    struct ListColumns: Sendable {
        /// For the unfiltered page: one range of `tickets_by_opened`.
        let newestSQL: String
        /// The same columns prefixed `t.` for the queries that join `tickets` as `t`.
        let prefixed: String

        init(_ columns: String) {
            self.init(bare: columns, prefixed: columns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
        }

        init(bare columns: String, prefixed: String) {
            newestSQL = """
                SELECT \(columns) FROM tickets
                WHERE opened_at <= ? AND (opened_at < ? OR id < ?)
                ORDER BY opened_at DESC, id DESC LIMIT ?
                """
            self.prefixed = prefixed
        }
    }

    static let ticketColumns = ListColumns(bare: Ticket.columns, prefixed: Ticket.columns(qualifiedBy: "t"))
    private static let rowColumns = ListColumns(TicketRowView.columns)
}
