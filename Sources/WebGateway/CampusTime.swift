import CampusDeskCore
import Foundation

/// Shows instants in the campus time zone, with the exact UTC instant alongside.
///
/// Uses the zone's offset for the instant plus the civil-date arithmetic of `Timestamp`, so it
/// needs no `DateFormatter` (slow, and not `Sendable`) and honours daylight saving.
public struct CampusTime: Sendable {
    public var timeZone: TimeZone
    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `5 Jan 2026, 11:00 CET` in the campus zone.
    public func text(_ t: Timestamp) -> String {
        let offset = Int64(timeZone.secondsFromGMT(for: t.date)) * 1000
        let local = t.millisecondsSinceEpoch + offset
        let days = local >= 0 ? local / 86_400_000 : -((-local + 86_399_999) / 86_400_000)
        let msOfDay = local - days * 86_400_000
        let (y, m, d) = CivilDate.fromDays(days)
        let h = msOfDay / 3_600_000, mi = (msOfDay / 60_000) % 60
        let zone = timeZone.identifier == "UTC" ? "UTC" : (timeZone.abbreviation(for: t.date) ?? timeZone.identifier)
        return "\(d) \(Self.months[Int(m) - 1]) \(y), \(h < 10 ? "0" : "")\(h):\(mi < 10 ? "0" : "")\(mi) \(zone)"
    }

    /// `<time datetime="2026-01-05T10:00:00.000Z">5 Jan 2026, 11:00 CET</time>`.
    public func html(_ t: Timestamp) -> String {
        "<time datetime=\"\(t.iso8601)\">\(escapeHTML(text(t)))</time>"
    }
}
