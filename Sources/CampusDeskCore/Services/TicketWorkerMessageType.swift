/// Envelope types the ticket worker reads and writes, one name per concept across code and docs.
///
/// Why constants: the gateway, the analytics workers, the queue CLI and the tests must agree on
/// these strings; a typo would send a message to `dead/` as "unknown type".
public enum TicketWorkerMessageType {
    /// On `commands`: the body is one `Command`; a reply goes to `reply_to` when it is set.
    public static let command = "command"
    /// The reply to a command: the body is one `CommandReply`, with the request's correlation id.
    public static let commandReply = "command_reply"
    /// Published to the `events` exchange: the body is one `ChangeEvent`.
    public static let changeEvent = "change_event"
}

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
