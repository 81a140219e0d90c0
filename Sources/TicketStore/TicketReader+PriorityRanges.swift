import Domain
import SQLiteKit

// MARK: - Priority order: the ranges for closed with other statuses, low confidence and SLA states

extension TicketReader.ListQuery {
    /// The partial index of low-confidence tickets (migration 21), as its WHERE says it: a query must
    /// carry the same literal terms for SQLite to use it. The threshold is the ticket page's
    /// (``Classification/lowConfidenceThreshold``), fixed when the index was made.
    static let lowConfidenceIndexTerm = "t.category_source = 'auto' AND t.category_confidence < \(Classification.lowConfidenceThreshold)"

    /// The range of `tickets_by_sla_due` that holds every ticket the SLA filter can match, for the
    /// states that need a timer still running and not yet due (at risk, on track): the next due time
    /// after now and before the index's "nothing due" value. Nil for the other states and without one.
    var slaCandidates: (sql: String, values: [SQLiteValue])? {
        guard let state = filter.sla, state == .atRisk || state == .onTrack else { return nil }
        return ("t.sla_next_due > ? AND t.sla_next_due < \(Self.nothingDue)", [.integer(filter.slaNow.millisecondsSinceEpoch)])
    }

    /// The range a list in another order than priority reads for a filter that matches few tickets,
    /// without text or a person (those have ranges of their own): the low-confidence index, or the
    /// running timers' range of `tickets_by_sla_due` for at risk and on track. Nil otherwise.
    var rareRange: (from: String, sql: String, values: [SQLiteValue])? {
        guard match == nil, parties.isEmpty else { return nil }
        if filter.lowConfidence { return ("tickets t INDEXED BY tickets_low_confidence_by_priority", Self.lowConfidenceIndexTerm, []) }
        if let candidates = slaCandidates { return ("tickets t INDEXED BY tickets_by_sla_due", candidates.sql, candidates.values) }
        return nil
    }

    /// With a priority filter, moves the priority order's start (`keyset`, the cursor's row value)
    /// to the first rank asked for when it is before it (the last, backwards) and returns the term
    /// that ends the range after the last rank (`priority_rank <= 4`), written without a table
    /// prefix; nil without a priority filter. The ranks are numbers the code computes (1...5).
    func priorityBound(_ keyset: inout [SQLiteValue], backwards: Bool) -> String? {
        let ranks = filter.priorities.map(TicketCursor.rank)
        guard let low = ranks.min(), let high = ranks.max(), case .integer(let rank) = keyset[0] else { return nil }
        if !backwards && rank < Int64(low) {
            keyset = [.integer(Int64(low)), .integer(.min), .integer(.min)]
        } else if backwards && rank > Int64(high) {
            keyset = [.integer(Int64(high)), .integer(.max), .integer(.max)]
        }
        return backwards ? "priority_rank >= \(low)" : "priority_rank <= \(high)"
    }

    /// `sla_next_due` of a ticket with no timer left to meet (migration 16's generated column).
    static let nothingDue: Int64 = 999_999_999_999_999_999

    /// Closed tickets with open or active ones, in the priority order: no one index holds them all,
    /// so the page is the merge of two ordered ranges, the work queue's (`tickets_by_priority`) and
    /// the closed tickets' (`tickets_closed_by_priority`), each entered at the cursor and stopped at
    /// `limit + 1` keys; the page's columns are read for the rows kept.
    func mixedPriority(_ columns: TicketReader.ListColumns, backwards: Bool, keyset: [SQLiteValue], rankBound: String?) -> (String, [SQLiteValue]) {
        let (beyond, dir) = backwards ? ("<", "DESC") : (">", "ASC")
        let inner = triageTerms("")
        var values: [SQLiteValue] = []
        var rest = ""
        var restValues: [SQLiteValue] = []
        if !allCategories {
            rest += " AND +category IN (\(Self.placeholders(categories.count)))"
            restValues += categories.map { .text($0.rawValue) }
        }
        if filter.unassigned { rest += " AND +assignee_id IS NULL" }
        let open = statuses.filter { $0 != .closed }
        // The queue's partial index needs its own WHERE in the query; one status of it is a row filter.
        let queueTerms = open.count == 1 ? "status <> 'closed' AND +status = ?" : "status <> 'closed'"
        let ranges = [
            ("tickets INDEXED BY tickets_by_priority", queueTerms, open.count == 1 ? [SQLiteValue.text(open[0].rawValue)] : []),
            ("tickets INDEXED BY tickets_closed_by_priority", "status = 'closed'", []),
        ]
        var branches: [String] = []
        for (from, where_, own) in ranges {
            branches.append("""
                SELECT * FROM (SELECT id, priority_rank, opened_at FROM \(from)
                  WHERE \(where_)\(rest)\(inner.sql) AND (priority_rank, opened_at, id) \(beyond) (?, ?, ?)\(rankBound.map { " AND \($0)" } ?? "")
                  ORDER BY priority_rank \(dir), opened_at \(dir), id \(dir) LIMIT ?)
                """)
            values += own + restValues + inner.values + keyset + [fetch]
        }
        let sql = """
            SELECT \(columns.select) FROM (
              \(branches.joined(separator: "\nUNION ALL\n"))
              ORDER BY priority_rank \(dir), opened_at \(dir), id \(dir) LIMIT ?
            ) AS page JOIN tickets t ON t.id = page.id\(columns.join)
            ORDER BY t.priority_rank \(dir), t.opened_at \(dir), t.id \(dir)
            """
        return (sql, values + [fetch])
    }
}
