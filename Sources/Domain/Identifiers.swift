import Foundation

/// An identifier that is a whole number on the wire, in SQL and in URLs: a ticket, a message,
/// an outbox position.
///
/// Why a protocol: each identifier is its own type (a `TicketID` is never passed where a
/// `MessageID` belongs), while the coding (a bare JSON number), the order and the text form are
/// the same for all of them and written once here.
public protocol Int64Identifier: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    var rawValue: Int64 { get }
    init(_ rawValue: Int64)
}

extension Int64Identifier {
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(Int64.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// The number of a ticket, assigned by the ticket worker (SQLite rowid).
public struct TicketID: Int64Identifier {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The number of a message under a ticket.
public struct MessageID: Int64Identifier {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The number of an account on the network desk (SQLite rowid of `users`).
public struct UserID: Int64Identifier {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The number of an issue type (SQLite rowid of `issue_types`): what a reporter picks, under one category.
public struct IssueTypeID: Int64Identifier {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// An identifier that is a string chosen by whoever creates the thing: a command, a message envelope.
///
/// Why a protocol: as with `Int64Identifier`, one type per concept, one coding (a bare JSON
/// string) and one way to make a fresh one (a lowercase random UUID).
public protocol StringIdentifier: Hashable, Sendable, Codable, CustomStringConvertible {
    var rawValue: String { get }
    init(_ rawValue: String)
}

extension StringIdentifier {
    /// A fresh random id (a lowercase UUID).
    public static func random() -> Self { Self(UUID().uuidString.lowercased()) }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// The identity of a command, chosen by whoever sends it; the worker applies each id once.
public struct CommandID: StringIdentifier {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// The position of a change event in the ticket worker's outbox; strictly increasing, no gaps.
public struct SequenceNumber: Int64Identifier {
    public var rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static let zero = SequenceNumber(0)
    public var next: SequenceNumber { SequenceNumber(rawValue + 1) }
}
