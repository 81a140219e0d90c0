import Analytics
import Domain
import Foundation
import TicketStore
import WebGateway

/// The three analytics answered by their real aggregates, fed every change event in the store's
/// outbox at each question: what the analytics workers answer once the spool has delivered the
/// events, without the spool (the worker's transport has tests of its own, AdapterTests).
struct OutboxAnalytics: AnalyticsQuerying {
    let store: TicketStore
    let clock: any WallClock
    let timeZone = TimeZone(identifier: "UTC")!

    func aggregate<A: PersistedAggregate>(_ type: A.Type) async throws -> A {
        var aggregate = A.empty(timeZone: timeZone)
        for event in try await store.events(from: SequenceNumber(1), limit: 100_000) { aggregate.apply(event) }
        return aggregate
    }

    func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
        do { return .answered(try await aggregate(OpenTicketsAggregate.self).answer(period, now: clock.now())) } catch { return .failed(reason: "\(error)") }
    }

    func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> {
        do { return .answered(try await aggregate(ResolutionTimeAggregate.self).answer()) } catch { return .failed(reason: "\(error)") }
    }

    func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> {
        do { return .answered(try await aggregate(CategoryLoadAggregate.self).answer()) } catch { return .failed(reason: "\(error)") }
    }

    func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer> {
        do { return .answered(try await aggregate(ServiceLevelsAggregate.self).answer(now: clock.now())) } catch { return .failed(reason: "\(error)") }
    }
}
