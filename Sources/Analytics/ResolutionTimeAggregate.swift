import Foundation
import Domain

/// Keeps, per opening month in the campus time zone, the number of closed tickets and their total resolution time.
///
/// Why sums rather than averages: a sum and a count can be decremented exactly when a closed
/// ticket changes (an import is corrected, a category edit arrives), an average cannot.
public struct ResolutionTimeAggregate: AnalyticsAggregate, Equatable {
    /// The totals for one month.
    public struct Totals: Sendable, Equatable {
        public var closed: Int
        /// Sum of `closed_at − opened_at` in milliseconds.
        public var totalMilliseconds: Int64
        public init(closed: Int, totalMilliseconds: Int64) {
            self.closed = closed
            self.totalMilliseconds = totalMilliseconds
        }
    }

    /// The zone months are cut in; fixed for the life of the aggregate (a new zone means a rebuild).
    public let timeZone: TimeZone
    /// Only months with at least one closed ticket are present.
    public private(set) var months: [YearMonth: Totals]

    public init(timeZone: TimeZone, months: [YearMonth: Totals] = [:]) {
        self.timeZone = timeZone
        self.months = months.filter { $0.value.closed != 0 }
    }

    public mutating func apply(_ event: ChangeEvent) {
        if let before = event.before, let (month, ms) = contribution(before) { add(-1, -ms, to: month) }
        if let (month, ms) = contribution(event.after) { add(1, ms, to: month) }
    }

    public func keys(of facts: TicketFacts) -> [YearMonth] {
        contribution(facts).map { [$0.0] } ?? []
    }

    /// The stored totals of one month (zero if absent).
    public func totals(for month: YearMonth) -> Totals { months[month] ?? Totals(closed: 0, totalMilliseconds: 0) }

    /// Months with a closed ticket, sorted, with their mean resolution time in seconds.
    public func answer() -> ResolutionTimeAnswer {
        ResolutionTimeAnswer(months: months.keys.sorted().compactMap { month in
            guard let t = months[month], t.closed > 0 else { return nil }
            return MonthResolution(month: month.description, closed: t.closed,
                                   averageSeconds: Double(t.totalMilliseconds) / Double(t.closed) / 1000)
        })
    }

    private func contribution(_ facts: TicketFacts) -> (YearMonth, Int64)? {
        guard facts.status == .closed, let closedAt = facts.closedAt else { return nil }
        return (YearMonth(facts.openedAt, in: timeZone), closedAt.millisecondsSinceEpoch - facts.openedAt.millisecondsSinceEpoch)
    }

    private mutating func add(_ closed: Int, _ ms: Int64, to month: YearMonth) {
        var t = months[month] ?? Totals(closed: 0, totalMilliseconds: 0)
        t.closed += closed
        t.totalMilliseconds += ms
        months[month] = t.closed == 0 ? nil : t
    }
}
