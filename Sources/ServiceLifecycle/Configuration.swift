import Foundation
import Domain

/// Settings every CampusDesk process reads from its environment, with the embedded defaults.
///
/// `CAMPUSDESK_SPOOL` (./spool), `CAMPUSDESK_DATA` (./data), `HOST` (127.0.0.1), `PORT` (8080),
/// `CAMPUSDESK_TZ` (UTC), `CAMPUSDESK_AUTH` (open: the campus desk; accounts: the network desk),
/// `CAMPUSDESK_BROKER` (unset: the spool; `nats://host:port[,host:port...]`: NATS JetStream, docs/nats.md),
/// `CAMPUSDESK_QUERY_TIME_LIMIT_MS` (5000; 0: none), `CAMPUSDESK_GATEWAY_FILES` (shared; own: a
/// gateway on another machine, which opens none of the ticket worker's files; NATS only).
public struct Configuration: Sendable, Equatable {
    public var spoolDirectory: String
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// The campus time zone identifier, used for display and for grouping by month.
    public var timeZoneIdentifier: String
    /// How people enter: no password (the campus) or accounts (the network desk).
    public var authMode: AuthMode
    /// The NATS servers (`nats://h:p,h:p`) the processes use as their broker, nil for the spool.
    public var brokerURL: String?
    /// How long one gateway read of `tickets.db` may run, in milliseconds (0: no limit).
    ///
    /// Why: an abandoned slow search held a reader connection and, with both held, the gateway
    /// answered nothing (docs/performance.md, scaling finding 8); past the limit it answers 503.
    public var queryTimeLimitMilliseconds: Int = Configuration.defaultQueryTimeLimitMilliseconds
    /// The default limit: far above any list or search measured at 100,000 tickets, below the time clients wait.
    public static let defaultQueryTimeLimitMilliseconds = 5_000
    /// Whether a gateway reads the ticket worker's files (`tickets.db`, attachments, the inbox) or
    /// keeps its own in its data directory (issue 19: gateways on machines of their own).
    public var gatewayFiles: GatewayFiles = .shared

    public init(spoolDirectory: String = "spool", dataDirectory: String = "data", host: String = "127.0.0.1", port: Int = 8080,
                timeZoneIdentifier: String = "UTC", authMode: AuthMode = .open) {
        self.spoolDirectory = spoolDirectory
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.timeZoneIdentifier = timeZoneIdentifier
        self.authMode = authMode
    }

    /// Reads the configuration from environment variables; invalid values are errors, not defaults.
    public static func fromEnvironment(_ env: [String: String]) throws(ConfigurationError) -> Configuration {
        var c = Configuration()
        if let v = env["CAMPUSDESK_SPOOL"], !v.isEmpty { c.spoolDirectory = v }
        if let v = env["CAMPUSDESK_DATA"], !v.isEmpty { c.dataDirectory = v }
        if let v = env["HOST"], !v.isEmpty { c.host = v }
        if let v = env["PORT"], !v.isEmpty {
            guard let p = Int(v), (0...65535).contains(p) else { throw .invalid("PORT", v) }
            c.port = p
        }
        if let v = env["CAMPUSDESK_TZ"], !v.isEmpty {
            guard TimeZone(identifier: v) != nil else { throw .invalid("CAMPUSDESK_TZ", v) }
            c.timeZoneIdentifier = v
        }
        if let v = env["CAMPUSDESK_BROKER"], !v.isEmpty, v != "spool" {
            // The value is not echoed: it may hold a NATS user and password.
            guard v.hasPrefix("nats://") else { throw .invalid("CAMPUSDESK_BROKER", "not spool or nats://host:port[,...] (value not shown)") }
            c.brokerURL = v
        }
        if let v = env["CAMPUSDESK_AUTH"], !v.isEmpty {
            guard let mode = AuthMode(rawValue: v) else { throw .invalid("CAMPUSDESK_AUTH", v) }
            c.authMode = mode
        }
        if let v = env["CAMPUSDESK_QUERY_TIME_LIMIT_MS"], !v.isEmpty {
            guard let ms = Int(v), (0...3_600_000).contains(ms) else { throw .invalid("CAMPUSDESK_QUERY_TIME_LIMIT_MS", v) }
            c.queryTimeLimitMilliseconds = ms
        }
        if let v = env["CAMPUSDESK_GATEWAY_FILES"], !v.isEmpty {
            guard let files = GatewayFiles(rawValue: v) else { throw .invalid("CAMPUSDESK_GATEWAY_FILES", v) }
            guard files == .shared || c.brokerURL != nil else { throw .invalid("CAMPUSDESK_GATEWAY_FILES", v + " (needs CAMPUSDESK_BROKER=nats://...)") }
            c.gatewayFiles = files
        }
        return c
    }

    /// ``queryTimeLimitMilliseconds`` as the reader takes it: nil for no limit.
    public var queryTimeLimit: Duration? { queryTimeLimitMilliseconds > 0 ? .milliseconds(queryTimeLimitMilliseconds) : nil }

    /// The campus time zone (UTC if the identifier is unknown, which `fromEnvironment` prevents).
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? .gmt }

    /// Path of the ticket database.
    public var ticketDatabasePath: String { (dataDirectory as NSString).appendingPathComponent("tickets.db") }
}

/// A configuration value that cannot be used.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String)
    public var description: String {
        switch self {
        case .invalid(let name, let value): "invalid \(name): \(value.prefix(100))"
        }
    }
}

extension Configuration {
    /// This process's configuration for a command-line tool: a bad variable is a usage error.
    public static func fromCommandLine(_ command: String,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommandLineError) -> Configuration {
        do { return try fromEnvironment(environment) } catch { throw .usage("\(command): \(error)") }
    }
}

/// Where a gateway's data comes from (`CAMPUSDESK_GATEWAY_FILES`).
public enum GatewayFiles: String, Sendable, Equatable {
    /// The ticket worker's data directory, on the same machine (the default).
    case shared
    /// Its own data directory: nothing opened that the ticket worker writes (needs NATS).
    case own
}
