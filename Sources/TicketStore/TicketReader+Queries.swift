import Foundation
import Domain
import SQLiteKit

// MARK: - The queries, over a connection the caller holds

/// The read side's SQL: each function runs on a connection that ``TicketReader`` lends it.
extension TicketReader {
    /// One page of tickets in the filter's order, after the filter; see `TicketQueries`.
    ///
    /// **Newest first.** Without text and without a status or category filter, the page is one
    /// ordered range of `tickets_by_opened`. Otherwise each selected (status, category) pair is one
    /// ordered range of the `tickets_by_status_category_opened` index; each range yields at most
    /// `limit + 1` rows after the cursor and the union is merged, so a page costs about the same at
    /// any table size. With a customer or assignee (and no text), the page is one ordered range of
    /// that person's partial index, the other filters checked on its rows. Unassigned tickets (no
    /// person) take the status-and-category ranges, `assignee_id IS NULL` checked on their rows.
    /// With text, FTS5 walks the matches newest first and stops once the page is full: cost follows
    /// how many matches must be read to fill it (few for a plain search; more when a status
    /// filter rejects most matches, each checked on the search key's own columns, migration 20,
    /// without reading the ticket's row). A category or priority filter is part of what FTS5 is
    /// asked (migration 22's filter words, ``ListQuery/filterMatch(_:categories:ranks:)``): a
    /// category makes each word its compound token (one postings list of that category's tickets),
    /// a priority's postings are merged with the word's, so rejected matches are skipped in the index.
    /// A ticket number (`#3001`, ``FullTextQuery``) adds that ticket to the matches of the number
    /// as a word; the few keys are sorted.
    ///
    /// **Priority order** (``TicketOrder/priority``): open and active tickets are one ordered range
    /// of `tickets_by_priority` (migration 8, partial: not-closed tickets only), entered at the
    /// cursor by a row value; a single status, a category, the unassigned and the triage filters
    /// drop rows from it. Closed tickets alone are one range of `tickets_closed_by_priority`
    /// (migration 18); closed with other statuses, the merge of both ranges, each stopped at the
    /// page. Low confidence is one range of `tickets_low_confidence_by_priority` (migration 21).
    /// At risk and on track read the running timers' range of `tickets_running_sla` (migration 23)
    /// and sort its keys (few tickets), as do a person's tickets (from their index) and a ticket
    /// number's matches (few). A priority filter bounds the range to the ranks asked for. A text search ranks its
    /// newest ``searchPriorityWindow`` matches (read as the newest order reads them) and pages
    /// through those: bounded work, the whole order when no more match (the count says which).
    ///
    /// In the other orders, low confidence, at risk and on track read the same ranges and sort them.
    /// Severity filters only drop rows from whichever range the page reads.
    ///
    /// - Throws: `Refusal(.validation)` when `limit` is outside 1...500 or the cursor is of the other order.
    static func list(_ db: Connection, _ filter: TicketFilter) throws -> TicketPage {
        let (statement, values) = try listStatement(db, filter, columns: ticketColumns)
        var tickets = try statement.query(values) { try Ticket(row: $0) }
        var next: TicketCursor?
        if tickets.count > filter.limit {
            tickets.removeLast(tickets.count - filter.limit)
            if let last = tickets.last {
                next = TicketCursor.of(order: filter.order, id: last.id, openedAt: last.openedAt, priority: last.priority,
                                       status: last.status, modifiedAt: last.modifiedAt, nextDue: TicketSLA.nextDue(of: last.sla))
            }
        }
        return TicketPage(tickets: tickets, nextCursor: next)
    }

    /// The rows `list(filter)` returns, lent to `body` in place.
    ///
    /// The same query as `list` but selecting only `TicketRowView.columns` (what the list page
    /// shows), stepped while `body` reads each row's bytes; reset when `body` returns.
    static func withListRows<R>(_ db: Connection, _ filter: TicketFilter, _ body: (inout TicketRows) throws -> R) throws -> R {
        let columns = switch filter.order {
        case .activity, .activityAscending: rowColumnsWithActivity
        case .due: rowColumnsWithDue
        default: rowColumns
        }
        let (statement, values) = try listStatement(db, filter, columns: columns)
        try statement.bind(values)
        defer { statement.reset() }
        var rows = TicketRows(statement: statement, limit: filter.limit, order: filter.order, start: filter.cursor)
        return try body(&rows)
    }

    /// The cached statement for one list page and its values (it fetches `limit + 1` rows).
    static func listStatement(_ db: Connection, _ filter: TicketFilter, columns: ListColumns) throws -> (Statement, [SQLiteValue]) {
        guard (1...TicketFilter.maxLimit).contains(filter.limit) else {
            throw Refusal(.validation, "limit must be between 1 and \(TicketFilter.maxLimit).", field: "limit")
        }
        if let cursor = filter.cursor, cursor.order != filter.order {
            throw Refusal(.validation, "The cursor continues the \(cursor.order.rawValue) order, not the \(filter.order.rawValue) one.", field: "cursor")
        }
        let (sql, values) = listSQL(filter, columns: columns, match: try searchMatch(db, filter.text))
        return (try db.cachedStatement(sql), values)
    }

    /// The MATCH expression for a search's text (nil without text or without a word), each typed
    /// word expanded to the whole words of the index it begins (``FullTextQuery/expression(for:words:)``),
    /// read from `search_words` (migration 17): one short range of its primary key per word.
    static func searchMatch(_ db: Connection, _ text: String?) throws -> String? {
        guard let text else { return nil }
        let statement = try db.cachedStatement("SELECT word FROM search_words WHERE word >= ? AND word < ? LIMIT ?")
        return try FullTextQuery.expression(for: text) { prefix in
            try statement.query([.text(prefix), .text(FullTextQuery.prefixEnd(prefix)), .integer(Int64(FullTextQuery.maxExpansion + 1))]) { $0.text(at: 0) }
        }
    }

