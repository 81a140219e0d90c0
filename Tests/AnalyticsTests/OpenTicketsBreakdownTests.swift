import TestSupport
import Foundation
import Testing
import Fixtures
@testable import Domain
@testable import SpoolBroker
@testable import SQLiteKit
@testable import Analytics

/// The open-tickets breakdown (by opening hour or day, per category) against a count from
/// scratch over a random history, in a zone with daylight saving.
@Suite struct OpenTicketsBreakdownTests {
    static let seeds: [UInt64] = [1, 2, 3, 42, 2026]

    /// The slots a brute force finds: every not-closed ticket opened since `since`, its slot found
    /// with Foundation's calendar (a different computation from the aggregate's), tickets after
    /// `now` counted in the slot that holds `now`.
    static func bruteBreakdown(_ tickets: [TicketID: TicketFacts], _ period: OpenTicketsPeriod, now: Timestamp, timeZone: TimeZone) -> [Timestamp: CategoryCounts] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let component: Calendar.Component = period.by == .hour ? .hour : .day
        func slot(_ t: Timestamp) -> Timestamp {
            Timestamp(calendar.dateInterval(of: component, for: t.date)?.start ?? t.date)
        }
        let since = now.adding(milliseconds: -Int64(period.hours) * 3_600_000)
        let last = slot(now)
        var slots: [Timestamp: CategoryCounts] = [:]
        for t in tickets.values where t.status != .closed && t.openedAt >= since {
            let s = min(slot(t.openedAt), last)
            slots[s, default: CategoryCounts()][t.category] += 1
        }
        return slots
    }

    @Test("the breakdown matches a brute-force count per slot and category at random instants", arguments: seeds)
    func breakdownMatchesBruteForce(seed: UInt64) throws {
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        var history = AnalyticsHistory(seed: seed)
        history.generate(900)
        var aggregate = OpenTicketsAggregate(timeZone: tz)
        var replay = AnalyticsHistory(seed: seed)
        var g = SplitMix64(seed: seed &+ 7)
        for (i, event) in history.events.enumerated() {
            aggregate.apply(event)
            replay.tickets[event.ticketID] = event.after
            guard i % 300 == 0 || i == history.events.count - 1 else { continue }
            let periods = [OpenTicketsPeriod(hours: 24), .days(7), .days(365), OpenTicketsPeriod(hours: 6 + 24 * 30),
                           OpenTicketsPeriod(hours: Int.random(in: OpenTicketsPeriod.hoursRange, using: &g), by: Bool.random(using: &g) ? .hour : .day)]
            for period in periods {
                let now = event.occurredAt.adding(milliseconds: Int64.random(in: -3_600_000...86_400_000, using: &g))
                let answer = aggregate.answer(period, now: now)
                let brute = Self.bruteBreakdown(replay.tickets, period, now: now, timeZone: tz)
                let context = "seed \(seed) event \(i) \(period)"
                #expect(answer.count == replay.bruteOpenTickets(hours: period.hours, now: now), "\(context)")
                #expect(answer.buckets.map(\.start) == brute.keys.sorted(), "\(context)")
                for bucket in answer.buckets {
                    #expect(bucket.counts == brute[bucket.start], "\(context) slot \(bucket.start)")
                    #expect(bucket.counts.total > 0)
                }
                #expect(answer.buckets.reduce(0) { $0 + $1.counts.total } == answer.count)
                #expect(answer.since == now.adding(milliseconds: -Int64(period.hours) * 3_600_000) && answer.until == now && answer.by == period.by)
            }
        }
    }

    @Test("days start at campus midnight, also on the days daylight saving begins and ends")
    func daySlotsFollowDaylightSaving() throws {
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST, a 23-hour day.
        let noon = try #require(Timestamp(iso8601: "2026-03-29T10:00:00Z"))
        let start = TimeBucket.day.start(containing: noon, in: tz)
        #expect(start == Timestamp(iso8601: "2026-03-28T23:00:00Z"))
        #expect(TimeBucket.day.end(ofSlotStartingAt: start, in: tz) == Timestamp(iso8601: "2026-03-29T22:00:00Z"))
        // 25 October 2026: back from CEST to CET, a 25-hour day.
        let october = TimeBucket.day.start(containing: try #require(Timestamp(iso8601: "2026-10-25T12:00:00Z")), in: tz)
        #expect(october == Timestamp(iso8601: "2026-10-24T22:00:00Z"))
        #expect(TimeBucket.day.end(ofSlotStartingAt: october, in: tz) == Timestamp(iso8601: "2026-10-25T23:00:00Z"))
        // Half-hour zones: the local full hour is not the UTC one.
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        #expect(TimeBucket.hour.start(containing: try #require(Timestamp(iso8601: "2026-01-05T10:10:00Z")), in: kolkata)
                == Timestamp(iso8601: "2026-01-05T09:30:00Z"))
    }

    @Test("the breakdown walks only slots with tickets: a week by day over 300,000 tickets stays fast")
    func costDoesNotGrowWithTickets() throws {
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        let now = try #require(Timestamp(iso8601: "2026-06-01T12:00:00Z"))
        let aggregate: OpenTicketsAggregate
        var rows: [Domain.Category: [(openedAt: Int64, count: Int)]] = [:]
        // 300,000 tickets, all within the last 30 days.
        for (i, category) in Domain.Category.allCases.enumerated() {
            rows[category] = (0..<100_000).map { k in (now.millisecondsSinceEpoch - 30 * 86_400_000 + Int64(k) * 25_920 + Int64(i), 1) }
        }
        aggregate = OpenTicketsAggregate(timeZone: tz, ascendingCounts: rows)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = aggregate.answer(.days(7), now: now) }
        let answer = aggregate.answer(OpenTicketsPeriod(hours: 24), now: now)
        #expect(answer.buckets.count == 24 || answer.buckets.count == 25)
        #expect(answer.count == answer.buckets.reduce(0) { $0 + $1.counts.total })
        #expect(elapsed < .seconds(1), "a week by day took \(elapsed)")
    }

    @Test("a state file of the previous open-tickets layout is rebuilt from a replay, not misread")
    func previousLayoutIsRebuilt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = AnalyticsState<OpenTicketsAggregate>.path(inDataDirectory: dir.path)
        do {
            // What the previous release wrote: layout 1, opening instants only.
            let db = try Connection(path: path, synchronous: .normal)
            try db.execute("""
                CREATE TABLE progress (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL, time_zone TEXT NOT NULL);
                CREATE TABLE open_ticket (opened_at INTEGER PRIMARY KEY, tickets INTEGER NOT NULL CHECK (tickets > 0)) WITHOUT ROWID;
                INSERT INTO progress VALUES (1, 41, 'UTC');
                INSERT INTO open_ticket VALUES (1767607260000, 2);
                PRAGMA user_version = 1;
                """)
        }
        let state = try AnalyticsState<OpenTicketsAggregate>(path: path, timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(state.lastSeq == .zero)
        #expect(state.aggregate == OpenTicketsAggregate())
        var history = AnalyticsHistory(seed: 5)
        history.generate(50)
        try state.apply(history.events)
        let reopened = try AnalyticsState<OpenTicketsAggregate>(path: path, timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(reopened.aggregate == state.aggregate && reopened.lastSeq == SequenceNumber(50))
    }
}
