import Foundation

/// The number of a ticket, assigned by the ticket worker (SQLite rowid).
public struct TicketID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (a: TicketID, b: TicketID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// The number of a message under a ticket.
public struct MessageID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (a: MessageID, b: MessageID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// The identity of a command, chosen by whoever sends it; the worker applies each id once.
public struct CommandID: Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A fresh random id.
    public static func random() -> CommandID { CommandID(UUID().uuidString.lowercased()) }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// The position of a change event in the ticket worker's outbox; strictly increasing, no gaps.
public struct SequenceNumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static let zero = SequenceNumber(0)
    public var next: SequenceNumber { SequenceNumber(rawValue + 1) }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (a: SequenceNumber, b: SequenceNumber) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}
