import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import Analytics

/// A random life of tickets with SLA timers: opened, triaged, assigned, answered, closed, reopened,
/// transitions recorded; every change an event with the facts before and after.
struct SLAHistory {
    var g: SplitMix64
    var clock: Int64 = 1_767_225_600_000  // 2026-01-01T00:00Z
    var tickets: [TicketFacts] = []
    var events: [ChangeEvent] = []
    static let engineers = [UserID(3), UserID(4), UserID(7)]

    init(seed: UInt64) { g = SplitMix64(seed: seed) }

    static func timers(opened: Int64, priority: Priority?) -> TicketSLA {
        let hours: Int64 = switch priority ?? SLAVersion.untriagedPriority { case .p1: 1; case .p2: 4; case .p3: 24; case .p4: 72 }
        func timer(_ h: Int64) -> SLATimer {
            SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: opened + h * 2_700_000),
                                             due: Timestamp(millisecondsSinceEpoch: opened + h * 3_600_000)))
        }
        return TicketSLA(policyVersion: 1, firstResponse: timer(hours), resolution: timer(hours * 4))
    }

    mutating func generate(_ steps: Int) {
        for _ in 0..<steps {
            clock += Int64.random(in: 0...5_400_000, using: &g)
            let now = Timestamp(millisecondsSinceEpoch: clock)
            if tickets.isEmpty || Int.random(in: 0..<4, using: &g) == 0 {
                let priority = Int.random(in: 0..<5, using: &g) == 0 ? nil : Priority.allCases.randomElement(using: &g)
                // Some tickets open in the past (imports), across month boundaries.
                let opened = clock - (Bool.random(using: &g) ? 0 : Int64.random(in: 0...(40 * 86_400_000), using: &g))
                let facts = TicketFacts(category: .it, status: .open, openedAt: Timestamp(millisecondsSinceEpoch: opened), closedAt: nil,
                                        sla: Self.timers(opened: opened, priority: priority), priority: priority)
                record(.ticketOpened, index: nil, facts, now)
                continue
            }
            let i = Int.random(in: 0..<tickets.count, using: &g)
            var t = tickets[i]
            guard var sla = t.sla else { continue }
            switch Int.random(in: 0..<7, using: &g) {
            case 0:  // assign, move or take back
                t.assigneeID = Int.random(in: 0..<4, using: &g) == 0 ? nil : Self.engineers.randomElement(using: &g)
                record(.ticketAssigned, index: i, t, now)
            case 1:  // priority change: unmet timers retimed from the opening time
                let p = Priority.allCases.randomElement(using: &g)
                let fresh = Self.timers(opened: t.openedAt.millisecondsSinceEpoch, priority: p)
                for kind in SLATimerKind.allCases where sla[kind].metAt == nil { sla[kind] = fresh[kind] }
                t.priority = p
                t.sla = sla
                record(.ticketTriaged, index: i, t, now)
            case 2:  // first response (a staff message or active)
                guard t.status != .closed else { continue }
                if sla.firstResponse.metAt == nil { sla.firstResponse.metAt = now }
                if Bool.random(using: &g) { t.status = .active }
                t.sla = sla
                record(.statusChanged, index: i, t, now)
            case 3:  // close
                guard t.status != .closed else { continue }
                if sla.firstResponse.metAt == nil { sla.firstResponse.metAt = now }
                sla.resolution.metAt = now
                t.status = .closed
                t.closedAt = now
                t.sla = sla
                record(.statusChanged, index: i, t, now)
            case 4:  // reopen: the resolution timer runs again
                guard t.status == .closed else { continue }
                sla.resolution.metAt = nil
                t.status = .active
                t.closedAt = nil
                t.sla = sla
                record(.statusChanged, index: i, t, now)
            default:  // the SLA monitor records a crossing that fell due
                let kind = SLATimerKind.allCases.randomElement(using: &g) ?? .resolution
                guard sla[kind].metAt == nil else { continue }
                if now >= sla[kind].deadlines.due { sla[kind].recorded = .breached }
                else if now >= sla[kind].deadlines.atRisk { sla[kind].recorded = .atRisk }
                else { continue }
                t.sla = sla
                record(.slaChanged, index: i, t, now)
            }
        }
    }

    private mutating func record(_ type: ChangeEventType, index: Int?, _ after: TicketFacts, _ now: Timestamp) {
        let before = index.map { tickets[$0] }
        if let index { tickets[index] = after } else { tickets.append(after) }
        events.append(ChangeEvent(seq: SequenceNumber(Int64(events.count + 1)), type: type, ticketID: TicketID(Int64(index ?? tickets.count - 1) + 1),
                                  occurredAt: now, before: before, after: after))
    }

    /// The answer computed the slow, obvious way from every ticket's facts.
    static func bruteForce(_ tickets: [TicketFacts], now: Timestamp, timeZone: TimeZone) -> ServiceLevelsAnswer {
        var cells: [String: SLACompliance] = [:]
        var standing = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, SLAStanding(priority: $0, atRisk: 0, breached: 0)) })
        var engineers: [UserID: (open: Int, active: Int, breached: Int, opened: [Int64])] = [:]
        for t in tickets {
            guard let sla = t.sla else { continue }
            let p = t.priority ?? SLAVersion.untriagedPriority
            let month = YearMonth(t.openedAt, in: timeZone).description
            var c = cells["\(month) \(p.rawValue)"] ?? SLACompliance(month: month, priority: p, firstResponse: SLAOutcomeCounts(), resolution: SLAOutcomeCounts())
            func tally(_ timer: SLATimer, _ counts: inout SLAOutcomeCounts) -> Bool {
                if timer.recorded == .breached || (timer.metAt.map { $0 >= timer.deadlines.due } ?? false) { counts.breached += 1; return true }
                if timer.metAt != nil { counts.met += 1 }
                return false
            }
            let late = [tally(sla.firstResponse, &c.firstResponse), tally(sla.resolution, &c.resolution)].contains(true)
            if c.firstResponse != SLAOutcomeCounts() || c.resolution != SLAOutcomeCounts() { cells["\(month) \(p.rawValue)"] = c }
            guard t.status != .closed else { continue }
            let running = [sla.firstResponse, sla.resolution].filter { $0.metAt == nil }
            let breachedNow = late || running.contains { now >= $0.deadlines.due }
            let atRiskNow = !breachedNow && running.contains { now >= $0.deadlines.atRisk }
            if breachedNow { standing[p]?.breached += 1 } else if atRiskNow { standing[p]?.atRisk += 1 }
            if let e = t.assigneeID {
                var w = engineers[e] ?? (0, 0, 0, [])
                if t.status == .active { w.active += 1 } else { w.open += 1 }
                if breachedNow { w.breached += 1 }
                w.opened.append(t.openedAt.millisecondsSinceEpoch)
                engineers[e] = w
            }
        }
        let compliance = cells.values.sorted { ($0.month, $0.priority) < ($1.month, $1.priority) }
        let workload = engineers.keys.sorted().map { id -> EngineerWorkload in
            let w = engineers[id]!
            let ages = w.opened.map { Double(now.millisecondsSinceEpoch - $0) / 1000 }.sorted()
            let median = ages.count % 2 == 1 ? ages[ages.count / 2] : (ages[ages.count / 2 - 1] + ages[ages.count / 2]) / 2
            return EngineerWorkload(userID: id, open: w.open, active: w.active, breached: w.breached, medianAgeSeconds: median)
        }
        return ServiceLevelsAnswer(asOf: now, compliance: compliance, current: Priority.allCases.map { standing[$0]! }, engineers: workload)
    }
}

