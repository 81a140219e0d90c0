import Logging
import SpoolBroker
import NATSBroker
import TicketStore
import Analytics
import Operations
import ServiceLifecycle
import Foundation
import HTTPServer
import WebGateway
import Credentials
import RemoteFiles
import Notifier
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk gateway`: the HTTP process (HTML UI, JSON API, dashboard) wired to the spool and the store.
///
/// Reads `HOST`, `PORT`, `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA`, `CAMPUSDESK_TZ`, `CAMPUSDESK_AUTH`,
/// the `CAMPUSDESK_ATTACHMENT_MAX_*` limits (docs/operations.md) (`open`: the campus desk, no login; `accounts`: the network desk, login and sessions). Changes go to the
/// ticket worker as commands on the `commands` queue; pages read `<data>/tickets.db` read-only
/// (answering 503 until the worker has created it); the dashboard asks the analytics workers.
/// With `CAMPUSDESK_GATEWAY_FILES=own` (NATS) that file is the gateway's own replica, kept by a
/// `ReplicaFollower`, and each change waits for the replica before it is answered (docs/nats.md).
/// SIGTERM/SIGINT drain the server and exit 0; a second signal exits 1 at once.
enum GatewayCommand {
    static let usage = "usage: campusdesk gateway   (configured by HOST, PORT, CAMPUSDESK_SPOOL, CAMPUSDESK_DATA, CAMPUSDESK_TZ, CAMPUSDESK_AUTH)\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk gateway", usage: usage) { args throws(CommandLineError) in
            try args.expectEnd()
            let config = try Configuration.fromCommandLine("campusdesk gateway")
            guard let port = UInt16(exactly: config.port) else { throw .usage("campusdesk gateway: invalid PORT") }
            return await serve(config: config, port: port)
        }
    }

    static func serve(config: Configuration, port: UInt16) async -> Int32 {
        let logger = Logger(component: "gateway")

        // One request/reply client: commands are group-committed, queries and probes go at once.
        let requester: RequestClient
        // With its own files (CAMPUSDESK_GATEWAY_FILES=own, NATS only): a replica of tickets.db in its
        // data directory, kept from the worker's replication batches (docs/nats.md).
        var follower: ReplicaFollower?
        do {
            let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "gateway", logger: Logger(component: "spool"))
            requester = try RequestClient(broker: broker, processName: "gateway", options: .init(groupCommit: true), logger: logger)
            if config.gatewayFiles == .own, let nats = broker as? NATSMessageBroker {
                do {
                    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
                    follower = try ReplicaFollower(path: config.ticketDatabasePath, source: NATSReplicationSource(stream: try NATSChangeStream(broker: nats)),
                                                   logger: Logger(component: "replica"))
                } catch {
                    logger.error("replica not usable", ["replica.path": config.ticketDatabasePath, "error": String(String(describing: error).prefix(300))])
                    return 1
                }
            }
        } catch {
            logger.error("broker not usable", ["broker": BrokerFactory.describe(url: config.brokerURL, spoolDirectory: config.spoolDirectory),
                                               "error": error.description])
            return 1
        }
        defer { requester.close() }

        let attachments: AttachmentSettings
        switch AttachmentSettings.from(environment: ProcessInfo.processInfo.environment) {
        case .success(let s): attachments = s
        case .failure(let error):
            logger.error("invalid attachment limit", ["error": error.description])
            return 64
        }
        // Gateways on other machines (CAMPUSDESK_GATEWAY_FILES=own): attachments live at the ticket worker's (fetched on
        // demand), the inboxes at the notifier's (asked over request/reply).
        var attachmentHome: any AttachmentHome = LocalAttachmentHome()
        var inbox: (any InboxReading)?
        if config.gatewayFiles == .own, let url = config.brokerURL {
            do {
                attachmentHome = try RemoteAttachmentHome(url: url, name: "gateway.files", maxFileBytes: Int64(attachments.maxFileBytes))
                inbox = try RemoteInboxReader(url: url, name: "gateway.inbox")
            } catch {
                logger.error("NATS not reachable for attachments and inboxes", ["error": "\(error)"])
                return 1
            }
        }
        let tickets = TicketReader(openingLazily: config.ticketDatabasePath, queryTimeLimit: config.queryTimeLimit)
        let analyticsClient = AnalyticsClient(requester: requester)
        let analytics = BrokerAnalyticsQuerying(client: analyticsClient)
        var commands: any CommandSending = BrokerCommandSender(client: requester, logger: logger)
        var readiness: any ReadinessProbing = BrokerReadinessProbe(client: requester, analytics: analytics, tickets: tickets)
        if let follower {
            follower.start()
            commands = ReplicaWaitingCommandSender(inner: commands, replica: follower, logger: logger)
            readiness = ReplicaReadinessProbe(inner: readiness, replica: follower)
        }
        defer { follower?.stop() }
        let gateway = Gateway(
            configuration: config, tickets: tickets,
            commands: commands,
            analytics: CoalescingAnalytics(analytics),
            readiness: readiness,
            csrfSecret: randomSecret(), settings: GatewaySettings(attachments: attachments), logger: logger,
            inbox: inbox, inboxCommands: BrokerInboxCommandSender(client: requester, logger: logger), attachmentHome: attachmentHome)

        let requestLog = RequestLog(component: "gateway")
        defer { requestLog.close() }
        let handler = chain([GatewayRequestLog.middleware(requestLog)], gateway.handler)
        let server: Server
        do {
            // Uploads stream to disk with their own, larger limit; every other body keeps the server's.
            let serverConfiguration = ServerConfiguration(host: config.host, port: port, log: { logger.http($0) }, streamingBody: gateway.streamingBody)
            server = try Server(configuration: serverConfiguration, handler: handler)
        } catch {
            logger.error("cannot listen", ["http.host": config.host, "http.port": String(port), "error": "\(error)"])
            return 1
        }
        let stop = StopSignal()
        stop.install(logger: logger, note: "stop requested, draining connections") { _ in server.shutdown() }
        // Freed heap goes back to the kernel after a burst (docs/performance.md, gateway memory).
        let trimmer = HeapTrimmer.start(every: 5)
        defer { trimmer.cancel() }
        await server.run()
        requestLog.flush()
        stop.uninstall()
        logger.info("gateway stopped")
        return 0
    }

    /// 32 bytes from the kernel's CSPRNG: tokens of an earlier process stop working.
    static func randomSecret() -> [UInt8] {
        SecureRandom.bytes(32)
    }
}
