import Domain

/// The web inboxes' read side as the gateway sees it: pages, unread counts and preferences.
///
/// ``InboxReader`` reads `notifications.db` on this machine (the default); a gateway on another
/// machine (`CAMPUSDESK_GATEWAY_FILES=own`) asks the notifier over request/reply instead
/// (RemoteFiles' `RemoteInboxReader`). Changes go as ``InboxCommand``s either way.
public protocol InboxReading: Sendable {
    /// The newest entries of `recipientKey`'s inbox, newest first; with `before`, those older than that id.
    func entries(of recipientKey: String, before: Int64?, limit: Int) async throws -> [Inbox.Entry]
    /// How many entries of `recipientKey`'s inbox are unread, up to ``Inbox/countCap``.
    func unreadCount(of recipientKey: String) async throws -> Int
    /// The stored preference of `user`, or nil (the defaults).
    func preference(of user: UserID) async throws -> NotificationPreference?
}

extension InboxReader: InboxReading {}
