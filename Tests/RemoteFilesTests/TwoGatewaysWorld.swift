import Analytics
import Domain
import Fixtures
import Foundation
import HTTPServer
import Logging
import NATSBroker
import Notifier
import ServiceLifecycle
import SpoolBroker
import TestSupport
import TicketService
import TicketStore
import WebGateway
@testable import RemoteFiles

/// A NATS deployment in one test process: a real `nats-server -js`, the real ticket worker on it
/// with the attachment home beside it (its data directory), and gateways each with a data
/// directory of its own and `RemoteAttachmentHome`, behind the real HTTP server, sending commands
/// over the broker. (Each gateway reads `tickets.db` of the worker's directory: keeping a replica of
/// it is another part of issue 19; this world is about the files.)
final class TwoGatewaysWorld {
    let dir: TemporaryDirectory
    let server: NATSServerProcess
    let home: AttachmentHomeServer
    let workerFiles: AttachmentFiles
    private let stop = StopFlag()
    private let workerTask: Task<Void, any Error>
    private var served: [(server: Server, task: Task<Void, Never>, requester: RequestClient, remote: RemoteAttachmentHome)] = []

    init() throws {
        dir = try TemporaryDirectory("two-gateways")
        server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        try FileManager.default.createDirectory(atPath: dir.path("worker"), withIntermediateDirectories: true)
        let store = try TicketStore(path: dir.path("worker/tickets.db"), classifier: KeywordClassifier(), clock: SystemClock(), synchronous: .normal)
        let worker = try TicketWorker(store: store, broker: try NATSMessageBroker(url: server.url, name: "ticket-worker"),
                                      logger: Logger(component: "ticket-worker", minimumLevel: .error))
        let stop = self.stop
        workerTask = Task(executorPreference: DedicatedThreads.shared) { try await worker.run(shouldStop: { stop.isSet }) }
        workerFiles = AttachmentFiles(dataDirectory: dir.path("worker"))
        home = try AttachmentHomeServer(url: server.url, name: "ticket-worker.files", files: workerFiles, maxFileBytes: 10 << 20,
                                        logger: Logger(component: "attachment-home", minimumLevel: .error))
    }

    /// A gateway with its own data directory `name`, served on a free port; `inbox` its inboxes' read side.
    func gateway(_ name: String, inbox: (any InboxReading)? = nil) throws -> (port: UInt16, files: AttachmentFiles) {
        try FileManager.default.createDirectory(atPath: dir.path(name), withIntermediateDirectories: true)
        let logger = Logger(component: name, minimumLevel: .error)
        let requester = try RequestClient(broker: try NATSMessageBroker(url: server.url, name: name), processName: name,
                                          options: .init(groupCommit: true), logger: logger)
        let tickets = TicketReader(openingLazily: dir.path("worker/tickets.db"))
        let analytics = BrokerAnalyticsQuerying(client: AnalyticsClient(requester: requester))
        let remote = try RemoteAttachmentHome(url: server.url, name: name + ".files", maxFileBytes: 10 << 20)
        let gateway = Gateway(
            configuration: Configuration(dataDirectory: dir.path(name)), tickets: tickets, commands: BrokerCommandSender(client: requester, logger: logger),
            analytics: analytics, readiness: BrokerReadinessProbe(client: requester, analytics: analytics, tickets: tickets),
            csrfSecret: Array("test-secret-0123456789".utf8), settings: GatewaySettings(commandTimeout: TestTime.scaled(.seconds(20))),
            logger: logger, inbox: inbox, attachmentHome: remote)
        let http = try Server(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, streamingBody: gateway.streamingBody), handler: gateway.handler)
        let task = Task(executorPreference: DedicatedThreads.shared) { await http.run() }
        served.append((http, task, requester, remote))
        return (http.port, AttachmentFiles(dataDirectory: dir.path(name)))
    }

    /// Stops the gateways, the home and the worker, and removes the directory.
    func close() async throws {
        for s in served {
            s.server.shutdown()
            await s.task.value
            s.requester.close()
            s.remote.connection.close()
        }
        home.close()
        stop.set()
        try await workerTask.value
        server.stop()
        dir.remove()
    }
}
