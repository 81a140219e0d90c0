import Domain
import SpoolBroker
import HTTPServer
import Synchronization

/// Shares one analytics question among the dashboard requests that ask it at the same time.
///
/// Why: every dashboard view asks the three workers over the spool (a file written, a worker
/// woken, a reply file read). Under load, sixteen browsers refreshing together asked the same
/// three questions sixteen times; here the first asker sends the question and the others that
/// arrive while it is in flight wait for that same answer. Nothing is cached: an answer is
/// handed only to requests that arrived before it came back, so it is never older than the
/// slowest of them would have got by asking alone, and a question asked after it returned goes
/// to the worker again.
public struct CoalescingAnalytics: AnalyticsQuerying {
    let inner: any AnalyticsQuerying
    let open = Flight<OpenTicketsAnswer>()
    private let resolution = Flight<ResolutionTimeAnswer>()
    private let load = Flight<CategoryLoadAnswer>()
    private let levels = Flight<ServiceLevelsAnswer>()

    /// Wraps the port that really asks (the spool adapter in production).
    public init(_ inner: any AnalyticsQuerying) { self.inner = inner }

    public func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
        await open.run(Flight.Key(period: period, timeout: timeout)) { await inner.openTickets(period, timeout: timeout) }
    }

    public func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> {
        await resolution.run(Flight.Key(period: nil, timeout: timeout)) { await inner.resolutionTime(timeout: timeout) }
    }

    public func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> {
        await load.run(Flight.Key(period: nil, timeout: timeout)) { await inner.categoryLoad(timeout: timeout) }
    }

    public func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer> {
        await levels.run(Flight.Key(period: nil, timeout: timeout)) { await inner.serviceLevels(timeout: timeout) }
    }
}

/// The questions of one kind in flight, each with the requests waiting for its answer.
final class Flight<Answer: Sendable & Equatable>: Sendable {
    struct Key: Hashable, Sendable {
        /// The open-tickets period; nil for the questions without parameters.
        var period: OpenTicketsPeriod?
        var timeout: Duration
    }
    typealias Outcome = AnalyticsOutcome<Answer>

    private let waiting = Mutex<[Key: [CheckedContinuation<Outcome?, Never>]]>([:])

    /// Runs `ask` unless the same question is already in flight; then waits for that one's answer.
    func run(_ key: Key, _ ask: () async -> Outcome) async -> Outcome {
        // Joining and leading are decided under one lock: nil means "nobody is asking; you ask".
        let shared: Outcome? = await withCheckedContinuation { (c: CheckedContinuation<Outcome?, Never>) in
            let leads = waiting.withLock { w -> Bool in
                if w[key] != nil {
                    w[key, default: []].append(c)
                    return false
                }
                w[key] = []
                return true
            }
            if leads { c.resume(returning: nil) }
        }
        if let shared { return shared }
        let outcome = await ask()
        let followers = waiting.withLock { w in w.removeValue(forKey: key) ?? [] }
        for f in followers { f.resume(returning: outcome) }
        return outcome
    }

    /// Requests waiting for the question `key` now (nil when it is not in flight); for tests.
    func followers(of key: Key) -> Int? {
        waiting.withLock { $0[key]?.count }
    }
}
