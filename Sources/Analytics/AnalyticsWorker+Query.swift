import Foundation
import Domain
import SpoolBroker

/// The request body of an open-tickets query: `{"hours": N, "by": "hour"|"day"}`.
///
/// `by` is optional (absent means hour) so a gateway of the previous release can still ask.
public struct OpenTicketsQuery: Sendable, Codable, Equatable {
    public var hours: Int
    public var by: TimeBucket?
    public init(_ period: OpenTicketsPeriod) {
        hours = period.hours
        by = period.by
    }

    /// The period asked for.
    public var period: OpenTicketsPeriod { OpenTicketsPeriod(hours: hours, by: by ?? .hour) }
}

/// The reply body when a query cannot be answered (bad request); the gateway shows `message`.
public struct AnalyticsQueryError: Error, Sendable, Codable, Equatable {
    public var error: String
    public init(_ error: String) { self.error = error }
}

/// Envelope types used by the analytics workers, one name per concept across code and docs.
public enum AnalyticsMessageType {
    /// Sent to `commands`: please re-publish events ≥ `from` into `queue`.
    public static let replayRequest = "replay_request"
    /// A query on `query.<service>`.
    public static let query = "analytics_query"
    /// A successful reply: the service's Answer type as JSON.
    public static let answer = "analytics_answer"
    /// A refused query: `AnalyticsQueryError` as JSON.
    public static let error = "analytics_error"
}

/// The body of a replay request: `{"from": seq, "queue": "events.<service>"}`.
public struct ReplayRequest: Sendable, Codable, Equatable {
    public var from: SequenceNumber
    public var queue: String
    public init(from: SequenceNumber, queue: String) {
        self.from = from
        self.queue = queue
    }
}

/// Answers one query against an aggregate: a pure function, so it is tested without a queue.
///
/// Why here and not in the aggregates: decoding the request and choosing the reply type is the
/// worker's protocol; the aggregates only know how to compute an answer.
public enum AnalyticsQueryAnswering {
    /// The reply `(type, body)` for a request body.
    public static func reply<A: PersistedAggregate>(to body: Data, aggregate: A, now: Timestamp) -> (type: String, body: Data) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            switch aggregate {
            case let open as OpenTicketsAggregate:
                let query: OpenTicketsQuery
                do {
                    query = try JSONDecoder().decode(OpenTicketsQuery.self, from: body)
                } catch {
                    throw AnalyticsQueryError("the request body must be {\"hours\": N, \"by\": \"hour\" or \"day\"}")
                }
                let range = OpenTicketsPeriod.hoursRange
                guard range.contains(query.hours) else {
                    throw AnalyticsQueryError("hours must be between \(range.lowerBound) and \(range.upperBound)")
                }
                return (AnalyticsMessageType.answer, try encoder.encode(open.answer(query.period, now: now)))
            case let resolution as ResolutionTimeAggregate:
                return (AnalyticsMessageType.answer, try encoder.encode(resolution.answer()))
            case let load as CategoryLoadAggregate:
                return (AnalyticsMessageType.answer, try encoder.encode(load.answer()))
            case let levels as ServiceLevelsAggregate:
                return (AnalyticsMessageType.answer, try encoder.encode(levels.answer(now: now)))
            default:
                throw AnalyticsQueryError("no answer for \(A.service.rawValue)")
            }
        } catch let error as AnalyticsQueryError {
            return (AnalyticsMessageType.error, (try? encoder.encode(error)) ?? Data("{\"error\":\"bad request\"}".utf8))
        } catch {
            return (AnalyticsMessageType.error, Data("{\"error\":\"could not encode the answer\"}".utf8))
        }
    }
}

/// Decides when to ask the ticket worker for a replay, so a gap is asked for once, not once per message.
///
/// Why: after a gap every later event in the queue is also "beyond the gap"; one request covers
/// them all. Queues are durable, so a request is not lost; it is repeated only if the same gap is
/// still seen `retryAfterMilliseconds` later (the ticket worker was restored from a backup, say).
public struct ReplayTracker: Sendable {
    /// The seq last asked for, and when.
    public private(set) var requested: (from: SequenceNumber, at: Timestamp)?
    public var retryAfterMilliseconds: Int64

    public init(retryAfterMilliseconds: Int64 = 10_000) { self.retryAfterMilliseconds = retryAfterMilliseconds }

    /// At start: a state with nothing applied asks for everything from seq 1.
    public mutating func startupReplayFrom(lastSeq: SequenceNumber, now: Timestamp) -> SequenceNumber? {
        guard lastSeq == .zero else { return nil }
        requested = (lastSeq.next, now)
        return lastSeq.next
    }

    /// After a batch: the seq to replay from if the batch stopped at a gap, unless that was just asked for.
    public mutating func replayFrom(lastSeq: SequenceNumber, gapAt: SequenceNumber?, now: Timestamp) -> SequenceNumber? {
        if let r = requested, lastSeq >= r.from {
            // The replay arrived (or late events filled the gap): the request is settled.
            requested = nil
        }
        guard let from = gapAt else { return nil }
        if let r = requested, r.from == from, now.millisecondsSinceEpoch - r.at.millisecondsSinceEpoch < retryAfterMilliseconds {
            return nil
        }
        requested = (from, now)
        return from
    }
}
