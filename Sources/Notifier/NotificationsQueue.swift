import Foundation
import Domain
import SpoolBroker

/// The notifier's notifications as the queue `notifications` of `campusdesk queue` (issue 17: dead
/// notifications "visible in `campusdesk queue` and retryable from there").
///
/// Each call opens `notifications.db` for itself, as `campusdesk outbox` does: a short local
/// operator process beside the running notifier (WAL lets both open the file). A retried
/// notification is pending and due at once; the notifier looks for due ones at least every half
/// second and sends it.
public struct NotificationsQueue: ExternalQueue {
    public let path: String
    public let name: QueueName

    /// The queue in `path` (`<data>/notifications.db`).
    public init(path: String) throws {
        self.path = path
        name = try QueueName("notifications")
    }

    /// The queue of the data directory, or nil when the notifier never made one (an inspection
    /// tool does not create what it inspects).
    public static func inDataDirectory(_ data: String) -> NotificationsQueue? {
        let path = NotifierConfiguration.queuePath(inDataDirectory: data)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? NotificationsQueue(path: path)
    }

    /// Waiting: pending notifications (those held for a contact window too); claimed: none (a
    /// notification is sent in place); oldest: the oldest pending one's age since it was stored.
    public func stats(now: Timestamp) throws -> QueueStats {
        let queue = try DeliveryQueue(path: path)
        let counts = try queue.counts()
        let oldest = try queue.oldestPendingCreatedAt()
        return QueueStats(queue: name, waiting: counts[.pending] ?? 0, claimed: 0, dead: counts[.dead] ?? 0,
                          oldestAgeSeconds: oldest.map { Double(max(0, now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch)) / 1000 })
    }

    public func deadLetters() throws -> [ExternalDeadLetter] {
        try DeliveryQueue(path: path).list(.dead, limit: 1000).map { item in
            ExternalDeadLetter(id: String(item.id), details: [
                .init("ticket", "#\(item.ticketID.rawValue)"), .init("kind", item.kind.rawValue), .init("channel", item.channel.rawValue),
                .init("recipient", item.address), .init("attempts", String(item.attempts)),
            ], reason: item.lastError ?? "")
        }
    }

    /// `id` is the notification's number (`ID` in `outbox --dead`); anything else matches nothing.
    public func retryDead(matching id: String?, now: Timestamp) throws -> Int {
        let queue = try DeliveryQueue(path: path)
        guard let id else { return try queue.retryAllDead(now: now) }
        guard let number = Int64(id), number > 0 else { return 0 }
        return try queue.retry(number, now: now) ? 1 : 0
    }
}
