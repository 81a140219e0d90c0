/// One notification decided: what about, to whom, on which channel.
public struct Notice: Sendable, Hashable {
    public var kind: NotificationKind
    public var recipient: Recipient
    public var channel: NotificationChannel
    /// P1/P2 on creation and SLA breaches: they also go by text message.
    public var urgent: Bool

    public init(kind: NotificationKind, recipient: Recipient, channel: NotificationChannel, urgent: Bool) {
        self.kind = kind
        self.recipient = recipient
        self.channel = channel
        self.urgent = urgent
    }
}
