import Foundation
import Logging
import SpoolBroker

/// The one place a process turns its configuration into a broker: the spool by default,
/// NATS JetStream when `CAMPUSDESK_BROKER` names servers (`nats://host:port[,host:port...]`).
public enum BrokerFactory {
    /// Opens the broker the process was configured for.
    ///
    /// - Parameters:
    ///   - url: `CAMPUSDESK_BROKER` (nil or empty: the spool at `spoolDirectory`).
    ///   - processName: the NATS connection's name, as the server lists it.
    public static func open(url: String?, spoolDirectory: String, processName: String, logger: Logger) throws(SpoolError) -> any MessageBroker {
        guard let url, !url.isEmpty else { return try SpoolMessageBroker(root: spoolDirectory, logger: logger) }
        // A process started with (or just before) its server, as `up --broker nats` does, waits for
        // it to listen rather than exiting into its supervisor's restart backoff.
        let deadline = ContinuousClock.now.advanced(by: connectPatience)
        while true {
            do { return try NATSMessageBroker(url: url, name: processName) } catch {
                guard error.operation == "connect", ContinuousClock.now < deadline else { throw error }
                usleep(200_000)
            }
        }
    }

    /// How long `open` keeps trying servers that refuse connections.
    public static let connectPatience: Duration = .seconds(10)

    /// Where the broker is, for log lines and errors ("the spool at ./spool", "NATS at nats://...").
    public static func describe(url: String?, spoolDirectory: String) -> String {
        guard let url, !url.isEmpty else { return "the spool at \(spoolDirectory)" }
        return "NATS at \(NATSCredentials.redacted(url: url))"
    }
}
