import TestSupport
import Foundation
import Testing
import Fixtures
@testable import Domain
@testable import SpoolBroker
@testable import Analytics

@Suite struct AnalyticsAggregateTests {
    static let seeds: [UInt64] = [1, 2, 3, 42, 2026]

    @Test("open-tickets matches brute force at every step of random histories", arguments: seeds)
    func openTicketsMatchesBruteForce(seed: UInt64) {
        var history = AnalyticsHistory(seed: seed)
        history.generate(1500)
        var aggregate = OpenTicketsAggregate()
        var replay = AnalyticsHistory(seed: seed)
        var g = SplitMix64(seed: seed &+ 99)
        for (i, event) in history.events.enumerated() {
            aggregate.apply(event)
            replay.tickets[event.ticketID] = event.after
            guard i % 50 == 0 || i == history.events.count - 1 else { continue }
            for hours in [1, 24, 24 * 30, 24 * 365, Int.random(in: OpenTicketsPeriod.hoursRange, using: &g)] {
                let now = event.occurredAt.adding(milliseconds: Int64.random(in: -3_600_000...86_400_000, using: &g))
                let answer = aggregate.answer(hours: hours, now: now)
                #expect(answer.count == replay.bruteOpenTickets(hours: hours, now: now), "seed \(seed) event \(i) hours \(hours)")
                #expect(answer.since == now.adding(milliseconds: -Int64(hours) * 3_600_000))
                #expect(answer.hours == hours)
            }
        }
    }

    @Test("open-tickets counts a ticket opened exactly at `since` and not one a millisecond earlier")
    func openTicketsBoundaryIsInclusive() {
        let now = Timestamp(iso8601: "2026-03-01T12:00:00Z")!
        var aggregate = OpenTicketsAggregate()
        for (id, ms) in [(1, -3_600_000), (2, -3_600_001), (3, 0)] as [(Int64, Int64)] {
            aggregate.apply(ChangeEvent(seq: SequenceNumber(id), type: .ticketImported, ticketID: TicketID(id), occurredAt: now,
                                        before: nil, after: TicketFacts(category: .it, status: .open, openedAt: now.adding(milliseconds: ms), closedAt: nil)))
        }
        #expect(aggregate.answer(hours: 1, now: now).count == 2)
    }

