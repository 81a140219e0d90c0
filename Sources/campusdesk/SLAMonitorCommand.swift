import Domain
import Logging
import SpoolBroker
import NATSBroker
import SLAMonitor
import ServiceLifecycle
import Foundation

/// `campusdesk sla-monitor`: runs the SLA monitor.
///
/// Reads `CAMPUSDESK_SPOOL` and `CAMPUSDESK_DATA`; keeps its state in `<data>/sla-monitor.state`.
/// SIGTERM/SIGINT stop it gracefully (exit 0) after saving its state; a second signal exits at once.
enum SLAMonitorCommand {
    static let usage = "usage: campusdesk sla-monitor\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk sla-monitor", usage: usage) { args throws(CommandLineError) in
            try args.expectEnd()
            let config = try Configuration.fromCommandLine("campusdesk sla-monitor")
            let logger = Logger(component: "sla-monitor")
            return await ServiceRunner.run(logger: logger, note: "stopping after saving the state") {
                try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
                let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "sla-monitor", logger: Logger(component: "spool"))
                return try SLAMonitor(broker: broker, statePath: SLAStateFile.path(inDataDirectory: config.dataDirectory), logger: logger)
            }
        }
    }
}
