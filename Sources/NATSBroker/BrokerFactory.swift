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
        return try NATSMessageBroker(url: url, name: processName)
    }

    /// Where the broker is, for log lines and errors ("the spool at ./spool", "NATS at nats://...").
    public static func describe(url: String?, spoolDirectory: String) -> String {
        guard let url, !url.isEmpty else { return "the spool at \(spoolDirectory)" }
        return "NATS at \(url)"
    }
}
