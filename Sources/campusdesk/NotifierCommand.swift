import Domain
import Logging
import SpoolBroker
import NATSBroker
import TicketStore
import Notifier
import ServiceLifecycle
import RemoteFiles
import Foundation

/// `campusdesk notifier`: runs the notifier (docs/notifications.md).
///
/// Reads `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA`, `CAMPUSDESK_TZ` (contact windows), and the notifier's own variables
/// (``NotifierConfiguration``); keeps its queue and the web inboxes in `<data>/notifications.db`
/// (people's marks and preferences arrive on `notifier.commands`), and without
/// `CAMPUSDESK_SMTP` writes into `<data>/outbox/`. On NATS it also answers the inbox queries of
/// gateways on other machines (``InboxQueryServer``, its own connection; docs/nats.md). SIGTERM/SIGINT stop it after the batch in hand.
enum NotifierCommand {
    static let usage = "usage: campusdesk notifier\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk notifier", usage: usage) { args throws(CommandLineError) in
            try args.expectEnd()
            let config = try Configuration.fromCommandLine("campusdesk notifier")
            let settings: NotifierConfiguration
            do {
                settings = try NotifierConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            } catch {
                throw .usage("campusdesk notifier: \(error)")
            }
            let logger = Logger(component: "notifier")
            return await ServiceRunner.run(logger: logger, note: "stopping after the batch in hand") {
                try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
                let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "notifier", logger: Logger(component: "spool"))
                let outbox = try Outbox(directory: NotifierConfiguration.outboxPath(inDataDirectory: config.dataDirectory))
                let dispatcher = Dispatcher(relay: settings.relay, outbox: outbox, from: MailMessage.Address(name: "CampusDesk", email: settings.from),
                                            webhook: settings.webhook)
                var options = Notifier.Settings()
                options.baseURL = settings.publicURL
                options.timeZone = config.timeZone
                let notifier = try Notifier(broker: broker, queuePath: NotifierConfiguration.queuePath(inDataDirectory: config.dataDirectory),
                                            context: TicketReaderContext(reader: TicketReader(openingLazily: config.ticketDatabasePath)),
                                            dispatcher: dispatcher, logger: logger, settings: options)
                guard let url = config.brokerURL, !url.isEmpty else { return RespondingService(notifier, stopResponders: {}) }
                let inbox = try InboxQueryServer(url: url, name: "notifier.inbox", notificationsPath: NotifierConfiguration.queuePath(inDataDirectory: config.dataDirectory),
                                                 logger: Logger(component: "inbox-queries"))
                return RespondingService(notifier, stopResponders: { inbox.close() })
            }
        }
    }
}
