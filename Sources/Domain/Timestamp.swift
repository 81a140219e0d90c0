import Foundation

/// An instant in UTC with millisecond precision, the one time type of CampusDesk.
///
/// Stored as milliseconds since the Unix epoch (INTEGER in SQLite), written as ISO 8601 UTC
/// (`2026-01-05T10:00:00.000Z`) in JSON. Formatting and parsing are done by hand because
/// `DateFormatter` is slow and not `Sendable`, and both sit on hot paths (every envelope, every row).
public struct Timestamp: Hashable, Comparable, Sendable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// This instant moved by a number of milliseconds (negative moves back).
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-01-05T10:00:00.123Z`.
    public var iso8601: String {
        let ms = millisecondsSinceEpoch
        let days = ms >= 0 ? ms / 86_400_000 : -((-ms + 86_399_999) / 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (y, m, d) = CivilDate.fromDays(days)
        let h = msOfDay / 3_600_000
        let mi = (msOfDay / 60_000) % 60
        let s = (msOfDay / 1000) % 60
        let frac = msOfDay % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(frac, 3))Z"
    }

    /// Appends ``iso8601``'s UTF-8 bytes to `bytes` without making the string (the API's list
    /// writes six per ticket); years outside 0...9999 take the string.
    public func appendISO8601(to bytes: inout [UInt8]) {
        let ms = millisecondsSinceEpoch
        let days = ms >= 0 ? ms / 86_400_000 : -((-ms + 86_399_999) / 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (y, m, d) = CivilDate.fromDays(days)
        guard (0...9_999).contains(y) else { return bytes.append(contentsOf: iso8601.utf8) }
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                bytes.append(UInt8(48 + v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        digits(y, 4); bytes.append(UInt8(ascii: "-")); digits(m, 2); bytes.append(UInt8(ascii: "-")); digits(d, 2)
        bytes.append(UInt8(ascii: "T")); digits(msOfDay / 3_600_000, 2); bytes.append(UInt8(ascii: ":"))
        digits((msOfDay / 60_000) % 60, 2); bytes.append(UInt8(ascii: ":")); digits((msOfDay / 1000) % 60, 2)
        bytes.append(UInt8(ascii: ".")); digits(msOfDay % 1000, 3); bytes.append(UInt8(ascii: "Z"))
    }

    /// Parses ISO 8601 with a zone: `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM)`.
    ///
    /// A zone is required because a time without one is ambiguous on a campus with a time zone.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(UInt8(ascii: "-")), let mo = digits(2), expect(UInt8(ascii: "-")),
              let d = digits(2) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let h = digits(2), expect(UInt8(ascii: ":")), let mi = digits(2) else { return nil }
        var s: Int64 = 0
        var frac: Int64 = 0
        if expect(UInt8(ascii: ":")) {
            guard let sv = digits(2) else { return nil }
            s = sv
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var n = 0
                var v: Int64 = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if n < 3 { v = v * 10 + Int64(b[i] - 48) }
                    n += 1
                    i += 1
                }
                guard n > 0 else { return nil }
                // `n..<3` traps when n > 3 (the `where` runs after the range is built): found by fuzzing.
                if n < 3 { for _ in n..<3 { v *= 10 } }
                frac = v
            }
        }
        guard mo >= 1, mo <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: mo), h <= 23, mi <= 59, s <= 59 else {
            return nil
        }
        var offsetMinutes: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            guard let om = digits(2), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate.toDays(year: y, month: mo, day: d)
        let local = ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + frac
        let instant = Timestamp(millisecondsSinceEpoch: local - offsetMinutes * 60_000)
        // An offset can push year 0000 or 9999 out of the four-digit range that `iso8601` prints;
        // refusing those keeps every accepted time printable and parseable again.
        guard Self.representable.contains(instant) else { return nil }
        self = instant
    }

    /// The instants with a four-digit UTC year: 0001-01-01T00:00:00.000Z ... 9999-12-31T23:59:59.999Z.
    public static let representable =
        Timestamp(millisecondsSinceEpoch: -62_135_596_800_000)...Timestamp(millisecondsSinceEpoch: 253_402_300_799_999)
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an ISO 8601 time with a zone: \(text.prefix(40))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Timestamp: CustomStringConvertible {
    public var description: String { iso8601 }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil algorithms).
public enum CivilDate {
    /// Days since 1970-01-01 for a civil date.
    public static func toDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func fromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Where "now" comes from; injected so that logic and tests never call `Date()` themselves.
public protocol WallClock: Sendable {
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}
