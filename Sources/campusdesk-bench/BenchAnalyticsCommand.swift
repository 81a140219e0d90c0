import Domain
import SpoolBroker
import TicketStore
import Analytics
import HTTPServer
import Foundation

/// `campusdesk-bench analytics [--tickets N] [--batch N]`: how fast the analytics keep up and answer (batch default 1,000 = the worker's).
///
/// Feeds a synthetic import of N tickets (default 1,000,000; past opening times over two years,
/// a third closed, a third active) through each service's reducer and SQLite state file in
/// batches, as the worker does, and reports events applied per second; then times queries at
/// 10,000 and at N tickets, which should cost the same, and the time to reload the state.
enum BenchAnalyticsCommand {
    static func run(_ args: [String]) async -> Int32 {
        var rest = args
        if rest.first == "analytics" { rest.removeFirst() }
        var tickets = 1_000_000
        var batch = 1_000
        while let flag = rest.first {
            rest.removeFirst()
            guard let value = rest.first.flatMap(Int.init), value > 0 else {
                FileHandle.standardError.write(Data("usage: campusdesk-bench analytics [--tickets N] [--batch N]\n".utf8))
                return 64
            }
            rest.removeFirst()
            switch flag {
            case "--tickets": tickets = max(value, 10_000)
            case "--batch": batch = value
            default:
                FileHandle.standardError.write(Data("usage: campusdesk-bench analytics [--tickets N] [--batch N]\n".utf8))
                return 64
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-bench-analytics-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let events = syntheticImport(count: tickets)
            print("analytics bench: \(tickets) imported tickets, batches of \(batch), state files in a temp dir")
            try measure(OpenTicketsAggregate.self, events, batch: batch, dir: dir) { a, i in
                a.answer([OpenTicketsPeriod(hours: 1), .standard, .days(7), .days(30), .days(365)][i % 5], now: now).count
            }
            try measure(ResolutionTimeAggregate.self, events, batch: batch, dir: dir) { a, _ in a.answer().months.count }
            try measure(CategoryLoadAggregate.self, events, batch: batch, dir: dir) { a, _ in a.answer().categories[0].active }
            return 0
        } catch {
            FileHandle.standardError.write(Data("bench analytics: \(error)\n".utf8))
            return 1
        }
    }

    static let now = Timestamp(millisecondsSinceEpoch: 1_780_000_000_000)

    static func syntheticImport(count: Int) -> [ChangeEvent] {
        var g = SystemRandomNumberGenerator()
        let twoYears: Int64 = 730 * 86_400_000
        return (1...count).map { i in
            let opened = now.adding(milliseconds: -Int64.random(in: 0...twoYears, using: &g))
            let status = Status.allCases[i % 3]
            let closed = status == .closed ? opened.adding(milliseconds: Int64.random(in: 60_000...(30 * 86_400_000), using: &g)) : nil
            let facts = TicketFacts(category: Category.allCases[Int.random(in: 0..<3, using: &g)], status: status, openedAt: opened, closedAt: closed)
            return ChangeEvent(seq: SequenceNumber(Int64(i)), type: .ticketImported, ticketID: TicketID(Int64(i)), occurredAt: now, before: nil, after: facts)
        }
    }

    static func measure<A: PersistedAggregate>(_ type: A.Type, _ events: [ChangeEvent], batch: Int, dir: String, query: (A, Int) -> Int) throws {
        let tz = TimeZone(identifier: "Europe/Berlin") ?? TimeZone(secondsFromGMT: 0) ?? .current
        let state = try AnalyticsState<A>(path: AnalyticsState<A>.path(inDataDirectory: dir), timeZone: tz)
        var querySmall = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        var i = 0
        while i < events.count {
            let end = min(events.count, i + batch)
            try state.apply(Array(events[i..<end]))
            if i < 10_000, end >= 10_000 { querySmall = nanosecondsPerQuery(state.aggregate, query) }
            i = end
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = cpuSeconds() - cpuStart
        let queryLarge = nanosecondsPerQuery(state.aggregate, query)
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let reopened = try AnalyticsState<A>(path: state.path, timeZone: tz)
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        precondition(reopened.lastSeq == state.lastSeq, "reloaded state must match")
        let size = (try? FileManager.default.attributesOfItem(atPath: state.path)[.size] as? Int) ?? 0
        print(String(format: "%@: %.0f events/s (%.2f s wall, %.2f s CPU for %d); query %.0f ns at 10,000 tickets, %.0f ns at %d; reload %.2f s; state file %.1f MB",
                     A.service.rawValue, Double(events.count) / seconds, seconds, cpu, events.count, querySmall, queryLarge, events.count,
                     loadSeconds, Double(size) / 1_048_576))
    }

    /// User + system CPU time of this process: on a shared machine it says more than wall time.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func nanosecondsPerQuery<A>(_ aggregate: A, _ query: (A, Int) -> Int) -> Double {
        let rounds = 20_000
        var checksum = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<rounds { checksum &+= query(aggregate, i) }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        // Depending on the result keeps the optimiser from dropping the queries.
        if checksum == Int.min { print(checksum) }
        return Double(elapsed) / Double(rounds)
    }
}
