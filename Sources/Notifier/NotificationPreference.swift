import Domain

/// A person's choices (issue 17, "Preferences"): the channels they are told on, and quiet hours
/// during which their non-urgent notifications wait. Kept in `notifications.db`, set with
/// `campusdesk notify-prefs`.
public struct NotificationPreference: Sendable, Equatable {
    /// The account the preference belongs to (people without an account have none).
    public var userID: UserID
    /// nil: the default rule (``Recipient/channels(urgent:)``); empty: none at all; else exactly
    /// these, where the person has an address or number for them.
    public var channels: Set<NotificationChannel>?
    /// Never told anything non-urgent inside these (read in `CAMPUSDESK_TZ`); nil: none.
    public var quietHours: ContactWindow?

    /// A preference; what is not given is the default.
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

    /// What ``channels(parsing:)`` takes, for refusals.
    public static let channelsRule = "Channels are default, none, email, sms or email,sms."

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
