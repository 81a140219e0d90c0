import Foundation
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// Writes one line per event to stderr: `ts level component: message key=value ...`.
///
/// Messages are constants and details go in keys, so logs can be grepped and never carry
/// personal data by accident (pass ids, not descriptions).
public struct Logger: Sendable {
    public enum Level: String, Sendable, Comparable {
        case debug, info, warning, error
        private var rank: Int { [.debug: 0, .info: 1, .warning: 2, .error: 3][self]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    public var component: String
    public var minimumLevel: Level
    private let clock: any WallClock

    public init(component: String, minimumLevel: Level = .info, clock: any WallClock = SystemClock()) {
        self.component = component
        self.minimumLevel = minimumLevel
        self.clock = clock
    }

    public func debug(_ message: StaticString, _ metadata: KeyValuePairs<String, String> = [:]) { log(.debug, message, metadata) }
    public func info(_ message: StaticString, _ metadata: KeyValuePairs<String, String> = [:]) { log(.info, message, metadata) }
    public func warning(_ message: StaticString, _ metadata: KeyValuePairs<String, String> = [:]) { log(.warning, message, metadata) }
    public func error(_ message: StaticString, _ metadata: KeyValuePairs<String, String> = [:]) { log(.error, message, metadata) }

    public func log(_ level: Level, _ message: StaticString, _ metadata: KeyValuePairs<String, String>) {
        guard level >= minimumLevel else { return }
        var line = "\(clock.now().iso8601) \(level.rawValue) \(component): \(message)"
        for (k, v) in metadata {
            line += " \(k)=\(Self.quoted(v))"
        }
        line += "\n"
        // One write(2) per line keeps lines from concurrent loggers whole.
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
    }

    /// Values with spaces or quotes are quoted so a line stays one parseable record.
    static func quoted(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\n", with: "\\n")
        if clean.isEmpty || clean.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) {
            return "\"" + clean.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return clean
    }
}
