import Foundation
import Domain

/// Keeps the manager's dashboard current from change events: SLA compliance by opening month and
/// priority, the not-closed tickets at risk and breached at any instant, and each engineer's
/// workload with the median age of their tickets.
///
/// Why instants rather than states: "at risk now" and "breached now" move with the clock, not with
/// events (the SLA monitor may be down, or behind). So each not-closed ticket keeps the earliest
/// at-risk and due instants of its running timers in sorted multisets, and a query counts the
/// instants ≤ now in O(log n), as the ticket list would judge each ticket at that instant. A
/// ticket whose timer is already breached (recorded, or met late) is a plain counter. The median
/// age is the middle opening time in a sorted multiset, found by rank in O(log n). Every stored
/// value is a count, so an event subtracts `before` and adds `after` like the other aggregates.
///
/// Only tickets with SLA timers count: priority and assignee travel beside the timers in the
/// events. A ticket not triaged counts under ``SLAVersion/untriagedPriority``, whose targets it runs under.
public struct ServiceLevelsAggregate: AnalyticsAggregate, Equatable {
    /// A (month, priority) cell of the compliance table.
    public struct Cell: Hashable, Sendable {
        public var month: YearMonth
        public var priority: Priority
        public init(month: YearMonth, priority: Priority) {
            self.month = month
            self.priority = priority
        }
    }

    /// Met and breached counts of both timers in one cell.
    public struct Compliance: Sendable, Equatable {
        public var firstResponse = SLAOutcomeCounts()
        public var resolution = SLAOutcomeCounts()
        public init(firstResponse: SLAOutcomeCounts = SLAOutcomeCounts(), resolution: SLAOutcomeCounts = SLAOutcomeCounts()) {
            self.firstResponse = firstResponse
            self.resolution = resolution
        }
        var isZero: Bool { self == Compliance() }
    }

    /// A plain count.
    public enum Counter: Hashable, Sendable {
        /// Not-closed tickets of a priority with a timer already breached (recorded, or met late).
        case breached(Priority)
        case engineerOpen(UserID)
        case engineerActive(UserID)
        /// Not-closed tickets of an engineer with a timer already breached.
        case engineerBreached(UserID)
    }

    /// A sorted multiset of instants (ms since the epoch).
    public enum Series: Hashable, Sendable {
        /// Earliest at-risk instant of the running timers of not-closed, not-yet-breached tickets.
        case atRisk(Priority)
        /// Earliest due instant of the same tickets.
        case due(Priority)
        /// Earliest due instant of an engineer's not-closed, not-yet-breached tickets.
        case engineerDue(UserID)
        /// Opening instants of an engineer's not-closed tickets (for the median age).
        case engineerOpened(UserID)
    }

    /// The unit stored: one row per key.
    public enum Key: Hashable, Sendable {
        case compliance(Cell)
        case counter(Counter)
        case instant(Series, Int64)
    }

    /// One ticket's contribution to one key.
    enum Part {
        case compliance(Cell, Compliance)
        case counter(Counter)
        case instant(Series, Int64)

        var key: Key {
            switch self {
            case .compliance(let cell, _): .compliance(cell)
            case .counter(let c): .counter(c)
            case .instant(let s, let v): .instant(s, v)
            }
        }
    }

    /// The zone opening months are cut in; a new zone means a rebuild.
    public let timeZone: TimeZone
    public private(set) var compliance: [Cell: Compliance]
    public private(set) var counters: [Counter: Int]
    public private(set) var series: [Series: SortedCountingMultiset]

    public init(timeZone: TimeZone, compliance: [Cell: Compliance] = [:], counters: [Counter: Int] = [:],
                series: [Series: SortedCountingMultiset] = [:]) {
        self.timeZone = timeZone
        self.compliance = compliance.filter { !$0.value.isZero }
        self.counters = counters.filter { $0.value != 0 }
        self.series = series.filter { $0.value.count != 0 }
    }

    public static func == (a: ServiceLevelsAggregate, b: ServiceLevelsAggregate) -> Bool {
        a.compliance == b.compliance && a.counters == b.counters && a.series == b.series
    }

    public mutating func apply(_ event: ChangeEvent) {
        if let before = event.before { for part in Self.parts(of: before, in: timeZone) { add(part, -1) } }
        for part in Self.parts(of: event.after, in: timeZone) { add(part, 1) }
    }

    public func keys(of facts: TicketFacts) -> [Key] { Self.parts(of: facts, in: timeZone).map(\.key) }

    // MARK: - Stored values

    public func compliance(_ cell: Cell) -> Compliance { compliance[cell] ?? Compliance() }
    public func count(_ counter: Counter) -> Int { counters[counter] ?? 0 }
    public func multiplicity(_ s: Series, _ instant: Int64) -> Int { series[s]?.multiplicity(of: instant) ?? 0 }

    // MARK: - Answer

