import Domain
import Logging
import SpoolBroker
import NATSBroker
import Classifier
import TicketStore
import TicketService
import ServiceLifecycle
import RemoteFiles
import WebGateway
import HTTPServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk ticket-worker`: the ticket service process (sole writer of `<data>/tickets.db`).
///
/// Reads `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA` and `CAMPUSDESK_AUTH` (which commands need an account,
/// docs/roles.md). On NATS (`CAMPUSDESK_BROKER`) it also publishes `tickets.db`'s replication batches
/// and is the home of the attachment files for gateways on other machines (``AttachmentHomeServer``,
/// its own connection and threads; docs/nats.md). SIGTERM/SIGINT stop claiming, finish the batch
/// in hand and exit 0; a second signal exits at once (1): nothing is lost, unacked messages are
/// redelivered to the next worker.
enum TicketWorkerCommand {
    static let usage = "usage: campusdesk ticket-worker\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk ticket-worker", usage: usage) { args throws(CommandLineError) in
            try args.expectEnd()
            let config = try Configuration.fromCommandLine("campusdesk ticket-worker")
            let logger = Logger(component: "ticket-worker")
            return await ServiceRunner.run(logger: logger, note: "stop requested, finishing the batch in hand") {
                try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
                // One model files tickets, suggests severity and learns from staff overrides.
                let model = try TriageModel.standard()
                let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "ticket-worker", logger: Logger(component: "spool"))
                // On NATS the store always replicates: a gateway with its own files may join at any
                // time and replays the stream from batch 1 (docs/nats.md, "Gateways on other machines").
                let replication = try (broker as? NATSMessageBroker).map { NATSReplicationPublisher(stream: try NATSChangeStream(broker: $0)) }
                let store = try TicketStore(path: config.ticketDatabasePath, classifier: model, clock: SystemClock(),
                                            authMode: config.authMode, triage: model, timeZone: config.timeZone,
                                            replicating: replication != nil)
                let worker = try TicketWorker(store: store, broker: broker, logger: logger, replication: replication)
                guard let url = config.brokerURL, !url.isEmpty else { return RespondingService(worker, stopResponders: {}) }
                // The gateways' limit, so the home refuses what they would (an invalid value stops the worker, as it stops a gateway).
                let maxFileBytes = try AttachmentSettings.from(environment: ProcessInfo.processInfo.environment).get().maxFileBytes
                let home = try AttachmentHomeServer(url: url, name: "ticket-worker.files", files: AttachmentFiles(dataDirectory: config.dataDirectory),
                                                    maxFileBytes: Int64(maxFileBytes), logger: Logger(component: "attachment-home"))
                return RespondingService(worker, stopResponders: { home.close() })
            }
        }
    }
}
