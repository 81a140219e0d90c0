import CSQLite
/// A value bound to a statement parameter: SQLite's five storage classes.
///
/// An enum rather than `Any` so every bind is typed and checked at compile time; the literal
/// conformances keep call sites short (`[.text(name), 42, nil]`).
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue {
    /// Text, or NULL for nil.
    public static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    /// An integer, or NULL for nil.
    public static func optionalInteger(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }
    /// A real, or NULL for nil.
    public static func optionalReal(_ value: Double?) -> SQLiteValue { value.map { .real($0) } ?? .null }
}
