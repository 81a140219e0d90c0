import Logging
import SpoolBroker
import TicketStore
import Analytics
import Operations
import ServiceLifecycle
import Dispatch
import Foundation
import HTTPServer
import Synchronization
import WebGateway
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk gateway`: the HTTP process (HTML UI, JSON API, dashboard) wired to the spool and the store.
///
/// Reads `HOST`, `PORT`, `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA`, `CAMPUSDESK_TZ`. Changes go to the
/// ticket worker as commands on the `commands` queue; pages read `<data>/tickets.db` read-only
/// (answering 503 until the worker has created it); the dashboard asks the analytics workers.
/// SIGTERM/SIGINT drain the server and exit 0; a second signal exits 1 at once.
enum GatewayCommand {
    static let usage = "usage: campusdesk gateway   (configured by HOST, PORT, CAMPUSDESK_SPOOL, CAMPUSDESK_DATA, CAMPUSDESK_TZ)\n"

    static func run(_ args: [String]) async -> Int32 {
        if args == ["-h"] || args == ["--help"] {
            print(usage, terminator: "")
            return 0
        }
        guard args.isEmpty else { return fail("campusdesk gateway: unexpected argument '\(args[0].prefix(40))'\n" + usage, 64) }
        let config: Configuration
        do { config = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment) } catch {
            return fail("campusdesk gateway: \(error)\n", 64)
        }
        guard let port = UInt16(exactly: config.port) else { return fail("campusdesk gateway: invalid PORT\n", 64) }
        let logger = Logger(component: "gateway")

        let spool: Spool
        let requester: Requester
        do {
            spool = try Spool(root: config.spoolDirectory, logger: Logger(component: "spool"))
            requester = try Requester(spool: spool, processName: "gateway")
        } catch {
            logger.error("spool not usable", ["spool.path": config.spoolDirectory, "error": error.description])
            return 1
        }
        defer { requester.close() }
        let batcher: CommandBatcher
        do { batcher = try CommandBatcher(spool: spool, logger: logger) } catch {
            logger.error("spool not usable", ["spool.path": config.spoolDirectory, "error": error.description])
            return 1
        }
        defer { batcher.close() }

        let tickets = TicketReader(openingLazily: config.ticketDatabasePath)
        let analyticsClient = AnalyticsClient(requester: requester)
        let analytics = SpoolAnalyticsQuerying(client: analyticsClient)
        let gateway = Gateway(
            configuration: config, tickets: tickets,
            commands: SpoolCommandSender(batcher: batcher, logger: logger),
            analytics: CoalescingAnalytics(analytics),
            readiness: SpoolReadinessProbe(requester: requester, analytics: analytics, tickets: tickets),
            csrfSecret: randomSecret(), logger: logger)

        let requestLog = RequestLog(component: "gateway")
        defer { requestLog.close() }
        let handler = chain([GatewayRequestLog.middleware(requestLog)], gateway.handler)
        let server: Server
        do {
            server = try Server(configuration: ServerConfiguration(host: config.host, port: port, log: { logger.http($0) }), handler: handler)
        } catch {
            logger.error("cannot listen", ["http.host": config.host, "http.port": String(port), "error": "\(error)"])
            return 1
        }
        let signals = GatewaySignals(logger: logger) { server.shutdown() }
        // Freed heap goes back to the kernel after a burst (docs/performance.md, gateway memory).
        let trimmer = HeapTrimmer.start(every: 5)
        defer { trimmer.cancel() }
        await server.run()
        requestLog.flush()
        signals.cancel()
        logger.info("gateway stopped")
        return 0
    }

    /// 32 bytes from the system CSPRNG (getrandom(2)): tokens of an earlier process stop working.
    static func randomSecret() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    private static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }
}

/// SIGTERM/SIGINT through dispatch sources (never work inside a signal handler): first drains, second exits 1.
///
/// Owned by `GatewayCommand.run` for the life of the server; the sources live as long as it does.
final class GatewaySignals {
    private let sources: [any DispatchSourceSignal]

    init(logger: Logger, onFirst: @escaping @Sendable () -> Void) {
        let seen = Atomic<Bool>(false)
        sources = [SIGTERM, SIGINT].map { signo in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                if seen.exchange(true, ordering: .relaxed) {
                    logger.warning("second signal, exiting now", ["signal": String(signo)])
                    exit(1)
                }
                logger.info("stop requested, draining connections", ["signal": String(signo)])
                onFirst()
            }
            source.resume()
            return source
        }
    }

    func cancel() { for s in sources { s.cancel() } }
}
