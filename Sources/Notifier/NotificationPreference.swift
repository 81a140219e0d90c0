import Domain
import SQLiteKit

/// A person's choices (issue 17, "Preferences"): the channels they are told on, and quiet hours
/// during which their non-urgent notifications wait. Kept in `notifications.db`, set with
/// `campusdesk notify-prefs`.
public struct NotificationPreference: Sendable, Equatable {
    public var userID: UserID
    /// nil: the default rule (``Recipient/channels(urgent:)``); empty: none at all; else exactly
    /// these, where the person has an address or number for them.
    public var channels: Set<NotificationChannel>?
    /// Never told anything non-urgent inside these (read in `CAMPUSDESK_TZ`); nil: none.
    public var quietHours: ContactWindow?

    public init(userID: UserID, channels: Set<NotificationChannel>? = nil, quietHours: ContactWindow? = nil) {
        self.userID = userID
        self.channels = channels
        self.quietHours = quietHours
    }

    /// `default`, `none`, or the channels joined by commas (`email,sms`).
    public var channelsText: String {
        guard let channels else { return "default" }
        return channels.isEmpty ? "none" : NotificationChannel.allCases.filter(channels.contains).map(\.rawValue).joined(separator: ",")
    }

    /// Reads ``channelsText``'s forms (`text` for `sms` too); nil when it is none of them.
    public static func channels(parsing text: String) -> Set<NotificationChannel>?? {
        switch text.lowercased() {
        case "default": return .some(nil)
        case "none": return .some([])
        default:
            var out = Set<NotificationChannel>()
            for name in text.lowercased().split(separator: ",") {
                switch name {
                case "email", "e-mail", "mail": out.insert(.email)
                case "sms", "text": out.insert(.sms)
                default: return nil
                }
            }
            return out.isEmpty ? nil : .some(out)
        }
    }

    /// The notices for one person after their choice of channels: the same notice on each chosen
    /// channel they can be reached on (all of them when `channels` is nil, as the audience chose).
    public func apply(to notices: [Notice]) -> [Notice] {
        guard let channels, let first = notices.first else { return notices }
        let person = first.recipient
        let reachable = NotificationChannel.allCases.filter { channels.contains($0) && ($0 == .email ? person.email != nil : person.phone != nil) }
        return reachable.map { Notice(kind: first.kind, recipient: person, channel: $0, urgent: first.urgent) }
    }
}

extension DeliveryQueue {
    /// The stored preference of `user`, or nil (the defaults).
    public func preference(of user: UserID) throws -> NotificationPreference? {
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
