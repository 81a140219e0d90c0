import Domain
/// Keeps the opening times of all tickets that are not closed, to count those opened since any instant.
///
/// Why: the open-tickets analytic asks "opened in the last X hours and not closed, as of now";
/// "now" moves, so the answer cannot be precomputed, but counting values ≥ `since` in an
/// order-statistics structure costs O(log n) whatever the number of tickets.
public struct OpenTicketsAggregate: AnalyticsAggregate, Equatable {
    /// Opening instants (ms since epoch) of not-closed tickets, one entry per ticket.
    public private(set) var openedAt: SortedCountingMultiset

    public init() { openedAt = SortedCountingMultiset() }

    /// Restores the aggregate from saved `(opened_at ms, ticket count)` rows in ascending order.
    public init(ascendingCounts rows: [(openedAt: Int64, count: Int)]) {
        openedAt = SortedCountingMultiset(ascending: rows.lazy.flatMap { row in repeatElement(row.openedAt, count: max(0, row.count)) })
    }

    public static func == (a: OpenTicketsAggregate, b: OpenTicketsAggregate) -> Bool { a.openedAt == b.openedAt }

    public mutating func apply(_ event: ChangeEvent) {
        if let before = event.before, before.status != .closed {
            openedAt.remove(before.openedAt.millisecondsSinceEpoch)
        }
        if event.after.status != .closed {
            openedAt.insert(event.after.openedAt.millisecondsSinceEpoch)
        }
    }

    public func keys(of facts: TicketFacts) -> [Int64] {
        facts.status == .closed ? [] : [facts.openedAt.millisecondsSinceEpoch]
    }

    /// How many not-closed tickets opened at exactly this instant (the stored value of a key).
    public func count(openedAt key: Int64) -> Int { openedAt.multiplicity(of: key) }

    /// Not-closed tickets with `opened_at ≥ now − hours`.
    public func answer(hours: Int, now: Timestamp) -> OpenTicketsAnswer {
        let since = now.adding(milliseconds: -Int64(hours) * 3_600_000)
        return OpenTicketsAnswer(hours: hours, since: since, count: openedAt.count(atLeast: since.millisecondsSinceEpoch))
    }
}
