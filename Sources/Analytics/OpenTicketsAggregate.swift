import Foundation
import Domain

/// Keeps the opening times of all tickets that are not closed, per category, to count those
/// opened since any instant and break them down by opening hour or day.
///
/// Why: the open-tickets analytic asks "opened in the last X hours and not closed, as of now";
/// "now" moves, so the answer cannot be precomputed, but counting values ≥ `since` in an
/// order-statistics structure costs O(log n) whatever the number of tickets. The breakdown walks
/// only the slots that hold a ticket, each found and counted in O(log n) per category, so it
/// costs O(slots × log n): the same at 1,000 or 1,000,000 tickets.
public struct OpenTicketsAggregate: AnalyticsAggregate, Equatable {
    /// A stored value: the not-closed tickets of one category opened at one instant.
    public struct Key: Hashable, Sendable {
        public var category: Domain.Category
        /// Milliseconds since the epoch.
        public var openedAt: Int64
        public init(category: Domain.Category, openedAt: Int64) {
            self.category = category
            self.openedAt = openedAt
        }
    }

    /// The zone the breakdown's hours and days are cut in; the stored values do not depend on it.
    public let timeZone: TimeZone
    /// Opening instants (ms since epoch) of not-closed tickets, one entry per ticket, per category.
    private var openedAt: [SortedCountingMultiset]

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current) {
        self.timeZone = timeZone
        openedAt = Array(repeating: SortedCountingMultiset(), count: Domain.Category.allCases.count)
    }

    /// Restores the aggregate from saved rows, each category's in ascending `openedAt` order.
    public init(timeZone: TimeZone, ascendingCounts rows: [Domain.Category: [(openedAt: Int64, count: Int)]]) {
        self.init(timeZone: timeZone)
        for (category, list) in rows {
            openedAt[Self.index(category)] = SortedCountingMultiset(
                ascending: list.lazy.flatMap { row in repeatElement(row.openedAt, count: max(0, row.count)) })
        }
    }

    public static func == (a: OpenTicketsAggregate, b: OpenTicketsAggregate) -> Bool { a.openedAt == b.openedAt }

    public mutating func apply(_ event: ChangeEvent) {
        if let before = event.before, before.status != .closed {
            openedAt[Self.index(before.category)].remove(before.openedAt.millisecondsSinceEpoch)
        }
        if event.after.status != .closed {
            openedAt[Self.index(event.after.category)].insert(event.after.openedAt.millisecondsSinceEpoch)
        }
    }

    public func keys(of facts: TicketFacts) -> [Key] {
        facts.status == .closed ? [] : [Key(category: facts.category, openedAt: facts.openedAt.millisecondsSinceEpoch)]
    }

    /// How many not-closed tickets of the key's category opened at exactly its instant (its stored value).
    public func count(_ key: Key) -> Int { openedAt[Self.index(key.category)].multiplicity(of: key.openedAt) }

    /// The stored values of one category in ascending order of opening (for saving a whole state).
    public func ascendingOpenings(of category: Domain.Category) -> some Sequence<Int64> { openedAt[Self.index(category)].ascending }

    /// Not-closed tickets with `opened_at ≥ now − hours`, by hour.
    public func answer(hours: Int, now: Timestamp) -> OpenTicketsAnswer {
        answer(OpenTicketsPeriod(hours: hours), now: now)
    }

    /// Not-closed tickets with `opened_at ≥ now − period.hours`, with the slots that hold any.
    ///
    /// Tickets stamped after `now` (another process's clock a little ahead) count in the slot
    /// that contains `now`, so the slots never run past the period and their sum is the total.
    public func answer(_ period: OpenTicketsPeriod, now: Timestamp) -> OpenTicketsAnswer {
        let since = now.adding(milliseconds: -Int64(period.hours) * 3_600_000)
        let lastStart = period.by.start(containing: now, in: timeZone).millisecondsSinceEpoch
        var buckets: [OpenTicketsBucket] = []
        var cursor = since.millisecondsSinceEpoch
        var total = 0
        while let next = firstOpening(atLeast: cursor) {
            let start = period.by.start(containing: Timestamp(millisecondsSinceEpoch: next), in: timeZone)
            let isLast = start.millisecondsSinceEpoch >= lastStart
            let end = isLast ? nil : period.by.end(ofSlotStartingAt: start, in: timeZone).millisecondsSinceEpoch
            var counts = CategoryCounts()
            for category in Domain.Category.allCases {
                let set = openedAt[Self.index(category)]
                counts[category] = set.count(atLeast: cursor) - (end.map { set.count(atLeast: $0) } ?? 0)
            }
            buckets.append(OpenTicketsBucket(start: isLast ? Timestamp(millisecondsSinceEpoch: lastStart) : start, counts: counts))
            total += counts.total
            guard let end else { break }
            cursor = end
        }
        return OpenTicketsAnswer(hours: period.hours, since: since, count: total, until: now, by: period.by, buckets: buckets)
    }

    /// The earliest opening instant ≥ `bound` over all categories.
    private func firstOpening(atLeast bound: Int64) -> Int64? {
        openedAt.compactMap { $0.first(atLeast: bound) }.min()
    }

    private static func index(_ category: Domain.Category) -> Int {
        Domain.Category.allCases.firstIndex(of: category) ?? 0
    }
}
