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

    /// `sla_next_due` of a ticket with no timer left to meet (migration 16's generated column).
    static let nothingDue: Int64 = 999_999_999_999_999_999

    /// Closed tickets with open or active ones, in the priority order: no one index holds them all,
    /// so the page is the merge of two ordered ranges, the work queue's (`tickets_by_priority`) and
    /// the closed tickets' (`tickets_closed_by_priority`), each entered at the cursor and stopped at
    /// `limit + 1` keys; the page's columns are read for the rows kept.
    func mixedPriority(_ columns: TicketReader.ListColumns, backwards: Bool, keyset: [SQLiteValue]) -> (String, [SQLiteValue]) {
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
                  WHERE \(where_)\(rest)\(inner.sql) AND (priority_rank, opened_at, id) \(beyond) (?, ?, ?)
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
