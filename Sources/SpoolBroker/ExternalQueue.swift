import Domain

/// A queue that `campusdesk queue` shows beside the spool's although its messages live elsewhere:
/// the notifier's notifications in `data/notifications.db` (issue 17: dead notifications "visible in
/// `campusdesk queue` and retryable from there").
///
/// Why a protocol here: the spool broker knows nothing of the notifier (which depends on it); the
/// executable hands ``QueueCLI`` the notifier's implementation. `list` shows its row after the
/// spool's, `dead` and `retry` work on it; `peek` and `purge` are the spool's only.
public protocol ExternalQueue: Sendable {
    /// The name the commands take (`notifications`), never a spool queue's.
    var name: QueueName { get }
    /// Its `queue list` row at `now`.
    func stats(now: Timestamp) throws -> QueueStats
    /// What it gave up on, each with its reason, newest first.
    func deadLetters() throws -> [ExternalDeadLetter]
    /// Puts the dead letter `id` (every one with nil) back to be tried at `now`; how many went back.
    func retryDead(matching id: String?, now: Timestamp) throws -> Int
}

/// One dead letter of an ``ExternalQueue``: its id, facts about it in order, and why it died.
public struct ExternalDeadLetter: Sendable, Equatable {
    /// A named fact (`channel`, `recipient`, ...), printed in order after the id and as a JSON member.
    public struct Detail: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var id: String
    public var details: [Detail]
    public var reason: String

    public init(id: String, details: [Detail], reason: String) {
        self.id = id
        self.details = details
        self.reason = reason
    }
}
