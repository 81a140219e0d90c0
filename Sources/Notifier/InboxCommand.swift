import Foundation
import Domain
import SpoolBroker

/// A change a person asks of their own notifications, sent by the gateway to the notifier on the
/// `notifier.commands` queue (the notifier alone writes `notifications.db`) and answered with an
/// ``InboxReply`` on the sender's reply queue.
///
/// Each command names who asks (`role`, `userID`: the gateway's visitor) and whose inbox it changes
/// (`inbox`); the notifier refuses one where the two are not the same person (``InboxCommand/refusal``),
/// as the gateway did before sending. Every action is idempotent (marking read twice, or storing
/// the same preference again, changes nothing more), so a redelivered command needs no id table.
public struct InboxCommand: Sendable, Codable, Equatable {
    public enum Action: Sendable, Codable, Equatable {
        /// Marks these entries read.
        case markRead(ids: [Int64])
        /// Marks every entry up to this id read (the newest the page showed).
        case markAllRead(throughID: Int64)
        /// Stores the person's preference: `channels` in ``NotificationPreference/channelsText``'s
        /// forms, `quietHours` a ``ContactWindow`` text or nil for none.
        case setPreference(channels: String, quietHours: String?)
    }

    /// The envelope type on `notifier.commands`.
    public static let messageType = "inbox_command"
    /// The envelope type of the answer.
    public static let replyType = "inbox_reply"
    /// The notifier's command queue.
    public static func queue() throws(SpoolError) -> QueueName { try QueueName("notifier.commands") }

    public var role: Role
    public var userID: UserID?
    /// The inbox key (``Inbox/key(user:)``, ``Inbox/key(reporterKeyDigest:)``).
    public var inbox: String
    public var action: Action

    public init(role: Role, userID: UserID?, inbox: String, action: Action) {
        self.role = role
        self.userID = userID
        self.inbox = inbox
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case role, inbox, action
        case userID = "user_id"
    }

    /// Why the command may not be applied, or nil: the inbox must be well formed and the asker's
    /// own (an account's inbox only for that account, a reporter's only for someone without one),
    /// preferences belong to accounts, and they are checked as `campusdesk notify-prefs` checks them.
    public var refusal: String? {
        guard Inbox.isValidKey(inbox) else { return "not an inbox" }
        if let owner = Inbox.user(of: inbox) {
            guard owner == userID else { return "a person may change only their own notifications" }
        } else if userID != nil {
            return "a person may change only their own notifications"
        }
        switch action {
        case .markRead(let ids):
            if ids.isEmpty || ids.count > 500 { return "name 1 to 500 notifications" }
        case .markAllRead:
            break
        case .setPreference(let channels, let quiet):
            guard userID != nil else { return "preferences belong to accounts" }
            if NotificationPreference.channels(parsing: channels) == nil { return NotificationPreference.channelsRule }
            if let quiet, ContactWindow(parsing: quiet) == nil { return ContactWindow.rule }
        }
        return nil
    }
}

/// The notifier's answer to an ``InboxCommand``.
public struct InboxReply: Sendable, Codable, Equatable {
    /// nil: applied; else why not (nothing changed).
    public var refusal: String?
    /// Entries changed (mark read), for the caller's log and tests.
    public var changed: Int

    public init(refusal: String? = nil, changed: Int = 0) {
        self.refusal = refusal
        self.changed = changed
    }
}
