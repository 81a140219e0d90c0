import Domain
import SQLiteKit

/// The `preferences` table of `notifications.db` (migration 3): one row per person who chose.
extension DeliveryQueue {
    /// The stored preference of `user`, or nil (the defaults).
    public func preference(of user: UserID) throws -> NotificationPreference? {
        try Self.preference(db, of: user)
    }

    /// The same read on any connection to the file (``InboxReader``'s read-only one).
    static func preference(_ db: Connection, of user: UserID) throws -> NotificationPreference? {
        try db.cachedStatement("SELECT user_id, channels, quiet_hours FROM preferences WHERE user_id = ?")
            .queryFirst([.integer(user.rawValue)], Self.preference)
    }

    /// Every stored preference, by user.
    public func preferences() throws -> [NotificationPreference] {
        try db.cachedStatement("SELECT user_id, channels, quiet_hours FROM preferences ORDER BY user_id").query([], Self.preference)
    }

    /// Stores `preference` (replacing the person's earlier one).
    public func setPreference(_ preference: NotificationPreference) throws {
        try db.cachedStatement("INSERT OR REPLACE INTO preferences (user_id, channels, quiet_hours) VALUES (?, ?, ?)")
            .execute([.integer(preference.userID.rawValue), .text(preference.channelsText), .optionalText(preference.quietHours?.text)])
    }

    private static func preference(_ s: Statement) throws -> NotificationPreference {
        NotificationPreference(userID: UserID(s.int64(at: 0)), channels: NotificationPreference.channels(parsing: s.text(at: 1)) ?? nil,
                               quietHours: s.optionalText(at: 2).flatMap(ContactWindow.init(parsing:)))
    }
}
