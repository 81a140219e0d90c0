import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import Analytics

@Suite struct AnalyticsStateTests {
    /// Cuts a history into random batches, some delivered twice, some ahead of a gap (delivered later).
    static func deliver<A: PersistedAggregate>(_ events: [ChangeEvent], to state: AnalyticsState<A>, seed: UInt64) throws {
        var g = SplitMix64(seed: seed)
        var i = 0
        while i < events.count {
            let n = Int.random(in: 1...40, using: &g)
            let batch = Array(events[i..<min(events.count, i + n)])
            if Int.random(in: 0..<10, using: &g) == 0, i + n < events.count {
                // A batch that starts past a gap: nothing in it may be applied.
                let ahead = Array(events[(i + n)..<min(events.count, i + n + 5)])
                let before = state.lastSeq
                let outcome = try state.apply(ahead)
                #expect(outcome.applied == 0)
                #expect(outcome.gapAt == before.next)
                #expect(state.lastSeq == before)
            }
            var shuffled = batch
            shuffled.shuffle(using: &g)
            let outcome = try state.apply(shuffled)
            #expect(outcome.applied == batch.count && outcome.gapAt == nil)
            if Bool.random(using: &g) {
                #expect(try state.apply(batch).duplicates == batch.count)
            }
            i += n
        }
    }

    @Test("each state survives reopening with the same answers and last seq, despite duplicates and gaps")
    func reopensWithSameAnswers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        var history = AnalyticsHistory(seed: 5)
        history.generate(3000)
        let now = history.clock

        let open = try AnalyticsState<OpenTicketsAggregate>(path: AnalyticsState<OpenTicketsAggregate>.path(inDataDirectory: dir.url.path), timeZone: tz)
        let resolution = try AnalyticsState<ResolutionTimeAggregate>(path: dir.path("r.db"), timeZone: tz)
        let load = try AnalyticsState<CategoryLoadAggregate>(path: dir.path("c.db"), timeZone: tz)
        try Self.deliver(history.events, to: open, seed: 1)
        try Self.deliver(history.events, to: resolution, seed: 2)
        try Self.deliver(history.events, to: load, seed: 3)
        let last = SequenceNumber(Int64(history.events.count))

        let open2 = try AnalyticsState<OpenTicketsAggregate>(path: open.path, timeZone: tz)
        let resolution2 = try AnalyticsState<ResolutionTimeAggregate>(path: resolution.path, timeZone: tz)
        let load2 = try AnalyticsState<CategoryLoadAggregate>(path: load.path, timeZone: tz)
        #expect(open2.path.hasSuffix("/analytics-open-tickets.db"))
        #expect([open2.lastSeq, resolution2.lastSeq, load2.lastSeq] == [last, last, last])
        #expect(open2.aggregate == open.aggregate)
        for hours in [1, 24, 720, 8760] {
            #expect(open2.aggregate.answer(hours: hours, now: now).count == history.bruteOpenTickets(hours: hours, now: now))
        }
        #expect(resolution2.aggregate == resolution.aggregate)
        #expect(resolution2.aggregate.answer().months.map(\.closed) == history.bruteResolutionTime(timeZone: tz).months.map(\.closed))
        #expect(load2.aggregate.answer() == history.bruteCategoryLoad())
    }

    @Test("a batch whose commit fails changes neither the file nor the aggregate in memory")
    func failedCommitLeavesStateUnchanged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tz = try #require(TimeZone(identifier: "UTC"))
        var history = AnalyticsHistory(seed: 9)
        history.generate(200)
        let state = try AnalyticsState<CategoryLoadAggregate>(path: dir.path("c.db"), timeZone: tz)
        try state.apply(Array(history.events[0..<100]))
        let kept = state.aggregate
        // Sabotage from a second connection: a trigger that refuses the progress update.
        let other = try Connection(path: state.path)
        try other.execute("CREATE TRIGGER refuse BEFORE UPDATE ON progress BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        #expect(throws: SQLiteError.self) { try state.apply(Array(history.events[100...])) }
        #expect(state.lastSeq == SequenceNumber(100))
        #expect(state.aggregate == kept)
        try other.execute("DROP TRIGGER refuse")
        let reopened = try AnalyticsState<CategoryLoadAggregate>(path: state.path, timeZone: tz)
        #expect(reopened.aggregate == kept && reopened.lastSeq == SequenceNumber(100))
        #expect(try reopened.apply(Array(history.events[100...])).applied == history.events.count - 100)
        #expect(reopened.aggregate.answer() == history.bruteCategoryLoad())
    }

    @Test("a new campus time zone empties resolution-time (to be replayed) but keeps the others")
    func timeZoneChangeForcesRebuild() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var history = AnalyticsHistory(seed: 4)
        history.generate(300)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        try AnalyticsState<ResolutionTimeAggregate>(path: dir.path("r.db"), timeZone: utc).apply(history.events)
        try AnalyticsState<CategoryLoadAggregate>(path: dir.path("c.db"), timeZone: utc).apply(history.events)
        let r = try AnalyticsState<ResolutionTimeAggregate>(path: dir.path("r.db"), timeZone: tokyo)
        #expect(r.lastSeq == .zero && r.aggregate.months.isEmpty)
        try r.apply(history.events)
        let again = try AnalyticsState<ResolutionTimeAggregate>(path: dir.path("r.db"), timeZone: tokyo)
        #expect(again.aggregate.answer().months.map(\.month) == history.bruteResolutionTime(timeZone: tokyo).months.map(\.month))
        let c = try AnalyticsState<CategoryLoadAggregate>(path: dir.path("c.db"), timeZone: tokyo)
        #expect(c.lastSeq == SequenceNumber(Int64(history.events.count)))
    }
}
