import Domain
import Logging
import SpoolBroker
import Analytics
import ServiceLifecycle
import HTTPServer
import Foundation
import Synchronization

/// `campusdesk analytics <open-tickets|resolution-time|category-load>`: runs one analytics worker.
///
/// Reads `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA` and `CAMPUSDESK_TZ`; keeps its state in
/// `<data>/analytics-<service>.db`. SIGTERM/SIGINT stop it gracefully (exit 0); a second signal exits at once.
enum AnalyticsCommand {
    static let usage = "usage: campusdesk analytics <open-tickets|resolution-time|category-load>\n"

    static func run(_ args: [String]) async -> Int32 {
        guard args.count == 1, let service = AnalyticsService(rawValue: args[0]) else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 64
        }
        let logger = Logger(component: "analytics.\(service.rawValue)")
        do {
            let config = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment)
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            let broker = try SpoolMessageBroker(root: config.spoolDirectory, logger: Logger(component: "spool"))
            let stop = StopSignal()
            let sources = stop.install(logger: logger)
            defer { sources.forEach { $0.cancel() } }
            switch service {
            case .openTickets: try await runWorker(OpenTicketsAggregate.self, broker, config, logger, stop)
            case .resolutionTime: try await runWorker(ResolutionTimeAggregate.self, broker, config, logger, stop)
            case .categoryLoad: try await runWorker(CategoryLoadAggregate.self, broker, config, logger, stop)
            }
            return 0
        } catch {
            logger.error("analytics worker failed", ["error": String(describing: error).prefix(300).description])
            return 1
        }
    }

    static func runWorker<A: PersistedAggregate>(_: A.Type, _ broker: any MessageBroker, _ config: Configuration, _ logger: Logger, _ stop: StopSignal) async throws {
        let worker = try AnalyticsWorker<A>(
            broker: broker, statePath: AnalyticsState<A>.path(inDataDirectory: config.dataDirectory),
            timeZone: config.timeZone, logger: logger)
        try await worker.run(shouldStop: { stop.isSet })
    }
}

/// A flag set by SIGTERM/SIGINT that the loops poll; the second signal exits immediately.
final class StopSignal: Sendable {
    private let count = Mutex(0)

    var isSet: Bool { count.withLock { $0 > 0 } }

    /// Counts one signal; returns how many have arrived.
    func raise() -> Int {
        count.withLock { n in
            n += 1
            return n
        }
    }

    /// Installs the handlers; keep the returned sources alive as long as the flag is used.
    func install(logger: Logger) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { signo in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                if raise() == 1 {
                    logger.info("stopping after the batch in hand", ["signal": String(signo)])
                } else {
                    exit(1)
                }
            }
            source.resume()
            return source
        }
    }
}
