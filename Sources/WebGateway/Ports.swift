import Domain
import SpoolBroker
import TicketStore
import HTTPServer
import Notifier

/// What became of a command the gateway sent to the ticket worker.
public enum CommandOutcome: Sendable, Equatable {
    /// The worker answered in time: applied or refused.
    case replied(CommandReply)
    /// The command is durably on the queue but no reply came in time; it will be applied (HTTP 202).
    case queued
    /// The command could not be enqueued (disk full, spool missing); nothing was sent (HTTP 503).
    case unavailable(reason: String)
}

/// The gateway's way to change tickets: send a command, wait for the reply up to a deadline.
///
/// A port so the gateway can be tested without processes; the broker's request/reply implements
/// it in production, an in-process store in tests.
public protocol CommandSending: Sendable {
    func send(_ command: Command, timeout: Duration) async -> CommandOutcome
}

/// What became of one analytics question.
public enum AnalyticsOutcome<Answer: Sendable & Equatable>: Sendable, Equatable {
    case answered(Answer)
    /// The worker did not answer before the deadline; only its panel degrades.
    case timedOut
    /// The question could not be asked or the answer was unusable.
    case failed(reason: String)
}

/// The gateway's way to ask the four analytics workers, each with its own deadline.
public protocol AnalyticsQuerying: Sendable {
    func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer>
    func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer>
    func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer>
    /// The manager's dashboard: SLA compliance, at risk and breached now, workload per engineer.
    func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer>
}

/// The state of one dependency as seen by `/readyz`.
public struct ReadinessCheck: Sendable, Equatable, Codable {
    /// `ticket-worker`, `open-tickets`, ...
    public var name: String
    public var ready: Bool
    /// Why not, for operators; nil when ready.
    public var detail: String?
    public init(name: String, ready: Bool, detail: String? = nil) {
        self.name = name
        self.ready = ready
        self.detail = detail
    }
}

/// The gateway's way to ask whether the workers it depends on answer (for `/readyz`).
public protocol ReadinessProbing: Sendable {
    func check(timeout: Duration) async -> [ReadinessCheck]
}

/// The gateway's way to read accounts and sessions (the network desk): implemented by the
/// `TicketReader` over `tickets.db`, which the ticket worker alone writes.
///
/// Every request of the network desk asks ``sessionUser(tokenDigest:now:)`` once (one indexed
/// lookup, no cache), so a logout or a deactivation counts from the next request.
public protocol AccountQuerying: Sendable {
    /// The account with this e-mail address (lower-cased) and its stored password hash, or nil.
    func account(email: String) async throws -> (user: User, passwordHash: String)?
    /// The active account of a session that has not ended or expired at `now`, or nil.
    func sessionUser(tokenDigest: String, now: Timestamp) async throws -> User?
    func user(_ id: UserID) async throws -> User?
    /// Accounts by role, text (name or e-mail) and state, in a stable order, a page at a time.
    func users(role: Role?, query: String?, active: Bool?, limit: Int, offset: Int) async throws -> [User]
    /// The active engineers, with how many open or active tickets each has assigned.
    func engineers() async throws -> [EngineerLoad]
    /// The active engineers by name, without counting their tickets.
    func activeEngineers() async throws -> [User]
    /// The campus desk's staff directory (active agents, engineers and managers by name).
    func staffDirectory(limit: Int) async throws -> [User]
}

extension TicketReader: AccountQuerying {}

/// What became of a change to one's own notifications sent to the notifier.
public enum InboxOutcome: Sendable, Equatable {
    /// The notifier answered: applied, or refused with its reason.
    case replied(InboxReply)
    /// The command is on the notifier's queue but no answer came in time; it will be applied.
    case queued
    /// Nothing was sent (the spool cannot be written).
    case unavailable(reason: String)
}

/// The gateway's way to change a person's inbox and preferences: the notifier alone writes
/// `notifications.db`, so every change is an ``InboxCommand`` to it, answered on the reply queue.
public protocol InboxCommandSending: Sendable {
    func send(_ command: InboxCommand, timeout: Duration) async -> InboxOutcome
}

/// Where a gateway with its own `tickets.db` replica reads the worker's replication batches
/// (docs/nats.md, "Gateways on other machines"); on NATS, the `CAMPUSDESK-CHANGES` stream.
///
/// Both calls block their thread (the follower's own): errors are the broker's, and transient.
public protocol ReplicationSource: Sendable {
    /// Batch `seq`, nil while the broker does not hold it.
    func batch(_ seq: Int64) throws -> ReplicationBatch?
    /// Waits up to `timeout` for a newer batch to be published; the highest number heard, nil if none.
    func waitForNews(timeout: Duration) throws -> Int64?
}

/// How far a gateway's replica has come, for read-your-writes and `/readyz`.
public protocol ReplicaProgress: Sendable {
    /// Waits until batch `seq` is applied; false when `timeout` passed first or the replica stopped.
    func waitUntilApplied(_ seq: Int64, timeout: Duration) async -> Bool
    /// Why the replica stopped applying (a gap, a conflict, a damaged file); nil while it follows.
    var failure: String? { get }
}
