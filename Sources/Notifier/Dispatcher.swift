import Foundation
import Domain

/// Sends stored notifications on their channels: e-mail to the SMTP relay (or the Maildir mock
/// when none is set), texts to the `sms.jsonl` mock, webhook notices to `CAMPUSDESK_WEBHOOK_URL`.
///
/// Calls block (sockets, fsync): run ``deliver(_:now:)`` on a thread of its own. Once the relay
/// cannot be reached, the batch's other e-mails are not tried (they stay due and are tried on a
/// later pass) while the texts go on: a dead relay never blocks the other channels.
public struct Dispatcher: Sendable {
    /// What happened to one notification in a batch.
    public enum Outcome: Sendable, Equatable {
        case sent
        /// `relayUnreachable`: the channel itself failed (no connection, the mock's disk), so its
        /// other notifications need not be tried this round.
        case failed(permanent: Bool, reason: String, relayUnreachable: Bool)
        /// Not tried: its channel's relay failed earlier in the batch.
        case skipped
    }

    /// The relay, or nil for the Maildir mock.
    public var relay: SMTPRelay?
    public var outbox: Outbox
    /// The sender of every e-mail (`CAMPUSDESK_MAIL_FROM`).
    public var from: MailMessage.Address
    /// The right-hand side of every Message-ID: the sender's domain unless given.
    public var messageIDDomain: String
    /// Where webhook notices go; nil: the notifier stores none.
    public var webhook: Webhook?

    public init(relay: SMTPRelay?, outbox: Outbox, from: MailMessage.Address, messageIDDomain: String? = nil, webhook: Webhook? = nil) {
        self.relay = relay
        self.outbox = outbox
        self.from = from
        self.webhook = webhook
        self.messageIDDomain = messageIDDomain ?? from.email.split(separator: "@").last.map(String.init) ?? "campusdesk"
    }

    /// Tries each notification once, in order; one outcome each, in the same order.
    public func deliver(_ items: [DeliveryQueue.Item], now: Timestamp) -> [Outcome] {
        var blocked = Set<NotificationChannel>()
        return items.map { item in
            guard !blocked.contains(item.channel) else { return .skipped }
            do {
                switch item.channel {
                case .email:
                    let mail = message(for: item, now: now)
                    if let relay {
                        try SMTPClient(relay: relay).send(mail.bytes, from: from.email, to: [item.address])
                    } else {
                        try outbox.deliver(mail.bytes, at: now.date)
                    }
                case .sms:
                    try outbox.send(Outbox.TextMessage(id: item.key, to: item.address, body: "\(item.subject)\n\(item.body)", at: now.iso8601))
                case .web:
                    // Inbox entries are stored with the event (DeliveryQueue.enqueue), never queued for sending.
                    return .failed(permanent: true, reason: "web notifications are inbox entries, not sent", relayUnreachable: false)
                case .webhook:
                    // Stored while a URL was set, which is gone now (the notifier does not hand these over then).
                    guard let webhook else {
                        blocked.insert(item.channel)
                        return .failed(permanent: false, reason: "webhook: CAMPUSDESK_WEBHOOK_URL is not set", relayUnreachable: true)
                    }
                    try webhook.post(item)
                }
                return .sent
            } catch let error as WebhookError {
                if error.connectionLevel { blocked.insert(item.channel) }
                return .failed(permanent: error.kind == .permanent, reason: error.description, relayUnreachable: error.connectionLevel)
            } catch let error as SMTPError {
                if error.connectionLevel { blocked.insert(item.channel) }
                return .failed(permanent: error.kind == .permanent, reason: error.description, relayUnreachable: error.connectionLevel)
            } catch {
                // The mock's disk (full, read-only): try again later, the other channel goes on.
                blocked.insert(item.channel)
                return .failed(permanent: false, reason: String(describing: error), relayUnreachable: true)
            }
        }
    }

    /// The e-mail for a stored notification; its Message-ID follows from the row, so a resend
    /// after a lost reply to DATA carries the same one (receivers may drop the copy).
    public func message(for item: DeliveryQueue.Item, now: Timestamp) -> MailMessage {
        MailMessage(from: from, to: MailMessage.Address(name: item.recipientName, email: item.address), subject: item.subject,
                    body: item.body, date: now, messageID: "notification-\(item.id).\(item.eventSeq)@\(messageIDDomain)")
    }
}