    /// The SQL of one list page in the filter's order and its values (`limit + 1` rows), unchecked.
    /// `match`: the filter's text as ``searchMatch(_:_:)`` gives it.
    static func listSQL(_ filter: TicketFilter, columns: ListColumns, match: String?) -> (String, [SQLiteValue]) {
        let query = ListQuery(filter, match: match)
        return switch filter.order {
        case .newest: query.newest(columns)
        case .oldest: query.newest(columns, descending: false)
        case .priority: query.priority(columns)
        case .status: query.byStatus(columns)
        case .number, .numberDescending, .activity, .activityAscending, .due: query.keyed(columns)
        }
    }

    /// The pieces of one list query that every shape shares: the selected statuses and categories,
    /// the people filters and the triage filters.
    struct ListQuery {
        let filter: TicketFilter
        let statuses: [Status]
        let categories: [Category]
        /// The people filters (a customer's own tickets, an engineer's assigned ones), as extra terms.
        let parties: [(column: String, id: UserID)]
        var fetch: SQLiteValue
        /// The MATCH expression of the filter's text (``TicketReader/searchMatch(_:_:)``), nil without one.
        let textMatch: String?
        /// `textMatch` in the text columns, ANDed with the category and priority filters' words in
        /// `filters` (migration 22, ``filterMatch(_:categories:ranks:)``): what FTS5 is asked. Nil
        /// without text.
        let match: String?

        /// - Parameter match: the text's MATCH expression as ``TicketReader/searchMatch(_:_:)`` gives it.
        init(_ filter: TicketFilter, match: String?) {
            self.filter = filter
            textMatch = filter.text == nil ? nil : match
            let statuses = Status.allCases.filter { filter.statuses.isEmpty || filter.statuses.contains($0) }
            let categories = Category.allCases.filter { filter.category == nil || filter.category == $0 }
            self.statuses = statuses
            self.categories = categories
            self.match = textMatch.map {
                Self.filterMatch($0, categories: categories, ranks: Set(filter.priorities.map(TicketCursor.rank)).sorted())
            }
            var parties: [(column: String, id: UserID)] = []
            if let id = filter.customerID { parties.append(("customer_id", id)) }
            if let id = filter.assigneeID { parties.append(("assignee_id", id)) }
            self.parties = parties
            fetch = .integer(Int64(filter.limit + 1))
        }

        /// What FTS5 is asked for the text and the category and priority filters. With one category
        /// (the list's filter) the text becomes its compound tokens in `filters` (``SearchFilters``):
        /// `filters : ("cfacilityxprojector")`, one short postings list per word, newest first
        /// (issue 22, finding 11). Otherwise the text is restricted to the text columns (a typed word
        /// never finds a filter word) and ANDed with the category's word when a word is not one
        /// token (``SearchFilters/compoundExpression(_:category:)`` gives nil). The priority filter
        /// is one group of `filters` words ANDed, `... AND filters : ("priority2")`: FTS5 intersects
        /// the postings, so matches it rejects are skipped in the index rather than read and tested
        /// one by one. The words are the ones ``TicketSchema/filterWords(_:)`` writes; every value
        /// here is an enum's or a number 1...5. The statuses are tested on the search key
        /// (migration 20), not here (migration 22 says why).
        static func filterMatch(_ text: String, categories: [Category], ranks: [Int]) -> String {
            var groups: [[String]] = []
            var expression: String
            if categories.count == 1, let compound = SearchFilters.compoundExpression(text, category: categories[0].rawValue) {
                expression = "filters : (\(compound))"
            } else {
                expression = "{description location reporter} : (\(text))"
                if categories.count < Category.allCases.count { groups.append(categories.map { "category" + $0.rawValue }) }
            }
            if !ranks.isEmpty && ranks.count < 5 { groups.append(ranks.map { "priority\($0)" }) }
            for words in groups {
                expression += " AND filters : (" + words.map { "\"\($0)\"" }.joined(separator: " OR ") + ")"
            }
            return expression
        }

        var allStatuses: Bool { statuses.count == Status.allCases.count }
        var allCategories: Bool { categories.count == Category.allCases.count }

        /// A search needs the ticket's row to filter its matches: a person, unassigned, severity,
        /// priority, SLA or confidence filter. Status and category are on the search key (migration 20).
        var filtersOnTicketRow: Bool { !parties.isEmpty || filter.unassigned || !triageTerms("t.").sql.isEmpty }

        /// The status and category filters on the search key's own columns (migration 20), as row
        /// filters (`+`): a match is dropped on the key row FTS5's rowid finds, before any seek
        /// into `tickets` (whose rows, read once per match, were most of a filtered search's time).
        func keyFilterTerms(_ values: inout [SQLiteValue]) -> String {
            var sql = ""
            if !allStatuses {
                sql += " AND +k.status IN (\(Self.placeholders(statuses.count)))"
                values += statuses.map { .text($0.rawValue) }
            }
            if !allCategories {
                sql += " AND +k.category IN (\(Self.placeholders(categories.count)))"
                values += categories.map { .text($0.rawValue) }
            }
            return sql
        }

        static func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }

        /// The severity and priority filters as row filters on columns of `prefix` (`t.` or none):
        /// written as expressions (`ifnull(...)`, `+column`) so that SQLite never takes them as a
        /// reason to read another index. Untriaged is `''` for severity and rank 5 for priority.
        func triageTerms(_ prefix: String) -> (sql: String, values: [SQLiteValue]) {
            var sql = ""
            var values: [SQLiteValue] = []
            if !filter.severities.isEmpty {
                let wanted = Severity.allCases.map(Optional.some).filter(filter.severities.contains) + (filter.severities.contains(nil) ? [nil] : [])
                sql += " AND ifnull(\(prefix)severity, '') IN (\(Self.placeholders(wanted.count)))"
                values += wanted.map { .text($0?.rawValue ?? "") }
            }
            if !filter.priorities.isEmpty {
                let ranks = Set(filter.priorities.map(TicketCursor.rank)).sorted()
                sql += " AND +\(prefix)priority_rank IN (\(Self.placeholders(ranks.count)))"
                values += ranks.map { .integer(Int64($0)) }
            }
            if let state = filter.sla {
                let term = SLAFilter.term(state, prefix: prefix, now: filter.slaNow)
                sql += " AND " + term.sql
                values += term.values
            }
            if filter.lowConfidence {
                // The ticket page's "Low confidence" mark: chosen by the classifier, below the threshold.
                sql += " AND +\(prefix)category_source = 'auto' AND +\(prefix)category_confidence < ?"
                values.append(.real(Classification.lowConfidenceThreshold))
            }
            return (sql, values)
        }

