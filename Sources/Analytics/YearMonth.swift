import Foundation
import Domain
import SpoolBroker

/// A calendar month (`YYYY-MM`), as seen in a given time zone.
///
/// Why: resolution time is grouped by the month a ticket was opened *on campus*; a ticket opened
/// at 23:30 UTC on 31 January is a February ticket in Europe/Berlin.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int64
    /// 1...12.
    public var month: Int64

    public init(year: Int64, month: Int64) {
        self.year = year
        self.month = month
    }

    /// The month containing `instant` in `timeZone` (its offset at that instant, so DST is honoured).
    public init(_ instant: Timestamp, in timeZone: TimeZone) {
        let offsetMs = Int64(timeZone.secondsFromGMT(for: instant.date)) * 1000
        let local = instant.millisecondsSinceEpoch + offsetMs
        let days = local >= 0 ? local / 86_400_000 : -((-local + 86_399_999) / 86_400_000)
        let civil = CivilDate.fromDays(days)
        self.init(year: civil.year, month: civil.month)
    }

    /// Months since year 0 (`year × 12 + month − 1`): the form stored in SQLite.
    public var index: Int64 { year * 12 + month - 1 }

    /// The month with that index.
    public init(index: Int64) {
        let y = index >= 0 ? index / 12 : -((-index + 11) / 12)
        self.init(year: y, month: index - y * 12 + 1)
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { a.index < b.index }

    /// `YYYY-MM`.
    public var description: String {
        let y = String(year)
        let m = String(month)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + (month < 10 ? "0" : "") + m
    }
}
