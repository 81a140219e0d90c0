/// A date on the campus calendar without a time or zone, such as a holiday: `YYYY-MM-DD`.
///
/// Held as days since 1970-01-01 so that comparing, sorting and searching a holiday list are
/// integer operations (``CivilDate`` converts).
public struct LocalDate: Hashable, Comparable, Sendable {
    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int64

    public init(daysSinceEpoch: Int64) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Parses exactly `YYYY-MM-DD` (years 0001...9999); nil for anything else or a date that does not exist.
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), y >= 1, (1...12).contains(m),
              d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return nil }
        daysSinceEpoch = CivilDate.toDays(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`.
    public var text: String {
        let (y, m, d) = CivilDate.fromDays(daysSinceEpoch)
        return zeroPadded(y, 4) + "-" + zeroPadded(m, 2) + "-" + zeroPadded(d, 2)
    }

    /// The day of the week (1970-01-01 was a Thursday).
    public var weekday: Weekday {
        let index = ((daysSinceEpoch + 3) % 7 + 7) % 7
        return Weekday.allCases[Int(index)]
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = LocalDate(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date YYYY-MM-DD: \(text.prefix(20))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension LocalDate: CustomStringConvertible {
    public var description: String { text }
}

/// A day of the week, Monday first (ISO 8601), written `mon` … `sun` as in ``ContactWindow``.
public enum Weekday: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// 0 = Monday … 6 = Sunday.
    public var index: Int {
        switch self {
        case .mon: 0
        case .tue: 1
        case .wed: 2
        case .thu: 3
        case .fri: 4
        case .sat: 5
        case .sun: 6
        }
    }

    public static func < (a: Weekday, b: Weekday) -> Bool { a.index < b.index }
}

/// A wall-clock time of day to the minute, `HH:MM`, from 00:00 to 24:00 (24:00 only ends a span).
public struct TimeOfDay: Hashable, Comparable, Sendable {
    /// Minutes after local midnight, 0...1440.
    public var minutes: Int

    /// A time from minutes after midnight; nil outside 0...1440.
    public init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// A time the caller knows is in 0...1440 (constants).
    init(unchecked minutes: Int) {
        self.minutes = minutes
    }

    /// Parses exactly `HH:MM` with two digits each, 00:00...24:00.
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [0, 1, 3, 4].allSatisfy({ (48...57).contains(b[$0]) }) else { return nil }
        let h = Int(b[0] - 48) * 10 + Int(b[1] - 48), m = Int(b[3] - 48) * 10 + Int(b[4] - 48)
        guard (h <= 23 && m <= 59) || (h == 24 && m == 0) else { return nil }
        minutes = h * 60 + m
    }

    /// `HH:MM`.
    public var text: String { zeroPadded(Int64(minutes / 60), 2) + ":" + zeroPadded(Int64(minutes % 60), 2) }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }
}

extension TimeOfDay: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = TimeOfDay(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a time HH:MM: \(text.prefix(20))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

private func zeroPadded(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
