/// The ticket worker's answer to a command: what was stored, or why it was refused.
///
/// Recorded with the command id, so a redelivered command gets this same reply again.
public struct CommandReply: Sendable, Codable, Equatable {
    public var commandID: CommandID
    /// The ticket as stored after the command (also after a message was posted).
    public var ticket: Ticket?
    /// The message that `post_message` added.
    public var message: Message?
    /// The account as stored after an account command.
    public var user: User?
    /// The issue type as stored after an issue type command.
    public var issueType: IssueType?
    /// Why the command was not applied; nil when it was.
    public var refusal: Refusal?
    /// The replication batch that holds the command's effect (or a later one), when the worker
    /// replicates `tickets.db` (NATS): a gateway with its own replica waits until it has applied
    /// that batch before answering, so the person reads what they wrote (docs/nats.md). Not stored
    /// with the command: each answer, a redelivery's too, carries the batch of its own delivery.
    public var replicationSeq: Int64?

    public init(commandID: CommandID, ticket: Ticket? = nil, message: Message? = nil, user: User? = nil, refusal: Refusal? = nil,
                issueType: IssueType? = nil) {
        self.commandID = commandID
        self.ticket = ticket
        self.message = message
        self.user = user
        self.refusal = refusal
        self.issueType = issueType
    }

    public var isApplied: Bool { refusal == nil }

    enum CodingKeys: String, CodingKey { case commandID = "command_id", ticket, message, user, refusal, issueType = "issue_type", replicationSeq = "replication_seq" }
}

/// A command the worker would not apply: a machine-readable code, a reason for people,
/// and the form field it concerns when there is one (so the UI can show it beside that field).
public struct Refusal: Sendable, Codable, Equatable, Error {
    public var code: RefusalCode
    public var reason: String
    public var field: String?

    public init(_ code: RefusalCode, _ reason: String, field: String? = nil) {
        self.code = code
        self.reason = reason
        self.field = field
    }
}

/// Why a command was refused; each maps to one HTTP status in the API.
public enum RefusalCode: String, Sendable, Codable, CaseIterable {
    /// No ticket with that id (404).
    case notFound = "not_found"
    /// The acting role may not do this (403).
    case forbidden
    /// The status change is not `open → active` or `active → closed` (409).
    case invalidTransition = "invalid_transition"
    /// The ticket is closed and so read-only for this change (409).
    case readOnly = "read_only"
    /// A field is missing, empty, too long or otherwise invalid (422).
    case validation
    /// The change collides with what is stored, such as an e-mail address already registered (409).
    case conflict
    /// The account is unknown, deactivated or its session has ended (401).
    case unauthenticated
}
