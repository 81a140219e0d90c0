import Domain
import SpoolBroker
import Analytics
import HTTPServer

/// The production `AnalyticsQuerying`: `analytics_query` requests on `query.<service>`, answered
/// by each analytics worker with `analytics_answer` or `analytics_error`.
///
/// Why a thin wrapper over `AnalyticsClient`: the client owns the worker's wire protocol; this
/// only maps its three failures onto the dashboard's per-panel outcome.
public struct BrokerAnalyticsQuerying: AnalyticsQuerying {
    let client: AnalyticsClient

    /// Wraps the client that asks the workers.
    public init(client: AnalyticsClient) { self.client = client }

    public func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
        do { return .answered(try await client.openTickets(period, timeout: timeout)) } catch { return Self.outcome(error) }
    }

    public func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> {
        do { return .answered(try await client.resolutionTime(timeout: timeout)) } catch { return Self.outcome(error) }
    }

    public func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> {
        do { return .answered(try await client.categoryLoad(timeout: timeout)) } catch { return Self.outcome(error) }
    }

    public func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer> {
        do { return .answered(try await client.serviceLevels(timeout: timeout)) } catch { return Self.outcome(error) }
    }

    static func outcome<A>(_ failure: AnalyticsClient.Failure) -> AnalyticsOutcome<A> {
        switch failure {
        case .timedOut: .timedOut
        case .refused(let message): .failed(reason: message)
        case .failed(let message): .failed(reason: message)
        }
    }
}