        /// The search keys a text search reads, joined to `ticket_search_keys k`, with the SQL for
        /// their listing position and the values to bind (search keys below `bound`).
        ///
        /// Words: FTS5's matches, in rowid (= listing) order, so a newest-first page stops at its
        /// LIMIT. A ticket number (``FullTextQuery/ticketNumber(in:)``): the union of the tickets
        /// that mention the number and the numbered ticket itself (one lookup in the keys' unique
        /// index), sorted: the mentions of one number as a whole word are few.
        /// `descending: false` (oldest first): keys at or after `bound` instead of below it.
        static func matches(_ match: String, text: String, bound: SQLiteValue, descending: Bool = true) -> (source: String, position: String, values: [SQLiteValue]) {
            let beyond = descending ? "<" : ">="
            guard let number = FullTextQuery.ticketNumber(in: text) else {
                return ("tickets_fts JOIN ticket_search_keys k ON k.key = tickets_fts.rowid AND tickets_fts MATCH ? AND tickets_fts.rowid \(beyond) ?",
                        "tickets_fts.rowid", [.text(match), bound])
            }
            return ("""
                (SELECT rowid AS key FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid \(beyond) ?
                 UNION SELECT key FROM ticket_search_keys WHERE ticket_id = ? AND key \(beyond) ?) m
                JOIN ticket_search_keys k ON k.key = m.key
                """, "m.key", [.text(match), bound, .integer(number.rawValue), bound])
        }

        // MARK: Counting

        /// The rows this filter matches (`SELECT 1`, no order): what a bounded count of the total
        /// reads. The terms are plain (no `+`), so SQLite takes whichever index narrows most. (The
        /// rows before or after a cursor are counted through the list's own ranges instead,
        /// ``TicketReader/preceding(_:_:cursor:cap:)`` and ``TicketReader/remaining(_:_:cap:)``.)
        func countSQL(text match: String?) -> (String, [SQLiteValue]) {
            var terms: [String] = []
            var values: [SQLiteValue] = []
            var from = "tickets t"
            if let match, let text = filter.text, FullTextQuery.ticketNumber(in: text) != nil {
                // A ticket number: its mentions and the numbered ticket itself, as the list reads them.
                let (source, _, sourceValues) = Self.matches(match, text: text, bound: .integer(.max))
                from = source + " JOIN tickets t ON t.id = k.ticket_id"
                values += sourceValues
            } else if let match {
                if allStatuses && allCategories && !filtersOnTicketRow {
                    // Text alone: every entry of the index is a ticket, so its matches are counted without
                    // a join (two B-tree searches per match, most of a bounded count's time).
                    return ("SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ?", [.text(match)])
                }
                // A status or category: checked on the search key (migration 20), one lookup per match
                // in a table that stays cached; `tickets` is joined only for the filters it alone holds.
                values.append(.text(match))
                let keyTerms = keyFilterTerms(&values)
                guard filtersOnTicketRow else {
                    return ("SELECT 1 FROM tickets_fts JOIN ticket_search_keys k ON k.key = tickets_fts.rowid WHERE tickets_fts MATCH ?\(keyTerms)", values)
                }
                var sql = "SELECT 1 FROM tickets_fts JOIN ticket_search_keys k ON k.key = tickets_fts.rowid JOIN tickets t ON t.id = k.ticket_id WHERE tickets_fts MATCH ?\(keyTerms)"
                for party in parties {
                    sql += " AND t.\(party.column) = ?"
                    values.append(.integer(party.id.rawValue))
                }
                if filter.unassigned { sql += " AND t.assignee_id IS NULL" }
                let triage = triageTerms("t.")
                return (sql + triage.sql, values + triage.values)
            }
            // Every status named even when all are asked for: with the category it makes the count
            // a search of `tickets_by_status_category_opened` (a category alone scanned that index
            // from the start: 11 M instructions a page on 100,000 tickets, docs/performance.md).
            // With text, the status and category are row filters (`+`): as plain terms SQLite drove the
            // count from the status index and ran the MATCH once per open ticket (minutes at 1,000,000
            // tickets, docs/performance.md "Search at a million tickets"); FTS5's matches drive instead.
            let rowFilter = match == nil ? "" : "+"
            terms.append("\(rowFilter)t.status IN (\(Self.placeholders(statuses.count)))")
            values += statuses.map { .text($0.rawValue) }
            if !allCategories {
                terms.append("\(rowFilter)t.category IN (\(Self.placeholders(categories.count)))")
                values += categories.map { .text($0.rawValue) }
            }
            for party in parties {
                terms.append("t.\(party.column) = ?")
                values.append(.integer(party.id.rawValue))
            }
            if filter.unassigned { terms.append("t.assignee_id IS NULL") }
            if match == nil && parties.isEmpty {
                // Row filters that match few tickets are counted from the range that holds their
                // candidates, not by reading the status index and every ticket it names (seconds at
                // 1,000,000 tickets when nothing matches, docs/performance.md "List filters at a million").
                if filter.lowConfidence {
                    from = "tickets t INDEXED BY tickets_low_confidence_by_priority"
                    terms.insert(Self.lowConfidenceIndexTerm, at: 0)
                } else if let candidates = slaCandidates {
                    // The running timers' index (migration 23: it holds every column counted on).
                    from = "tickets t INDEXED BY tickets_running_sla"
                    terms.insert(candidates.sql, at: 0)
                    values = candidates.values + values
                } else if filter.sla == nil && !statuses.contains(.closed) && (!filter.severities.isEmpty || !filter.priorities.isEmpty) {
                    // Severity and priority are columns of the work queue's covering index: its
                    // entries are read, never the table.
                    from = "tickets t INDEXED BY tickets_by_priority"
                    terms.insert("t.status <> 'closed'", at: 0)
                    // Its leading column: the ranks asked for are one range of it (computed numbers, 1...5).
                    let ranks = filter.priorities.map(TicketCursor.rank)
                    if let low = ranks.min(), let high = ranks.max() { terms.insert("t.priority_rank BETWEEN \(low) AND \(high)", at: 1) }
                }
            }
            let triage = triageTerms("t.")
            let whereSQL = terms.isEmpty ? "1" : terms.joined(separator: " AND ")
            return ("SELECT 1 FROM \(from) WHERE \(whereSQL)\(triage.sql)", values + triage.values)
        }

