import Domain
import Logging
import SpoolBroker
import NATSBroker
import ServiceLifecycle
import Foundation

/// The operator's changes from the command line (`campusdesk users`, `campusdesk issue-types`):
/// a command as role admin with no account, channel `cli`, on the commands queue, answered by the
/// ticket worker like every change (which checks it again and audits it).
enum OperatorCommand {
    /// Sends `action` and waits up to `wait` seconds for the reply; a refusal or no answer is a
    /// failure (exit 1) with a sentence for the operator that starts with `what` ("campusdesk users add").
    static func send(_ action: CommandAction, config: Configuration, wait: Int, what: String) async throws(CommandLineError) -> CommandReply {
        var logger = Logger(component: "operator")
        logger.minimumLevel = .warning
        let client: RequestClient
        let envelope: Envelope
        do {
            let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "operator", logger: logger)
            client = try RequestClient(broker: broker, processName: "operator", logger: logger)
            envelope = try Envelope(type: TicketWorkerMessageType.command, body: Command(role: .admin, action: action, channel: .cli), sentAt: SystemClock().now())
        } catch {
            throw .failure("\(what): cannot reach \(BrokerFactory.describe(url: config.brokerURL, spoolDirectory: config.spoolDirectory)): \(error)")
        }
        defer { client.close() }
        let answer: Envelope
        do {
            answer = try await client.request(envelope, to: .commands, timeout: .seconds(wait))
        } catch {
            switch error {
            case .timedOut, .cancelled:
                throw .failure("""
                    \(what): the ticket worker did not answer within \(wait) s; it must be running \
                    (`campusdesk up`, or `campusdesk ticket-worker`). The command is queued and will be applied when it runs.
                    """)
            case .sendFailed(let e):
                throw .failure("\(what): the command was not sent: \(e)")
            }
        }
        guard answer.type == TicketWorkerMessageType.commandReply, let reply = try? answer.decodeBody(CommandReply.self) else {
            throw .failure("\(what): the ticket worker's answer could not be read")
        }
        if let refusal = reply.refusal {
            throw .failure("\(what): refused by the ticket worker: " + (refusal.field.map { "\($0): " } ?? "") + refusal.reason)
        }
        return reply
    }
}
