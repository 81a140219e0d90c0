/// What a notification tells of: one template each (``Templates``), one name each in code, the
/// queue's rows and the docs.
public enum NotificationKind: String, Sendable, Codable, CaseIterable, Hashable {
    case ticketCreated = "ticket_created"
    case ticketAssigned = "ticket_assigned"
    case statusChanged = "status_changed"
    case messagePosted = "message_posted"
    case slaAtRisk = "sla_at_risk"
    case slaBreached = "sla_breached"
}

/// How a notification travels.
public enum NotificationChannel: String, Sendable, Codable, CaseIterable, Hashable {
    /// E-mail: over SMTP to `CAMPUSDESK_SMTP`, or into the Maildir mock (`data/outbox/`).
    case email
    /// A text message: into `data/outbox/sms.jsonl` (no SMS gateway yet).
    case sms
    /// The person's inbox in the web UI (`/notifications`): the `inbox` table, written with the
    /// event's other notifications, never queued, never held by quiet hours (docs/notifications.md).
    case web
    /// A JSON POST to `CAMPUSDESK_WEBHOOK_URL` (a chat tool), one per notice: the desk's channel, not a person's.
    case webhook
}