@Suite struct ServiceLevelsAggregateTests {
    static let tz = TimeZone(identifier: "Europe/Berlin")!

    static func expectClose(_ a: ServiceLevelsAnswer, _ b: ServiceLevelsAnswer) {
        #expect(a.compliance == b.compliance)
        #expect(a.current == b.current)
        #expect(a.engineers.map(\.userID) == b.engineers.map(\.userID))
        for (x, y) in zip(a.engineers, b.engineers) {
            #expect(x.open == y.open && x.active == y.active && x.breached == y.breached, "\(x) vs \(y)")
            #expect(abs(x.medianAgeSeconds - y.medianAgeSeconds) < 0.001, "\(x) vs \(y)")
        }
    }

    @Test("service-levels matches brute force at several instants", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func matchesBruteForce(seed: UInt64) {
        var history = SLAHistory(seed: seed)
        history.generate(3_000)
        var aggregate = ServiceLevelsAggregate(timeZone: Self.tz)
        for e in history.events { aggregate.apply(e) }
        for offset in [-86_400_000, 0, 1_800_000, 86_400_000, 30 * 86_400_000] as [Int64] {
            let now = Timestamp(millisecondsSinceEpoch: history.clock + offset)
            Self.expectClose(aggregate.answer(now: now), SLAHistory.bruteForce(history.tickets, now: now, timeZone: Self.tz))
        }
        #expect(aggregate.answer(now: Timestamp(millisecondsSinceEpoch: history.clock)).engineers.count == SLAHistory.engineers.count)
    }

    @Test("a timer met late counts as breached; met in the last millisecond before due as met")
    func metLateIsBreached() {
        let opened: Int64 = 1_767_225_600_000
        var sla = SLAHistory.timers(opened: opened, priority: .p1)
        sla.firstResponse.metAt = Timestamp(millisecondsSinceEpoch: sla.firstResponse.deadlines.due.millisecondsSinceEpoch - 1)
        sla.resolution.metAt = sla.resolution.deadlines.due
        let facts = TicketFacts(category: .it, status: .closed, openedAt: Timestamp(millisecondsSinceEpoch: opened),
                                closedAt: sla.resolution.metAt, sla: sla, priority: .p1, assigneeID: UserID(3))
        var aggregate = ServiceLevelsAggregate(timeZone: Self.tz)
        aggregate.apply(ChangeEvent(seq: SequenceNumber(1), type: .ticketImported, ticketID: TicketID(1), occurredAt: facts.openedAt, before: nil, after: facts))
        let a = aggregate.answer(now: Timestamp(millisecondsSinceEpoch: opened + 86_400_000))
        #expect(a.compliance == [SLACompliance(month: "2026-01", priority: .p1, firstResponse: SLAOutcomeCounts(met: 1, breached: 0),
                                               resolution: SLAOutcomeCounts(met: 0, breached: 1))])
        #expect(a.engineers.isEmpty)  // closed tickets are no one's workload
        #expect(a.current.allSatisfy { $0.atRisk == 0 && $0.breached == 0 })
    }

    @Test("the multiset's value at a rank matches a sorted array")
    func rankMatchesSortedArray() {
        var g = SplitMix64(seed: 4)
        var set = SortedCountingMultiset()
        var array: [Int64] = []
        for step in 0..<6_000 {
            if !array.isEmpty, Int.random(in: 0..<3, using: &g) == 0 {
                let v = array.remove(at: Int.random(in: 0..<array.count, using: &g))
                set.remove(v)
            } else {
                let v = Int64.random(in: 0...2_000, using: &g)
                array.insert(v, at: array.firstIndex { $0 > v } ?? array.count)
                set.insert(v)
            }
            if step % 97 == 0 {
                for rank in [0, array.count / 2, array.count - 1] where rank >= 0 && rank < array.count {
                    #expect(set.value(atRank: rank) == array[rank])
                }
                #expect(set.value(atRank: array.count) == nil)
                #expect(set.count(atMost: 1_000) == array.filter { $0 <= 1_000 }.count)
            }
        }
    }
}

