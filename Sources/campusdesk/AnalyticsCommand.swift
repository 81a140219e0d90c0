import Domain
import Logging
import SpoolBroker
import NATSBroker
import Analytics
import ServiceLifecycle
import HTTPServer
import Foundation

/// `campusdesk analytics <open-tickets|resolution-time|category-load|service-levels>`: runs one analytics worker.
///
/// Reads `CAMPUSDESK_SPOOL`, `CAMPUSDESK_DATA` and `CAMPUSDESK_TZ`; keeps its state in
/// `<data>/analytics-<service>.db`. SIGTERM/SIGINT stop it gracefully (exit 0); a second signal exits at once.
enum AnalyticsCommand {
    static let usage = "usage: campusdesk analytics <open-tickets|resolution-time|category-load|service-levels>\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk analytics", usage: usage) { args throws(CommandLineError) in
            guard let name = args.next() else { throw .usage("") }
            guard let service = AnalyticsService(rawValue: name) else { throw .usage("campusdesk analytics: no service '\(name.prefix(40))'") }
            try args.expectEnd()
            let config = try Configuration.fromCommandLine("campusdesk analytics")
            let logger = Logger(component: "analytics.\(service.rawValue)")
            switch service {
            case .openTickets: return await run(OpenTicketsAggregate.self, config, logger)
            case .resolutionTime: return await run(ResolutionTimeAggregate.self, config, logger)
            case .categoryLoad: return await run(CategoryLoadAggregate.self, config, logger)
            case .serviceLevels: return await run(ServiceLevelsAggregate.self, config, logger)
            }
        }
    }

    static func run<A: PersistedAggregate>(_: A.Type, _ config: Configuration, _ logger: Logger) async -> Int32 {
        await ServiceRunner.run(logger: logger, note: "stopping after the batch in hand") {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "analytics", logger: Logger(component: "spool"))
            return try AnalyticsWorker<A>(
                broker: broker, statePath: AnalyticsState<A>.path(inDataDirectory: config.dataDirectory),
                timeZone: config.timeZone, logger: logger)
        }
    }
}
