import Foundation
import Domain
import SpoolBroker

/// Asks the analytics workers for their answers over request/reply: what the gateway calls.
///
/// Why here: the request and reply shapes are the worker's protocol, so the one place that
/// writes them (the worker) sits beside the one place that reads them; the gateway only maps
/// the outcome to its panel (answered / refused / timed out).
public struct AnalyticsClient: Sendable {
    /// Why there is no answer.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The worker refused the query (`analytics_error`), e.g. hours out of range.
        case refused(String)
        /// No reply in time: the worker is slow, dead or catching up (the query stays queued).
        case timedOut
        /// The query could not be sent, or the reply could not be read.
        case failed(String)

        public var description: String {
            switch self {
            case .refused(let m): "refused: \(m)"
            case .timedOut: "no answer in time"
            case .failed(let m): "failed: \(m)"
            }
        }
    }

    public let requester: RequestClient
    public let clock: any WallClock

    /// Asks through the process's one `RequestClient` (queries are volatile, so never group-committed).
    public init(requester: RequestClient, clock: any WallClock = SystemClock()) {
        self.requester = requester
        self.clock = clock
    }

    /// Tickets opened in the period that are not closed, by hour or day and category.
    public func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async throws(Failure) -> OpenTicketsAnswer {
        try await ask(.openTickets, OpenTicketsQuery(period), timeout: timeout)
    }

    /// Average resolution time per opening month.
    public func resolutionTime(timeout: Duration) async throws(Failure) -> ResolutionTimeAnswer {
        try await ask(.resolutionTime, [String: Int](), timeout: timeout)
    }

    /// Tickets per category and status.
    public func categoryLoad(timeout: Duration) async throws(Failure) -> CategoryLoadAnswer {
        try await ask(.categoryLoad, [String: Int](), timeout: timeout)
    }

    /// SLA compliance, tickets at risk and breached now, and workload per engineer (the manager's dashboard).
    public func serviceLevels(timeout: Duration) async throws(Failure) -> ServiceLevelsAnswer {
        try await ask(.serviceLevels, [String: Int](), timeout: timeout)
    }

    private func ask<Q: Encodable, A: Decodable>(_ service: AnalyticsService, _ query: Q, timeout: Duration) async throws(Failure) -> A {
        let request: Envelope
        do {
            request = try Envelope(type: AnalyticsMessageType.query, body: query, sentAt: clock.now())
        } catch {
            throw .failed("encode query: \(error)")
        }
        let reply: Envelope
        do {
            // Volatile: a query is worthless once its asker has given up, so it need not survive a crash.
            reply = try await requester.request(request, to: .query(service), timeout: timeout, durability: .volatile)
        } catch .timedOut {
            throw .timedOut
        } catch {
            throw .failed(error.description)
        }
        do {
            switch reply.type {
            case AnalyticsMessageType.answer: return try reply.decodeBody(A.self)
            case AnalyticsMessageType.error: throw Failure.refused(try reply.decodeBody(AnalyticsQueryError.self).error)
            default: throw Failure.failed("unexpected reply type \(reply.type.prefix(40))")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .failed("unreadable reply: \(error)")
        }
    }
}
