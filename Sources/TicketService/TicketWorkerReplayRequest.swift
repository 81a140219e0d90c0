import Domain

/// The body of a `replay_request` on `commands`: `{"from": seq, "queue": "events.<service>"}`.
///
/// Why private to the worker: the analytics branch defines the public `ReplayRequest` and
/// `AnalyticsMessageType.replayRequest` with this same JSON shape; until that lands on main the
/// worker decodes the shape itself rather than define the type twice.
struct TicketWorkerReplayRequest: Decodable, Sendable, Equatable {
    /// The wire type (same string as `AnalyticsMessageType.replayRequest`).
    static let type = "replay_request"
    var from: SequenceNumber
    var queue: String
}
