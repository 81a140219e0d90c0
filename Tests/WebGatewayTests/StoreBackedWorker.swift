import Domain
import SpoolBroker
import TicketStore
import TicketService
import Foundation
import Synchronization
import WebGateway

/// The ticket worker in-process: commands go straight to a real `TicketStore` on a temp SQLite file.
///
/// Stands in for the broker's request/reply (not merged yet) while keeping the real rules, the
/// real idempotency table and the real read side (`TicketReader` on the same file). It records
/// every command so tests can assert that the gateway did, or did not, send one, and can be told
/// to answer `.queued` / `.unavailable` like a slow or broken spool.
actor StoreBackedWorker: CommandSending {
    let store: TicketStore
    private(set) var received: [Command] = []
    private var forcedOutcome: CommandOutcome?

    init(store: TicketStore) { self.store = store }

    func force(_ outcome: CommandOutcome?) { forcedOutcome = outcome }
    var receivedCount: Int { received.count }

    func send(_ command: Command, timeout: Duration) async -> CommandOutcome {
        received.append(command)
        if let forcedOutcome { return forcedOutcome }
        do {
            return .replied(try await store.apply([command])[0])
        } catch {
            return .unavailable(reason: "store: \(error)")
        }
    }
}

/// A classifier with a confidence the test sets: keywords pick the category.
final class TunableClassifier: TicketClassifier {
    private let confidence = Mutex(0.9)
    func set(_ c: Double) { confidence.withLock { $0 = c } }
    func classify(_ description: String) -> Classification {
        let c = confidence.withLock { $0 }
        let t = description.lowercased()
        if t.contains("wi-fi") || t.contains("printer") || t.contains("projector") { return Classification(category: .it, confidence: c) }
        if t.contains("canteen") || t.contains("library") { return Classification(category: .services, confidence: c) }
        return Classification(category: .facility, confidence: c)
    }
}

/// A clock that stands still at a known instant, so pages show predictable times.
struct FixedClock: WallClock {
    var instant = Timestamp(iso8601: "2026-01-05T10:01:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)
    func now() -> Timestamp { instant }
}

/// Analytics answers fixed per test, with per-panel outcomes.
struct FixedAnalytics: AnalyticsQuerying {
    var open: AnalyticsOutcome<OpenTicketsAnswer> = .answered(OpenTicketsAnswer(hours: 24, since: Timestamp(millisecondsSinceEpoch: 0), count: 3))
    var resolution: AnalyticsOutcome<ResolutionTimeAnswer> = .answered(ResolutionTimeAnswer(months: [MonthResolution(month: "2026-01", closed: 2, averageSeconds: 7200)]))
    var load: AnalyticsOutcome<CategoryLoadAnswer> = .answered(CategoryLoadAnswer(categories: Category.allCases.map { CategoryLoad(category: $0, open: 1, active: 2, closed: 3) }))
    var levels: AnalyticsOutcome<ServiceLevelsAnswer> = .answered(ServiceLevelsAnswer(
        asOf: Timestamp(millisecondsSinceEpoch: 0),
        compliance: [SLACompliance(month: "2026-01", priority: .p1, firstResponse: SLAOutcomeCounts(met: 4, breached: 1), resolution: SLAOutcomeCounts(met: 3, breached: 2))],
        current: Priority.allCases.map { SLAStanding(priority: $0, atRisk: 1, breached: 0) },
        engineers: [EngineerWorkload(userID: UserID(3), open: 1, active: 2, breached: 1, medianAgeSeconds: 5400)]))

    func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
        if case .answered(var a) = open {
            a.hours = period.hours
            a.by = period.by
            return .answered(a)
        }
        return open
    }
    func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> { resolution }
    func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> { load }
    func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer> { levels }
}

struct FixedReadiness: ReadinessProbing {
    var checks: [ReadinessCheck]
    func check(timeout: Duration) async -> [ReadinessCheck] { checks }
}
