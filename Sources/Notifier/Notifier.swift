import Foundation
import Domain
import Logging
import SpoolBroker

/// The notifier as a process: follows the change events on `events.notifier`, turns each into
/// stored notifications (``Audience``, ``Templates``, ``DeliveryQueue``) and web inbox entries
/// (``Inbox``), sends what is due, and applies people's ``InboxCommand``s from `notifier.commands`
/// (the gateway's only way to change `notifications.db`, whose one writer this is).
///
/// Order, so that nothing is lost and nothing sent twice by our doing: an event's notifications
/// are stored (one transaction, idempotency keys) before the event is acked; a redelivered event
/// stores nothing new. A notification is marked sent after its channel accepted it; a kill between
/// the two resends it once (the same Message-ID), which SMTP itself cannot tell (docs/notifications.md).
///
/// A fresh notifier does not ask for a replay: people are told of what happens from the moment
/// its queue is bound, not of the desk's whole history.
public actor Notifier {
    public struct Settings: Sendable {
        public var eventBatch = 200
        public var deliveryBatch = 100
        /// The longest wait for events before due notifications are looked at again.
        public var maxWait: Duration = .milliseconds(500)
        /// The ticket link's base, `CAMPUSDESK_PUBLIC_URL`.
        public var baseURL = "http://127.0.0.1:8080"
        /// The campus's wall clock (`CAMPUSDESK_TZ`), on which contact windows are read.
        public var timeZone: TimeZone = .gmt
        public init() {}
    }

    /// The queue the notifier's events arrive on, bound to the `events` exchange.
    public static let eventQueue: QueueName = .notifierEvents

    private let queue: DeliveryQueue
    private let events: any MessageConsumer
    /// People's changes to their own inbox and preferences (``InboxCommand``), from the gateway.
    private let commands: any MessageConsumer
    private let broker: any MessageBroker
    private let context: any TicketContext
    private let dispatcher: Dispatcher
    private let clock: any WallClock
    private let logger: Logger
    private let settings: Settings
    private let decoder = JSONDecoder()
    private let sender = DispatchQueue(label: "campusdesk.notifier.send")
    /// Channels whose relay could not be reached, not tried again before the instant.
    private var pausedUntil: [NotificationChannel: Timestamp] = [:]
    /// Notifications sent since start.
    public private(set) var sent = 0

    /// Opens its own connection to the queue at `queuePath` (its one owner), binds `events.notifier`
    /// to the `events` exchange.
    public init(broker: any MessageBroker, queuePath: String, policy: DeliveryQueue.RetryPolicy = .init(), context: any TicketContext,
                dispatcher: Dispatcher, clock: any WallClock = SystemClock(), logger: Logger, settings: Settings = Settings()) throws {
        try broker.bind(Self.eventQueue, to: .events)
        events = try broker.consumer(of: Self.eventQueue)
        commands = try broker.consumer(of: InboxCommand.queue())
        self.broker = broker
        queue = try DeliveryQueue(path: queuePath, policy: policy)
        self.context = context
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger
        self.settings = settings
    }

    /// Runs until `shouldStop` returns true (checked at least every `maxWait`): events and
    /// sending in one loop, people's inbox commands in another (each waits on its own queue, so a
    /// "mark read" is answered at once, not after the events' wait), as the analytics workers do.
    public func run(shouldStop: @escaping @Sendable () -> Bool) async throws {
        try events.recoverClaims()
        try commands.recoverClaims()
        logger.info("notifier started", ["smtp": dispatcher.relay.map { "\($0.host):\($0.port)" } ?? "maildir",
                                         "webhook": dispatcher.webhook.map { $0.url.host ?? "?" } ?? "none"])
        let (events, commands, settings) = (self.events, self.commands, self.settings)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                while !shouldStop(), !Task.isCancelled {
                    let batch = try await events.messages(max: settings.eventBatch, timeout: await self.waitTime())
                    if !batch.isEmpty { try await self.handle(batch) }
                    try await self.deliverDue()
                }
            }
            group.addTask {
                while !shouldStop(), !Task.isCancelled {
                    let batch = try await commands.messages(max: 50, timeout: settings.maxWait)
                    if !batch.isEmpty { try await self.handleCommands(batch) }
                }
            }
        }
        logger.info("notifier stopped", ["notifications.sent": String(sent)])
    }

    /// Stores the notifications of each event, then acks it.
    public func handle(_ deliveries: [Delivery]) async throws {
        for delivery in deliveries {
            let event: ChangeEvent
            do {
                event = try decoder.decode(ChangeEvent.self, from: delivery.envelope.body)
            } catch {
                logger.error("event rejected", ["envelope.id": delivery.envelope.id.rawValue])
                try events.reject(delivery, reason: "not a change event: \(String(describing: error).prefix(200))")
                continue
            }
            let added = try await store(event)
            try events.ack(delivery)
            if added > 0 { logger.info("notifications stored", ["event.seq": event.seq.description, "count": String(added)]) }
        }
    }

    /// Decides and stores the notifications of one event; returns how many were new.
    @discardableResult
    public func store(_ event: ChangeEvent) async throws -> Int {
        // Most events (edits, triage, imports) tell nobody: no need to read the ticket for them.
        guard Audience.concerns(event) else { return 0 }
        guard let (ticket, directory) = try await context.context(for: event) else { return 0 }
        let now = clock.now()
        let reporter = Audience.reporter(ticket, directory)?.key
        guard let decision = Audience.decide(event, ticket: ticket, directory: directory) else { return 0 }
        // The web channel: one inbox entry per person with an inbox, whatever their channels and
        // quiet hours (an inbox interrupts nobody), stored in the same transaction as the rest.
        let inboxText = Templates.render(decision.kind, ticket: ticket, baseURL: settings.baseURL)
        var inboxes = Set<String>()
        let inbox = decision.people.compactMap { person -> Inbox.NewEntry? in
            guard let key = person.inboxKey, inboxes.insert(key).inserted else { return nil }
            return Inbox.NewEntry(recipientKey: key, eventSeq: event.seq.rawValue, ticketID: event.ticketID, kind: decision.kind,
                                  subject: inboxText.subject, excerpt: Templates.inboxExcerpt(decision.kind, ticket: ticket))
        }
        // Each person's choice of channels (stored preferences), in the audience's order.
        var notices: [Notice] = []
        var quiet: [String: ContactWindow] = [:]
        let decided = Audience.notices(for: event, ticket: ticket, directory: directory)
        var people: [String] = []
        for notice in decided where !people.contains(notice.recipient.key) { people.append(notice.recipient.key) }
        for key in people {
            let theirs = decided.filter { $0.recipient.key == key }
            guard let user = theirs[0].recipient.userID, let preference = try queue.preference(of: user) else {
                notices += theirs
                continue
            }
            quiet[key] = preference.quietHours
            notices += preference.apply(to: theirs)
        }
        var items = notices.map { notice in
            let text = Templates.render(notice.kind, ticket: ticket, baseURL: settings.baseURL)
            var item = DeliveryQueue.NewItem(eventSeq: event.seq.rawValue, ticketID: event.ticketID, kind: notice.kind, channel: notice.channel,
                                             recipient: notice.recipient, subject: text.subject, body: text.body)
            item.notBefore = Self.waitUntil(notice, ticket: ticket, isReporter: notice.recipient.key == reporter,
                                            quietHours: quiet[notice.recipient.key], timeZone: settings.timeZone, now: now)
            return item
        }
        if dispatcher.webhook != nil {
            items += Self.webhookItems(decided, event: event, ticket: ticket, baseURL: settings.baseURL)
        }
        return try queue.enqueue(items, inbox: inbox, now: now)
    }

    // MARK: - People's commands

    /// Applies each inbox command and answers it; a command that cannot be read is a dead letter.
    public func handleCommands(_ deliveries: [Delivery]) async throws {
        for delivery in deliveries {
            let reply: InboxReply
            do {
                reply = try apply(try delivery.envelope.decodeBody(InboxCommand.self))
            } catch let error as DecodingError {
                logger.error("inbox command rejected", ["envelope.id": delivery.envelope.id.rawValue])
                try commands.reject(delivery, reason: "not an inbox command: \(String(describing: error).prefix(200))")
                continue
            }
            if let replyTo = delivery.envelope.replyTo {
                do {
                    try broker.reply(to: delivery.envelope, type: InboxCommand.replyType, body: reply, sentAt: clock.now())
                } catch {
                    // Applied already: the asker times out and says "will be applied", which it was.
                    logger.warning("inbox reply failed", ["reply_to": replyTo.rawValue, "error": error.description])
                }
            }
            try commands.ack(delivery)
        }
    }

    /// Applies one person's command after checking it is theirs (``InboxCommand/refusal``).
    public func apply(_ command: InboxCommand) throws -> InboxReply {
        if let refusal = command.refusal {
            logger.warning("inbox command refused", ["reason": refusal])
            return InboxReply(refusal: refusal)
        }
        let now = clock.now()
        switch command.action {
        case .markRead(let ids):
            let found = try queue.markRead(ids, of: command.inbox, now: now)
            return found == Set(ids).count ? InboxReply(changed: found) : InboxReply(refusal: "no such notification in this inbox", changed: found)
        case .markAllRead(let through):
            return InboxReply(changed: try queue.markAllRead(of: command.inbox, throughID: through, now: now))
        case .setPreference(let channels, let quiet):
            // `refusal` checked the three: a person with an account, channels and quiet hours that parse.
            guard let user = command.userID, let parsed = NotificationPreference.channels(parsing: channels) else {
                return InboxReply(refusal: "preferences belong to accounts")
            }
            try queue.setPreference(NotificationPreference(userID: user, channels: parsed, quietHours: quiet.flatMap(ContactWindow.init(parsing:))))
            return InboxReply(changed: 1)
        }
    }

    /// The webhook's notifications of one event: one per person the audience decided to tell (not
    /// one per channel), whatever channels they chose and at once: the webhook is the desk's chat,
    /// not the person's inbox, so their preferences and contact window do not apply to it.
    static func webhookItems(_ decided: [Notice], event: ChangeEvent, ticket: TicketSnapshot, baseURL: String) -> [DeliveryQueue.NewItem] {
        var seen = Set<String>()
        return decided.filter { seen.insert($0.recipient.key).inserted }.map { notice in
            let text = Templates.render(notice.kind, ticket: ticket, baseURL: baseURL)
            return DeliveryQueue.NewItem(eventSeq: event.seq.rawValue, ticketID: event.ticketID, kind: notice.kind, channel: .webhook,
                                         recipient: notice.recipient, subject: text.subject, body: text.body)
        }
    }

    /// When a notice may first be tried: the next instant inside the ticket's preferred contact
    /// window (for its reporter only) and outside the person's quiet hours; nil (at once) when that
    /// is now, when neither applies or it never opens, and always for P1 tickets, SLA breaches and
    /// the other urgent notices.
    public static func waitUntil(_ notice: Notice, ticket: TicketSnapshot, isReporter: Bool, quietHours: ContactWindow? = nil,
                                 timeZone: TimeZone, now: Timestamp) -> Timestamp? {
        let window = isReporter ? ticket.preferredContactTime : nil
        guard window != nil || quietHours != nil, !notice.urgent, ticket.priority != .p1, notice.kind != .slaBreached,
              let opening = ContactSchedule(window: window, quietHours: quietHours, timeZone: timeZone).nextOpening(atOrAfter: now),
              opening > now else { return nil }
        return opening
    }

    /// Sends every notification due now, batch by batch, recording each outcome.
    public func deliverDue() async throws {
        while true {
            let now = clock.now()
            pausedUntil = pausedUntil.filter { $0.value > now }
            let due = try queue.due(now: now, limit: settings.deliveryBatch, excluding: Set(pausedUntil.keys).union(unconfigured))
            guard !due.isEmpty else { return }
            var skipped = Set<NotificationChannel>()
            var done = Set<Int64>()
            for first in due where !done.contains(first.id) {
                guard !skipped.contains(first.channel) else { continue }
                // Those that waited for the reporter's contact window go as one message.
                let group = try queue.waitingTogether(with: first, now: now)
                done.formUnion(group.map(\.id))
                var message = first
                if group.count > 1 {
                    let text = Templates.combined(group.map { Templates.Text(subject: $0.subject, body: $0.body) }, ticketID: first.ticketID)
                    (message.subject, message.body) = (text.subject, text.body)
                }
                let item = message
                // One at a time, each outcome recorded before the next send: a kill -9 resends at
                // most the one message in flight, never the rest of a batch.
                let dispatcher = self.dispatcher
                let outcome = await withCheckedContinuation { (c: CheckedContinuation<Dispatcher.Outcome, Never>) in
                    sender.async { c.resume(returning: dispatcher.deliver([item], now: now)[0]) }
                }
                let ids = group.map { String($0.id) }.joined(separator: ",")
                switch outcome {
                case .sent:
                    try queue.markSent(group.map(\.id), now: now)
                    sent += group.count
                    logger.info("notification sent", ["notification.id": ids, "channel": item.channel.rawValue, "kind": item.kind.rawValue])
                case .failed(let permanent, let reason, let relayUnreachable):
                    var state = DeliveryQueue.State.pending
                    for part in group { state = try queue.markFailed(part.id, permanent: permanent, reason: reason, now: now) }
                    logger.warning("notification failed", ["notification.id": ids, "channel": item.channel.rawValue,
                                                           "state": state.rawValue, "error": String(reason.prefix(200))])
                    if relayUnreachable { skipped.insert(item.channel) }
                case .skipped:
                    skipped.insert(item.channel)
                }
            }
            // Skipped rows are still due: their channel rests for the first backoff step instead
            // of knocking on a dead relay in a loop, while the other channels go on.
            for channel in skipped { pausedUntil[channel] = now.adding(milliseconds: queue.policy.delay(afterAttempt: 1)) }
            if !skipped.isEmpty || due.count < settings.deliveryBatch { return }
        }
    }

    /// Channels with nowhere to go in this process: the webhook without a URL. Rows stored while one
    /// was set stay pending, untried and uncounted, until a notifier with a URL runs.
    private var unconfigured: Set<NotificationChannel> { dispatcher.webhook == nil ? [.webhook] : [] }

    private func waitTime() -> Duration {
        let paused = Set(pausedUntil.keys).union(unconfigured)
        // A failing read here fails again in `deliverDue`, which throws it; here it only shortens the wait.
        guard let next = try? queue.nextDue(excluding: paused) else { return settings.maxWait }
        let ms = max(0, next.millisecondsSinceEpoch - clock.now().millisecondsSinceEpoch)
        return min(.milliseconds(ms), settings.maxWait)
    }
}
