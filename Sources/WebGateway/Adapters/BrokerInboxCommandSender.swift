import Domain
import Logging
import Notifier
import SpoolBroker

/// The production ``InboxCommandSending``: an `inbox_command` envelope on `notifier.commands`,
/// answered by the notifier with an `inbox_reply`.
///
/// The same request/reply as the ticket worker's commands (``BrokerCommandSender``): durable on the
/// spool before the gateway waits, so a notifier that is restarting applies it when it comes back
/// and the page says "will be applied" rather than "lost" (docs/notifications.md, "The web inbox").
public struct BrokerInboxCommandSender: InboxCommandSending {
    let client: RequestClient
    let clock: any WallClock
    let logger: Logger

    public init(client: RequestClient, clock: any WallClock = SystemClock(), logger: Logger = Logger(component: "gateway")) {
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    public func send(_ command: InboxCommand, timeout: Duration) async -> InboxOutcome {
        let queue: QueueName
        let envelope: Envelope
        do {
            queue = try InboxCommand.queue()
            envelope = try Envelope(type: InboxCommand.messageType, body: command, sentAt: clock.now())
        } catch {
            return .unavailable(reason: "the command could not be encoded")
        }
        let reply: Envelope
        do {
            reply = try await client.request(envelope, to: queue, timeout: timeout)
        } catch {
            switch error {
            case .timedOut, .cancelled: return .queued
            case .sendFailed(let brokerError): return .unavailable(reason: BrokerCommandSender.humanReason(brokerError))
            }
        }
        guard reply.type == InboxCommand.replyType, let body = try? reply.decodeBody(InboxReply.self) else {
            logger.error("unreadable inbox reply", ["reply.type": String(reply.type.prefix(40))])
            return .queued
        }
        return .replied(body)
    }
}
