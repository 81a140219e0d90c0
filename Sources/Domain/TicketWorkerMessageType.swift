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