    /// The dashboard's figures as of `now`: O(cells + priorities × log n + engineers × log n).
    public func answer(now: Timestamp) -> ServiceLevelsAnswer {
        let t = now.millisecondsSinceEpoch
        let cells = compliance.keys.sorted { ($0.month, $0.priority) < ($1.month, $1.priority) }
        let rows = cells.map { cell in
            let c = compliance(cell)
            return SLACompliance(month: cell.month.description, priority: cell.priority, firstResponse: c.firstResponse, resolution: c.resolution)
        }
        let current = Priority.allCases.map { p in
            let due = series[.due(p)]?.count(atMost: t) ?? 0
            let atRisk = (series[.atRisk(p)]?.count(atMost: t) ?? 0) - due
            return SLAStanding(priority: p, atRisk: atRisk, breached: count(.breached(p)) + due)
        }
        var engineers: Set<UserID> = []
        for case .engineerOpened(let id) in series.keys { engineers.insert(id) }
        let workload = engineers.sorted().map { id in
            let opened = series[.engineerOpened(id)] ?? SortedCountingMultiset()
            var median = 0.0
            if let low = opened.value(atRank: (opened.count - 1) / 2), let high = opened.value(atRank: opened.count / 2) {
                median = (Double(t - low) + Double(t - high)) / 2 / 1000
            }
            return EngineerWorkload(userID: id, open: count(.engineerOpen(id)), active: count(.engineerActive(id)),
                                    breached: count(.engineerBreached(id)) + (series[.engineerDue(id)]?.count(atMost: t) ?? 0),
                                    medianAgeSeconds: median)
        }
        return ServiceLevelsAnswer(asOf: now, compliance: rows, current: current, engineers: workload)
    }

    // MARK: - Contributions

    /// Whether a timer counts as met (within target) or breached (recorded breached, or met at
    /// or after its due instant); nil while it runs.
    static func outcome(_ timer: SLATimer) -> SLAState? {
        if timer.recorded == .breached { return .breached }
        guard let metAt = timer.metAt else { return nil }
        return metAt < timer.deadlines.due ? .met : .breached
    }

    /// What a ticket with these facts adds to the stored values.
    static func parts(of facts: TicketFacts, in timeZone: TimeZone) -> [Part] {
        guard let sla = facts.sla else { return [] }
        let priority = facts.priority ?? SLAVersion.untriagedPriority
        var parts: [Part] = []
        var cell = Compliance()
        let outcomes = (first: outcome(sla.firstResponse), resolution: outcome(sla.resolution))
        if let o = outcomes.first { if o == .met { cell.firstResponse.met = 1 } else { cell.firstResponse.breached = 1 } }
        if let o = outcomes.resolution { if o == .met { cell.resolution.met = 1 } else { cell.resolution.breached = 1 } }
        if !cell.isZero { parts.append(.compliance(Cell(month: YearMonth(facts.openedAt, in: timeZone), priority: priority), cell)) }

        guard facts.status != .closed else { return parts }
        let breached = outcomes.first == .breached || outcomes.resolution == .breached
        let running = SLATimerKind.allCases.map { sla[$0] }.filter { $0.metAt == nil }
        let earliest = running.isEmpty ? nil
            : (atRisk: running.map(\.deadlines.atRisk.millisecondsSinceEpoch).min() ?? 0,
               due: running.map(\.deadlines.due.millisecondsSinceEpoch).min() ?? 0)
        if breached {
            parts.append(.counter(.breached(priority)))
        } else if let earliest {
            parts += [.instant(.atRisk(priority), earliest.atRisk), .instant(.due(priority), earliest.due)]
        }
        if let engineer = facts.assigneeID {
            parts.append(.counter(facts.status == .active ? .engineerActive(engineer) : .engineerOpen(engineer)))
            parts.append(.instant(.engineerOpened(engineer), facts.openedAt.millisecondsSinceEpoch))
            if breached {
                parts.append(.counter(.engineerBreached(engineer)))
            } else if let earliest {
                parts.append(.instant(.engineerDue(engineer), earliest.due))
            }
        }
        return parts
    }

    private mutating func add(_ part: Part, _ sign: Int) {
        switch part {
        case .compliance(let key, let c):
            var v = compliance[key] ?? Compliance()
            v.firstResponse.met += sign * c.firstResponse.met
            v.firstResponse.breached += sign * c.firstResponse.breached
            v.resolution.met += sign * c.resolution.met
            v.resolution.breached += sign * c.resolution.breached
            compliance[key] = v.isZero ? nil : v
        case .counter(let key):
            let v = (counters[key] ?? 0) + sign
            counters[key] = v == 0 ? nil : v
        case .instant(let key, let instant):
            var set = series.removeValue(forKey: key) ?? SortedCountingMultiset()
            if sign > 0 { set.insert(instant) } else { set.remove(instant) }
            if set.count > 0 { series[key] = set }
        }
    }
}