        // MARK: Newest first

        /// - Parameter descending: false for the oldest-first order: the same shapes, each index walked the other way.
        func newest(_ columns: ListColumns, descending: Bool = true) -> (String, [SQLiteValue]) {
            // No cursor: start beyond every real position, so one SQL shape serves both cases.
            let edge: Int64 = descending ? .max : .min
            let after = filter.cursor ?? TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: edge), id: TicketID(edge))
            let (lt, le, dir) = descending ? ("<", "<=", "DESC") : (">", ">=", "ASC")
            let keyset: [SQLiteValue] = [
                .integer(after.openedAt.millisecondsSinceEpoch), .integer(after.openedAt.millisecondsSinceEpoch), .integer(after.id.rawValue),
            ]
            let triage = triageTerms("t.")
            var values: [SQLiteValue] = []
            if let text = filter.text, let match {
                // The full-text rowid is the listing position (migration 2), so FTS5 yields matches newest
                // first and the LIMIT stops it; the rowid bound skips everything opened after the cursor's
                // millisecond, and the keyset test drops the few in that same millisecond. A people filter
                // only drops matches, like the status and category ones.
                // The status and category are checked on the key row (migration 20), and so is the keyset
                // (the key is opened_at * 2^20 + n, migration 2): `tickets` is read only for the rows kept,
                // and not at all when the columns are keys only (the counts before and after a page).
                let bound = SQLiteValue.integer(descending ? TicketReader.searchKeyBound(after: filter.cursor) : TicketReader.searchKeyStart(at: filter.cursor))
                let people = parties.map { " AND t.\($0.column) = ?" }.joined() + (filter.unassigned ? " AND t.assignee_id IS NULL" : "")
                let (source, position, sourceValues) = Self.matches(match, text: text, bound: bound, descending: descending)
                values += sourceValues
                let keyTerms = keyFilterTerms(&values)
                let keysetOnKey = "(k.key >> 20) \(le) ? AND ((k.key >> 20) \(lt) ? OR k.ticket_id \(lt) ?)"
                if let keySelect = columns.keySelect, !filtersOnTicketRow {
                    let sql = """
                        SELECT \(keySelect) FROM \(source)
                        WHERE \(keysetOnKey)\(keyTerms)
                        ORDER BY \(position) \(dir) LIMIT ?
                        """
                    return (sql, Array(values.prefix(sourceValues.count)) + keyset + values.dropFirst(sourceValues.count) + [fetch])
                }
                let sql = """
                    SELECT \(columns.select) FROM \(source)
                    JOIN tickets t ON t.id = k.ticket_id\(columns.join)
                    WHERE \(keysetOnKey)\(keyTerms)\(people)\(triage.sql)
                    ORDER BY \(position) \(dir) LIMIT ?
                    """
                values += parties.map { .integer($0.id.rawValue) }
                values += triage.values
                return (sql, Array(values.prefix(sourceValues.count)) + keyset + values.dropFirst(sourceValues.count) + [fetch])
            }
            if let first = parties.first {
                // One person's tickets: one ordered range of the partial index `tickets_by_customer` or
                // `tickets_by_assignee` (migration 5), (id, opened_at DESC, id DESC). The other terms are
                // written `+column` so they only filter rows and never make SQLite prefer another index:
                // a person has few tickets next to the whole table.
                var terms = ["t.\(first.column) = ?"]
                values.append(.integer(first.id.rawValue))
                terms += personTerms(&values)
                let sql = """
                    SELECT \(columns.select) FROM tickets t\(columns.join)
                    WHERE \(terms.joined(separator: " AND "))\(triage.sql)
                      AND t.opened_at \(le) ? AND (t.opened_at \(lt) ? OR t.id \(lt) ?)
                    ORDER BY t.opened_at \(dir), t.id \(dir) LIMIT ?
                    """
                return (sql, values + triage.values + keyset + [fetch])
            }
            if let rare = rareRange {
                // Low confidence, at risk, on track: few tickets, read from their own range (as in the
                // priority order) and sorted, not found one by one along the whole list.
                var rareValues = rare.values
                let terms = [rare.sql] + rowFilterTerms(&rareValues)
                let sql = """
                    SELECT \(columns.select) FROM \(rare.from)\(columns.join)
                    WHERE \(terms.joined(separator: " AND "))\(triage.sql)
                      AND t.opened_at \(le) ? AND (t.opened_at \(lt) ? OR t.id \(lt) ?)
                    ORDER BY t.opened_at \(dir), t.id \(dir) LIMIT ?
                    """
                return (sql, rareValues + triage.values + keyset + [fetch])
            }
            if allStatuses && allCategories && !filter.unassigned {
                // No status or category filter: one range of `tickets_by_opened` (migration 3).
                let sql = triage.sql.isEmpty && descending ? columns.newestSQL : """
                    SELECT \(columns.select) FROM tickets t\(columns.join)
                    WHERE t.opened_at \(le) ? AND (t.opened_at \(lt) ? OR t.id \(lt) ?)\(triage.sql)
                    ORDER BY t.opened_at \(dir), t.id \(dir) LIMIT ?
                    """
                return (sql, keyset + triage.values + [fetch])
            }
            // Unassigned tickets have no index of their own (the assignee index is partial, `IS NOT
            // NULL`): each range of the status index checks `assignee_id` on its rows and stops at
            // `limit + 1`. The open queue is mostly unassigned, so few rows are read past the page.
            let unassigned = filter.unassigned ? " AND assignee_id IS NULL" : ""
            let inner = triageTerms("")
            var branches: [String] = []
            for status in statuses {
                for category in categories {
                    branches.append("""
                        SELECT * FROM (SELECT id, opened_at FROM tickets
                          WHERE status = ? AND category = ?\(unassigned)\(inner.sql) AND opened_at \(le) ? AND (opened_at \(lt) ? OR id \(lt) ?)
                          ORDER BY opened_at \(dir), id \(dir) LIMIT ?)
                        """)
                    values += [.text(status.rawValue), .text(category.rawValue)] + inner.values + keyset + [fetch]
                }
            }
            let sql = """
                SELECT \(columns.select) FROM (
                  \(branches.joined(separator: "\nUNION ALL\n"))
                  ORDER BY opened_at \(dir), id \(dir) LIMIT ?
                ) AS page JOIN tickets t ON t.id = page.id\(columns.join)
                ORDER BY t.opened_at \(dir), t.id \(dir)
                """
            return (sql, values + [fetch])
        }

        // MARK: Status, number and activity

        /// Open, then active, then closed, newest first within each: one newest-first page per
        /// status (each as cheap as a newest page), in rank order. The cursor's status starts at
        /// its position; the statuses ranked before it are done.
        ///
        /// `backwards`: the order reversed (closed first, oldest first within each), for the page
        /// before a row and the last page (``TicketPageAnchor``): one oldest-first page per status.
        func byStatus(_ columns: ListColumns, backwards: Bool = false) -> (String, [SQLiteValue]) {
            let from = filter.cursor
            var branches: [String] = []
            var values: [SQLiteValue] = []
            for status in backwards ? statuses.reversed() : statuses {
                let rank = TicketOrder.rank(status)
                if let from, backwards ? Int64(rank) > from.key : Int64(rank) < from.key { continue }
                var sub = filter
                sub.order = backwards ? .oldest : .newest
                sub.statuses = [status]
                sub.cursor = from.flatMap { Int64(rank) == $0.key ? TicketCursor(order: sub.order, openedAt: $0.openedAt, id: $0.id) : nil }
                let (sql, v) = ListQuery(sub, match: textMatch).newest(columns, descending: !backwards)
                branches.append("SELECT *, \(rank) AS status_rank FROM (\(sql))")
                values += v
            }
            guard !branches.isEmpty else {
                return ("SELECT \(columns.select) FROM tickets t\(columns.join) WHERE 0 LIMIT ?", [fetch])
            }
            let order = backwards ? "status_rank DESC, opened_at, id" : "status_rank, opened_at DESC, id DESC"
            let sql = "SELECT * FROM (\(branches.joined(separator: "\nUNION ALL\n"))) ORDER BY \(order) LIMIT ?"
            return (sql, values + [fetch])
        }

        /// By number (the primary key), by last activity (`tickets_by_modified`, migration 11) or by
        /// the next SLA due time (`tickets_by_sla_due`, migration 16), one ordered range entered at
        /// the cursor. A person's tickets come from their index and are sorted (few); a search sorts
        /// its matches. Every other filter only drops rows from the range (`+column`), so a filter
        /// that matches few tickets reads many rows per page.
        ///
        /// - Parameter backwards: the order reversed, for the page before a row and the last page
        ///   (``TicketPageAnchor``); the number and activity orders have their reverse as an order
        ///   of its own, the due order takes this.
        func keyed(_ columns: ListColumns, backwards: Bool = false) -> (String, [SQLiteValue]) {
            let descending = (filter.order == .numberDescending || filter.order == .activity) != backwards
            let (lt, dir) = descending ? ("<", "DESC") : (">", "ASC")
            let edge: Int64 = descending ? .max : .min
            let keyColumn: String? = switch filter.order {
            case .activity, .activityAscending: "t.modified_at"
            case .due: "t.sla_next_due"
            default: nil
            }
            let keyset: String
            let order: String
            var keyValues: [SQLiteValue]
            if let keyColumn {
                keyset = "(\(keyColumn), t.id) \(lt) (?, ?)"
                order = "ORDER BY \(keyColumn) \(dir), t.id \(dir) LIMIT ?"
                keyValues = [.integer(filter.cursor?.key ?? edge), .integer(filter.cursor?.id.rawValue ?? edge)]
            } else {
                keyset = "t.id \(lt) ?"
                order = "ORDER BY t.id \(dir) LIMIT ?"
                keyValues = [.integer(filter.cursor?.id.rawValue ?? edge)]
            }
            var terms: [String] = []
            var values: [SQLiteValue] = []
            var from = "tickets t\(columns.join)"
            if let text = filter.text, let match {
                // The matches (a ticket number's mentions and the ticket itself, as in the other orders), then sorted.
                let (source, _, sourceValues) = Self.matches(match, text: text, bound: .integer(.max))
                from = "\(source) JOIN tickets t ON t.id = k.ticket_id\(columns.join)"
                values += sourceValues
            } else if let rare = rareRange {
                // Low confidence, at risk, on track: their own few tickets, sorted (the due order's
                // range of `tickets_by_sla_due` is already in its order).
                from = "\(rare.from)\(columns.join)"
                terms.append(rare.sql)
                values += rare.values
            }
            for party in parties {
                terms.append("t.\(party.column) = ?")
                values.append(.integer(party.id.rawValue))
            }
            terms += rowFilterTerms(&values)
            terms.append(keyset)
            let triage = triageTerms("t.")
            let sql = "SELECT \(columns.select) FROM \(from)\nWHERE \(terms.joined(separator: " AND "))\(triage.sql)\n\(order)"
            return (sql, values + keyValues + triage.values + [fetch])
        }

        /// The second person, the unassigned test and the status and category filters as row filters
        /// (`+column`) on one person's range.
        private func personTerms(_ values: inout [SQLiteValue]) -> [String] {
            var terms: [String] = []
            for other in parties.dropFirst() {
                terms.append("+t.\(other.column) = ?")
                values.append(.integer(other.id.rawValue))
            }
            return terms + rowFilterTerms(&values)
        }

        /// The unassigned test and the status and category filters as row filters (`+column`): they
        /// drop rows from whichever range the query reads and never choose its index.
        private func rowFilterTerms(_ values: inout [SQLiteValue]) -> [String] {
            var terms: [String] = []
            if filter.unassigned { terms.append("+t.assignee_id IS NULL") }
            if !allStatuses {
                terms.append("+t.status IN (\(Self.placeholders(statuses.count)))")
                values += statuses.map { .text($0.rawValue) }
            }
            if !allCategories {
                terms.append("+t.category IN (\(Self.placeholders(categories.count)))")
                values += categories.map { .text($0.rawValue) }
            }
            return terms
        }

        // MARK: Priority order

        /// - Parameter backwards: the order reversed (no priority and the newest first), for the page
        ///   before a row and the last page (``TicketPageAnchor``): the same ranges walked the other way.
        func priority(_ columns: ListColumns, backwards: Bool = false) -> (String, [SQLiteValue]) {
            // No cursor: start below every real position (rank 0; above, rank 6, backwards), so one
            // SQL shape serves both cases.
            let after = filter.cursor
            var keyset: [SQLiteValue] = [
                .integer(Int64(after.map { TicketCursor.rank($0.priority) } ?? (backwards ? 6 : 0))),
                .integer(after?.openedAt.millisecondsSinceEpoch ?? (backwards ? .max : .min)),
                .integer(after?.id.rawValue ?? (backwards ? .max : .min)),
            ]
            // A priority filter bounds the range: it starts at the first rank asked for (the last,
            // backwards) and stops after the last (`rankBound`), instead of reading the ranks before
            // and after as rows to drop (`priority=P4`: 100 ms at 1,000,000 tickets).
            let rankBound = priorityBound(&keyset, backwards: backwards)
            let key = "(t.priority_rank, t.opened_at, t.id)"
            let beyond = backwards ? "<" : ">"
            let order = backwards ? "ORDER BY t.priority_rank DESC, t.opened_at DESC, t.id DESC LIMIT ?" : "ORDER BY t.priority_rank, t.opened_at, t.id LIMIT ?"
            var values: [SQLiteValue] = []
            let triage = triageTerms("t.")
            if let text = filter.text, let match, FullTextQuery.ticketNumber(in: text) == nil {
                // A search in priority order ranks the newest `searchPriorityWindow` matches that pass
                // every filter (read newest first as the newest order reads them, keys only when no filter
                // needs the ticket's row) and pages through them by the order's row value: bounded work
                // whatever the word. When more tickets match, older ones are not in this order (the page
                // says so); with at most that many, it is the whole priority order.
                var whole = filter
                whole.cursor = nil
                whole.order = .newest
                var window = ListQuery(whole, match: textMatch)
                window.fetch = .integer(Int64(TicketReader.searchPriorityWindow))
                let (windowSQL, windowValues) = window.newest(TicketReader.windowKeys)
                // The page is sorted and cut from the window's keys before `tickets` is joined: joined
                // first, SQLite read the row of every one of the 1,000 (6 ms) to keep 51.
                let wOrder = backwards ? "w.priority_rank DESC, w.opened_at DESC, w.id DESC" : "w.priority_rank, w.opened_at, w.id"
                let page = """
                    SELECT w.id, w.opened_at, w.priority_rank FROM (\(windowSQL)) w
                    WHERE (w.priority_rank, w.opened_at, w.id) \(beyond) (?, ?, ?)
                    ORDER BY \(wOrder) LIMIT ?
                    """
                guard columns.keySelect == nil else {
                    return ("SELECT w.id, w.opened_at, w.priority_rank, 'open' AS status, 0 AS modified_at FROM (\(page)) w ORDER BY \(wOrder)",
                            windowValues + keyset + [fetch])
                }
                let sql = "SELECT \(columns.select) FROM (\(page)) w JOIN tickets t ON t.id = w.id\(columns.join) ORDER BY \(wOrder)"
                return (sql, windowValues + keyset + [fetch])
            }
            if let text = filter.text, let match {
                // A ticket number: its few matches are read and sorted.
                let people = parties.map { " AND t.\($0.column) = ?" }.joined() + (filter.unassigned ? " AND t.assignee_id IS NULL" : "")
                let (source, _, sourceValues) = Self.matches(match, text: text, bound: .integer(.max))
                let sql = """
                    SELECT \(columns.select) FROM \(source)
                    JOIN tickets t ON t.id = k.ticket_id\(columns.join)
                    WHERE t.status IN (\(Self.placeholders(statuses.count))) AND t.category IN (\(Self.placeholders(categories.count)))\(people)\(triage.sql)
                      AND \(key) \(beyond) (?, ?, ?)
                    \(order)
                    """
                values += sourceValues
                values += statuses.map { .text($0.rawValue) }
                values += categories.map { .text($0.rawValue) }
                values += parties.map { .integer($0.id.rawValue) }
                return (sql, values + triage.values + keyset + [fetch])
            }
            if !backwards && parties.isEmpty && statuses == [.open, .active] && allCategories && !filter.unassigned && triage.sql.isEmpty {
                // The staff's default page, the work queue as it is: its SQL is built once.
                return (columns.queueSQL, keyset + [fetch])
            }
            var terms: [String]
            var from = "tickets t"
            var keysFirst = false
            if let first = parties.first {
                // One person's tickets (a few), from their partial index, sorted.
                terms = ["t.\(first.column) = ?"]
                values.append(.integer(first.id.rawValue))
                terms += personTerms(&values)
            } else if filter.lowConfidence {
                // Low confidence (few tickets, in any status): one range of the partial index
                // `tickets_low_confidence_by_priority` (migration 21), entered at the cursor and stopped
                // at the page; its WHERE is written out as the index has it, the rest filter its rows.
                from = "tickets t INDEXED BY tickets_low_confidence_by_priority"
                terms = [Self.lowConfidenceIndexTerm] + rowFilterTerms(&values)
            } else if let candidates = slaCandidates {
                // At risk or on track: only tickets with a timer still running and not yet due can be,
                // one range of `tickets_running_sla` (few next to the queue: the rest are breached or
                // met), read from the index (it holds every column the terms and the order read,
                // migration 23) and sorted as keys; the state's own term below decides each one, and
                // only the page's rows are read from `tickets`.
                from = "tickets t INDEXED BY tickets_running_sla"
                terms = [candidates.sql] + rowFilterTerms(&values)
                values = candidates.values + values
                keysFirst = true
            } else if !statuses.contains(.closed) {
                // The work queue: one range of `tickets_by_priority`. The literal term is the index's
                // own WHERE, which SQLite must see in the query to use a partial index.
                terms = ["t.status <> 'closed'"]
                if statuses.count == 1 {
                    terms.append("+t.status = ?")
                    values.append(.text(statuses[0].rawValue))
                }
                if !allCategories {
                    terms.append("+t.category IN (\(Self.placeholders(categories.count)))")
                    values += categories.map { .text($0.rawValue) }
                }
                if filter.unassigned { terms.append("+t.assignee_id IS NULL") }
            } else if statuses == [.closed] {
                // Closed only: one range of `tickets_closed_by_priority` (migration 18), named because
                // the planner would rather take the status index's equality and sort every closed ticket.
                from = "tickets t INDEXED BY tickets_closed_by_priority"
                terms = ["t.status = 'closed'"]
                if !allCategories {
                    terms.append("+t.category IN (\(Self.placeholders(categories.count)))")
                    values += categories.map { .text($0.rawValue) }
                }
                if filter.unassigned { terms.append("+t.assignee_id IS NULL") }
            } else {
                return mixedPriority(columns, backwards: backwards, keyset: keyset, rankBound: rankBound)
            }
            if keysFirst {
                let pageOrder = backwards ? "t.priority_rank DESC, t.opened_at DESC, t.id DESC" : "t.priority_rank, t.opened_at, t.id"
                let sql = """
                    SELECT \(columns.select) FROM (
                      SELECT t.id FROM \(from)
                      WHERE \(terms.joined(separator: " AND "))\(triage.sql)
                        AND \(key) \(beyond) (?, ?, ?)\(rankBound.map { " AND t.\($0)" } ?? "")
                      \(order)
                    ) AS page JOIN tickets t ON t.id = page.id\(columns.join)
                    ORDER BY \(pageOrder)
                    """
                return (sql, values + triage.values + keyset + [fetch])
            }
            let sql = """
                SELECT \(columns.select) FROM \(from)\(columns.join)
                WHERE \(terms.joined(separator: " AND "))\(triage.sql)
                  AND \(key) \(beyond) (?, ?, ?)\(rankBound.map { " AND t.\($0)" } ?? "")
                \(order)
                """
            return (sql, values + triage.values + keyset + [fetch])
        }
    }

    // MARK: - Counting

    /// How many tickets the filter matches and how many come before its cursor, each up to `cap`.
    ///
    /// A filter of statuses only (what staff open the list with) is summed from `status_counts`,
    /// which triggers keep: exact, three rows read at any table size. Any other filter is counted
    /// by a query with the list's own terms, `LIMIT cap + 1`, so a count reads at most `cap + 1`
    /// matches from the index SQLite picks (the status-and-category one, a person's, FTS5's);
    /// a row filter (severity, priority, unassigned, low confidence) reads past the rows it drops.
    /// The position before a cursor is counted by reading the list backwards from it, keys only
    /// (``preceding(_:_:cursor:cap:)``); the first page (no cursor) costs nothing.
    ///
    /// When more than `cap` rows precede the cursor and the total is known, the rows after it are
    /// counted instead (up to `cap`): pages near the end of a long list know where they are too.
    ///
    /// - Parameter total: the total, when the caller has just counted it (``start(_:_:anchor:total:)``).
    /// - Parameter nearTheEnd: the page is the last (``TicketPageAnchor/last``): count the rows after it first.
    static func count(_ db: Connection, _ filter: TicketFilter, cap: Int, total known: Int?? = nil, nearTheEnd: Bool = false) throws -> TicketCount {
        let total: Int? = if let known { known } else { try matchCount(db, filter, cap: cap) }
        var before: Int? = 0
        if let cursor = filter.cursor {
            if nearTheEnd, let total, let after = try remaining(db, filter, cap: cap) {
                return TicketCount(total: total, before: total - after, cap: cap)
            }
            before = try preceding(db, filter, cursor: cursor, cap: cap)
            if before == nil, let total, let after = try remaining(db, filter, cap: cap) {
                before = total - after
            }
        }
        return TicketCount(total: total, before: before, cap: cap)
    }

    /// The rows after the filter's cursor, read as the list reads them (its own ordered ranges, keys
    /// only), up to `cap`; nil past it. Not with the count's terms: with few rows left, SQLite took
    /// the status index for them and read every open ticket to find them (147 M
    /// instructions for the last page of the work queue over 100,000 tickets).
    static func remaining(_ db: Connection, _ filter: TicketFilter, cap: Int) throws -> Int? {
        var rest = filter
        rest.limit = cap
        let (sql, values) = listSQL(rest, columns: keyColumns(filter.order), match: try searchMatch(db, filter.text))
        // The page query fetches `limit + 1` rows: `cap + 1` says "more than cap".
        let n = try db.cachedStatement("SELECT count(*) FROM (\(sql))").queryFirst(values) { $0.int64(at: 0) } ?? 0
        return n > Int64(cap) ? nil : Int(n)
    }

    /// How many tickets the filter matches, up to `cap` (exact from `status_counts` for statuses only).
    static func matchCount(_ db: Connection, _ filter: TicketFilter, cap: Int) throws -> Int? {
        let text = try searchMatch(db, filter.text)
        let query = ListQuery(filter, match: text)
        let statusOnly = text == nil && query.parties.isEmpty && !filter.unassigned && query.allCategories
            && filter.severities.isEmpty && filter.priorities.isEmpty && !filter.lowConfidence && filter.sla == nil
        if statusOnly { return try statusTotal(db, query.statuses) }
        return try bounded(db, query.countSQL(text: query.match), cap: cap)
    }

    /// The tickets in these statuses, summed from `status_counts` as stepped: every list page
    /// without a filter asks, and a dictionary of `String`s per request showed in its profile.
    /// The statuses' names differ in their first byte.
    static func statusTotal(_ db: Connection, _ statuses: [Status]) throws -> Int {
        let statement = try db.cachedStatement("SELECT status, count FROM status_counts")
        defer { statement.reset() }
        var total: Int64 = 0
        while try statement.step() {
            guard let name = statement.textBytes(at: 0), let first = name.first else { continue }
            if statuses.contains(where: { $0.rawValue.utf8.first == first }) { total += statement.int64(at: 1) }
        }
        return Int(total)
    }

    /// `SELECT count(*)` over at most `cap + 1` rows of `inner`: nil when there are more than `cap`.
    private static func bounded(_ db: Connection, _ inner: (String, [SQLiteValue]), cap: Int) throws -> Int? {
        let sql = "SELECT count(*) FROM (\(inner.0) LIMIT ?)"
        let n = try db.cachedStatement(sql).queryFirst(inner.1 + [.integer(Int64(cap) + 1)]) { $0.int64(at: 0) } ?? 0
        return n > Int64(cap) ? nil : Int(n)
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

    /// The first search key of the cursor's millisecond (`Int64.min` without one): where an
    /// oldest-first search starts.
    static func searchKeyStart(at cursor: TicketCursor?) -> Int64 {
        guard let ms = cursor?.openedAt.millisecondsSinceEpoch else { return .min }
        if ms >= (Int64.max >> 20) { return .max }
        if ms <= (Int64.min >> 20) { return .min }
        return ms << 20
    }

    /// The first search key past every ticket opened in the cursor's millisecond (`Int64.max` without one).
    static func searchKeyBound(after cursor: TicketCursor?) -> Int64 {
        guard let ms = cursor?.openedAt.millisecondsSinceEpoch else { return .max }
        // key = opened_at * 2^20 + n; a cursor outside the keys' range bounds nothing or everything.
        if ms >= (Int64.max >> 20) - 1 { return .max }
        if ms < (Int64.min >> 20) + 1 { return .min }
        return (ms + 1) << 20
    }

    /// A list query's select list and the join it needs, with the unfiltered page's SQL built once
    /// (the SQL text is the cached statement's key on every request).
    struct ListColumns: Sendable {
        /// The columns, of `tickets` joined as `t` (and what `join` adds).
        let select: String
        /// Joined after `tickets t` (empty, or the assignee's account for the list page's rows).
        let join: String
        /// For the unfiltered newest-first page: one range of `tickets_by_opened`.
        let newestSQL: String
        /// For the whole work queue in priority order (open and active, nothing else asked): one
        /// range of `tickets_by_priority`, the same text `ListQuery.priority` builds for it.
        let queueSQL: String
        /// The same columns read from the search key `k` alone (migration 20: its ticket id, the
        /// opening time in its upper bits, status and priority rank), for the key-only lists that
        /// count a search's pages; nil when the columns need the ticket's row.
        let keySelect: String?

        init(_ columns: String, join: String = "", keySelect: String? = nil) {
            select = columns
            self.join = join
            self.keySelect = keySelect
            newestSQL = """
                SELECT \(columns) FROM tickets t\(join)
                WHERE t.opened_at <= ? AND (t.opened_at < ? OR t.id < ?)
                ORDER BY t.opened_at DESC, t.id DESC LIMIT ?
                """
            queueSQL = """
                SELECT \(columns) FROM tickets t\(join)
                WHERE t.status <> 'closed'
                  AND (t.priority_rank, t.opened_at, t.id) > (?, ?, ?)
                ORDER BY t.priority_rank, t.opened_at, t.id LIMIT ?
                """
        }
    }

    static let ticketColumns = ListColumns(Ticket.columns(qualifiedBy: "t"))
    /// A search's priority window (``ListQuery/priority(_:backwards:)``): its rows' keys in that order.
    static let windowKeys = ListColumns("t.id AS id, t.opened_at AS opened_at, t.priority_rank AS priority_rank",
                                        keySelect: "k.ticket_id AS id, k.key >> 20 AS opened_at, k.priority_rank AS priority_rank")
    /// How many of a search's newest matches the priority order ranks: the count's own cap, so a
    /// search that shows an exact count is in the whole priority order.
    public static let searchPriorityWindow = TicketCount.defaultCap
    static let rowColumns = ListColumns(TicketRowView.columns, join: TicketRowView.joinUsers)
    /// The rows with `modified_at` last: the activity orders' cursor.
    static let rowColumnsWithActivity = ListColumns(TicketRowView.columns + ", t.modified_at", join: TicketRowView.joinUsers)
    /// The rows with `sla_next_due` last: the due order's cursor.
    static let rowColumnsWithDue = ListColumns(TicketRowView.columns + ", t.sla_next_due", join: TicketRowView.joinUsers)
}