@Suite struct ServiceLevelsStateTests {
    @Test("redelivered, shuffled and gapped batches apply each event once; a reopened state answers the same")
    func redeliveryAndRestart() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tz = ServiceLevelsAggregateTests.tz
        var history = SLAHistory(seed: 11)
        history.generate(2_500)
        let path = AnalyticsState<ServiceLevelsAggregate>.path(inDataDirectory: dir.url.path)
        #expect(path.hasSuffix("/analytics-service-levels.db"))
        let state = try AnalyticsState<ServiceLevelsAggregate>(path: path, timeZone: tz)
        try AnalyticsStateTests.deliver(history.events, to: state, seed: 12)
        // The whole history once more, as a replay from seq 1 would bring it: all duplicates.
        #expect(try state.apply(history.events).duplicates == history.events.count)

        var once = ServiceLevelsAggregate(timeZone: tz)
        for e in history.events { once.apply(e) }
        #expect(state.aggregate == once)

        let reopened = try AnalyticsState<ServiceLevelsAggregate>(path: path, timeZone: tz)
        #expect(reopened.lastSeq == SequenceNumber(Int64(history.events.count)))
        #expect(reopened.aggregate == once)
        let now = Timestamp(millisecondsSinceEpoch: history.clock)
        ServiceLevelsAggregateTests.expectClose(reopened.aggregate.answer(now: now), SLAHistory.bruteForce(history.tickets, now: now, timeZone: tz))

        // Another campus time zone cuts other months: the state starts afresh and asks for a replay.
        let tokyo = try AnalyticsState<ServiceLevelsAggregate>(path: path, timeZone: try #require(TimeZone(identifier: "Asia/Tokyo")))
        #expect(tokyo.lastSeq == .zero && tokyo.aggregate == ServiceLevelsAggregate(timeZone: tz))
    }
}
