import Domain
import Notifier

/// Whose web inbox a visitor reads (docs/notifications.md, "Whose inbox").
extension Visitor {
    /// The account's inbox (`user:<id>`: signed in, or picked from the campus desk's staff
    /// directory); on the campus desk, for a visitor who entered with a name, the inbox of this
    /// browser's reporter key (`reporter:<digest>`, ``ReporterKey``), which is how the desk knows
    /// who reported a ticket. nil: nobody known (signed out, or not entered yet).
    var inboxKey: String? {
        if let user { return Inbox.key(user: user.id) }
        guard authMode == .open, name != nil, let digest = ReporterKey.digest(of: self) else { return nil }
        return Inbox.key(reporterKeyDigest: digest)
    }
}