    @Test("resolution-time matches brute force in several campus time zones", arguments: ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"])
    func resolutionTimeMatchesBruteForce(zone: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        for seed in Self.seeds {
            var history = AnalyticsHistory(seed: seed)
            history.generate(1500)
            var aggregate = ResolutionTimeAggregate(timeZone: tz)
            for event in history.events { aggregate.apply(event) }
            let expected = history.bruteResolutionTime(timeZone: tz)
            let actual = aggregate.answer()
            #expect(actual.months.map(\.month) == expected.months.map(\.month), "seed \(seed) zone \(zone)")
            #expect(actual.months.map(\.closed) == expected.months.map(\.closed))
            for (a, e) in zip(actual.months, expected.months) {
                #expect(abs(a.averageSeconds - e.averageSeconds) < 1e-6 * max(1, e.averageSeconds))
            }
        }
    }

    @Test("a ticket opened late on 31 January UTC is a February ticket in Berlin")
    func resolutionTimeUsesCampusMonth() throws {
        let opened = try #require(Timestamp(iso8601: "2026-01-31T23:30:00Z"))
        let facts = TicketFacts(category: .facility, status: .closed, openedAt: opened, closedAt: opened.adding(milliseconds: 7_200_000))
        let event = ChangeEvent(seq: SequenceNumber(1), type: .ticketImported, ticketID: TicketID(1), occurredAt: opened, before: nil, after: facts)
        var berlin = ResolutionTimeAggregate(timeZone: try #require(TimeZone(identifier: "Europe/Berlin")))
        berlin.apply(event)
        var utc = ResolutionTimeAggregate(timeZone: try #require(TimeZone(identifier: "UTC")))
        utc.apply(event)
        #expect(berlin.answer() == ResolutionTimeAnswer(months: [MonthResolution(month: "2026-02", closed: 1, averageSeconds: 7200)]))
        #expect(utc.answer().months.map(\.month) == ["2026-01"])
    }

    @Test("a month whose only closed ticket is reopened by a correction disappears rather than showing zero")
    func resolutionTimeDropsEmptyMonths() throws {
        let opened = try #require(Timestamp(iso8601: "2026-04-10T10:00:00Z"))
        let closed = TicketFacts(category: .it, status: .closed, openedAt: opened, closedAt: opened.adding(milliseconds: 1000))
        var aggregate = ResolutionTimeAggregate(timeZone: try #require(TimeZone(identifier: "UTC")))
        aggregate.apply(ChangeEvent(seq: SequenceNumber(1), type: .ticketImported, ticketID: TicketID(1), occurredAt: opened, before: nil, after: closed))
        #expect(aggregate.answer().months.count == 1)
        var reopened = closed
        reopened.status = .active
        reopened.closedAt = nil
        aggregate.apply(ChangeEvent(seq: SequenceNumber(2), type: .ticketImported, ticketID: TicketID(1), occurredAt: opened, before: closed, after: reopened))
        #expect(aggregate.answer().months.isEmpty)
    }

    @Test("a reopened ticket counts as resolved only once closed again, with the time of its final close")
    func reopenCountsTheFinalClose() throws {
        let tz = try #require(TimeZone(identifier: "UTC"))
        let opened = try #require(Timestamp(iso8601: "2026-05-04T08:00:00Z"))
        let hour: Int64 = 3_600_000
        // As the ticket worker publishes them: opened, active, closed after 2 h, reopened at 5 h, closed again at 26 h.
        let steps: [(Status, Timestamp?, Int64)] = [(.open, nil, 0), (.active, nil, hour), (.closed, opened.adding(milliseconds: 2 * hour), 2 * hour),
                                                    (.active, nil, 5 * hour), (.closed, opened.adding(milliseconds: 26 * hour), 26 * hour)]
        var resolution = ResolutionTimeAggregate(timeZone: tz), open = OpenTicketsAggregate(), load = CategoryLoadAggregate()
        var before: TicketFacts?
        var seen: [(closed: Int, open: Int, active: Int)] = []
        for (i, (status, closedAt, at)) in steps.enumerated() {
            let after = TicketFacts(category: .it, status: status, openedAt: opened, closedAt: closedAt)
            let event = ChangeEvent(seq: SequenceNumber(Int64(i + 1)), type: before == nil ? .ticketOpened : .statusChanged, ticketID: TicketID(1),
                                    occurredAt: opened.adding(milliseconds: at), before: before, after: after)
            resolution.apply(event)
            open.apply(event)
            load.apply(event)
            before = after
            let now = opened.adding(milliseconds: at)
            seen.append((resolution.answer().months.first?.closed ?? 0, open.answer(hours: 48, now: now).count,
                         load.answer().categories.first { $0.category == .it }?.active ?? 0))
        }
        // Resolved after the first close, not while reopened, resolved again after the final close.
        #expect(seen.map(\.closed) == [0, 0, 1, 0, 1])
        #expect(seen.map(\.open) == [1, 1, 0, 1, 0])
        #expect(seen.map(\.active) == [0, 1, 0, 1, 0])
        // One ticket, resolved in 26 hours (the final close), not 2 and not both.
        #expect(resolution.answer() == ResolutionTimeAnswer(months: [MonthResolution(month: "2026-05", closed: 1, averageSeconds: 26 * 3600)]))
    }

    @Test("random histories with reopens: every aggregate still matches brute force over the final tickets")
    func reopensInRandomHistories() throws {
        var history = AnalyticsHistory(seed: 2027)
        history.generate(3000)
        let reopens = history.events.filter { $0.before?.status == .closed && $0.after.status == .active }
        #expect(reopens.count > 10, "the generator reopens tickets")
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        var resolution = ResolutionTimeAggregate(timeZone: tz), load = CategoryLoadAggregate()
        for event in history.events {
            resolution.apply(event)
            load.apply(event)
        }
        #expect(resolution.answer() == history.bruteResolutionTime(timeZone: tz) || zip(resolution.answer().months, history.bruteResolutionTime(timeZone: tz).months)
            .allSatisfy { $0.month == $1.month && $0.closed == $1.closed && abs($0.averageSeconds - $1.averageSeconds) < 1e-6 * max(1, $1.averageSeconds) })
        #expect(resolution.answer().months.map(\.closed) == history.bruteResolutionTime(timeZone: tz).months.map(\.closed))
        #expect(load.answer() == history.bruteCategoryLoad())
    }

    @Test("category-load matches brute force and always lists all three categories", arguments: seeds)
    func categoryLoadMatchesBruteForce(seed: UInt64) {
        var history = AnalyticsHistory(seed: seed)
        var aggregate = CategoryLoadAggregate()
        #expect(aggregate.answer().categories.map(\.category) == Domain.Category.allCases)
        for _ in 0..<30 {
            let start = history.events.count
            history.generate(50)
            for event in history.events[start...] { aggregate.apply(event) }
            #expect(aggregate.answer() == history.bruteCategoryLoad(), "seed \(seed) after \(history.events.count) events")
        }
    }

    @Test("the keys touched by an event cover every stored value that changed")
    func touchedKeysCoverChanges() throws {
        var history = AnalyticsHistory(seed: 7)
        history.generate(800)
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        var open = OpenTicketsAggregate()
        var resolution = ResolutionTimeAggregate(timeZone: tz)
        var load = CategoryLoadAggregate()
        for event in history.events {
            let (o0, r0, l0) = (open, resolution, load)
            open.apply(event)
            resolution.apply(event)
            load.apply(event)
            let ok = Set(open.keys(touchedBy: event))
            let stored = { (a: OpenTicketsAggregate) in Category.allCases.flatMap { c in a.ascendingOpenings(of: c).map { OpenTicketsAggregate.Key(category: c, openedAt: $0) } } }
            let changedOpen = Set(stored(o0)).union(stored(open)).filter { o0.count($0) != open.count($0) }
            #expect(changedOpen.isSubset(of: ok))
            let rk = Set(resolution.keys(touchedBy: event))
            let changedMonths = Set(r0.months.keys).union(resolution.months.keys).filter { r0.totals(for: $0) != resolution.totals(for: $0) }
            #expect(changedMonths.isSubset(of: rk))
            let lk = Set(load.keys(touchedBy: event))
            let changedCells = Set(l0.counts.keys).union(load.counts.keys).filter { l0.count($0) != load.count($0) }
            #expect(changedCells.isSubset(of: lk))
        }
    }
}

@Suite struct AnalyticsMultisetTests {
    @Test("insert, remove and count-at-least agree with a sorted array, across chunk splits and merges")
    func matchesSortedArray() {
        var g = SplitMix64(seed: 11)
        var set = SortedCountingMultiset()
        var reference: [Int64] = []
        for step in 0..<20_000 {
            if reference.isEmpty || Int.random(in: 0..<10, using: &g) < 6 {
                // A narrow range forces many repeats, which must straddle chunk boundaries correctly.
                let v = Int64.random(in: -500...1500, using: &g)
                set.insert(v)
                reference.append(v)
            } else {
                let v = Bool.random(using: &g) ? reference[Int.random(in: 0..<reference.count, using: &g)] : Int64.random(in: -600...1600, using: &g)
                let had = reference.firstIndex(of: v)
                #expect(set.remove(v) == (had != nil))
                if let had { reference.remove(at: had) }
            }
            if step % 97 == 0 {
                let bound = Int64.random(in: -700...1700, using: &g)
                #expect(set.count(atLeast: bound) == reference.filter { $0 >= bound }.count)
                #expect(set.multiplicity(of: bound) == reference.filter { $0 == bound }.count)
            }
        }
        #expect(set.count == reference.count)
        #expect(Array(set.ascending) == reference.sorted())
        #expect(SortedCountingMultiset(ascending: reference.sorted()) == set)
    }

    @Test func emptySetCountsNothing() {
        var set = SortedCountingMultiset()
        #expect(set.count(atLeast: .min) == 0)
        #expect(set.remove(5) == false)
        set.insert(.max)
        #expect(set.count(atLeast: .max) == 1)
        #expect(set.multiplicity(of: .max) == 1)
    }
}
