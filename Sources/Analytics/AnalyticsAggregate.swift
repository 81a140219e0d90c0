import Domain
/// A pure reducer that keeps one analytic current from change events.
///
/// Why a protocol: the worker, its persistence and the benchmark treat the analytics the
/// same way (apply events in seq order, then save the keys those events touched), while each
/// aggregate stays a plain value type that tests can compare against a brute-force computation.
public protocol AnalyticsAggregate: Sendable {
    /// The unit in which the aggregate is stored; a batch saves only the keys it touched.
    associatedtype Key: Hashable & Sendable

    /// Removes `before`'s contribution and adds `after`'s.
    mutating func apply(_ event: ChangeEvent)

    /// The keys a ticket with these facts contributes to (empty if none).
    func keys(of facts: TicketFacts) -> [Key]
}

extension AnalyticsAggregate {
    /// The keys whose stored values `event` may change.
    public func keys(touchedBy event: ChangeEvent) -> [Key] {
        var keys = keys(of: event.after)
        if let before = event.before { keys += self.keys(of: before) }
        return keys
    }
}
