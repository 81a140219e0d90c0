import Foundation
import Domain

/// The name of a queue: a directory under `spool/queues/`.
///
/// Validated once at construction so no path built from it can escape the spool: 1–120 ASCII
/// letters, digits, `.`, `_` or `-`, not starting with `.` and never containing `..`.
public struct QueueName: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ raw: String) throws(SpoolError) {
        guard SpoolNames.isValidComponent(raw, maxLength: 120) else {
            throw SpoolError(kind: .invalidName, operation: "name queue", path: String(raw.prefix(80)),
                             detail: "use 1-120 of [A-Za-z0-9._-], no leading '.', no '..'")
        }
        rawValue = raw
    }

    /// For names known valid at compile time.
    init(trusted raw: String) { rawValue = raw }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        do { self = try QueueName(raw) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static func < (a: QueueName, b: QueueName) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }

    /// The ticket worker's input: every change to tickets is a command here.
    public static let commands = QueueName(trusted: "commands")

    /// Where an analytics worker takes its queries, e.g. `query.open-tickets`.
    public static func query(_ service: AnalyticsService) -> QueueName { QueueName(trusted: "query.\(service.rawValue)") }

    /// Where an analytics worker receives change events, e.g. `events.open-tickets`.
    public static func events(_ service: AnalyticsService) -> QueueName { QueueName(trusted: "events.\(service.rawValue)") }

    /// Where the SLA monitor receives change events (an `events.*` queue, so it may ask for replays).
    public static let slaMonitorEvents = QueueName(trusted: "events.sla-monitor")

    /// Where the notifier receives change events (it never asks for replays: people hear of what
    /// happens from its start, not of the desk's history).
    public static let notifierEvents = QueueName(trusted: "events.notifier")

    /// The prefix of per-process reply queues (`reply.<process>.<pid>`).
    public static let replyPrefix = "reply."
}

/// The name of an exchange: a directory under `spool/exchanges/` whose files name the bound queues.
///
/// Same rules as `QueueName`; publishing copies a message into every bound queue.
public struct ExchangeName: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ raw: String) throws(SpoolError) {
        guard SpoolNames.isValidComponent(raw, maxLength: 120) else {
            throw SpoolError(kind: .invalidName, operation: "name exchange", path: String(raw.prefix(80)),
                             detail: "use 1-120 of [A-Za-z0-9._-], no leading '.', no '..'")
        }
        rawValue = raw
    }

    init(trusted raw: String) { rawValue = raw }

    public var description: String { rawValue }

    /// The ticket worker's change events, fanned out to each analytics worker's events queue.
    public static let events = ExchangeName(trusted: "events")
}

/// Naming rules shared by queues, exchanges and message files.
enum SpoolNames {
    /// A single safe path component: no '/', no leading '.', no '..', bounded, ASCII only.
    static func isValidComponent(_ s: String, maxLength: Int) -> Bool {
        let u = s.utf8
        guard !u.isEmpty, u.count <= maxLength, u.first != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for c in u {
            let ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            guard ok else { return false }
            let dot = c == UInt8(ascii: ".")
            if dot && previousDot { return false }
            previousDot = dot
        }
        return true
    }

    /// A message file name as found in `new/`: same alphabet, up to 200 bytes (no '@': it marks claims).
    static func isValidMessageFile(_ s: String) -> Bool { isValidComponent(s, maxLength: 200) }
}
