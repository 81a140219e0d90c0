import Domain
import SpoolBroker
import HTTPServer
import Foundation
import Synchronization

/// Shows instants in the campus time zone, with the exact UTC instant alongside.
///
/// Uses the zone's offset for the instant plus the civil-date arithmetic of `Timestamp`, so it
/// needs no `DateFormatter` (slow, and not `Sendable`) and honours daylight saving. The offset and
/// abbreviation come from a per-UTC-day table (``ZoneDayTable``): asking ICU for them costs
/// microseconds per call, which was a quarter of the ticket list's time (50 rows per page).
public struct CampusTime: Sendable {
    public var timeZone: TimeZone {
        didSet { days = ZoneDayTable(timeZone: timeZone) }
    }
    private var days: ZoneDayTable

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        self.days = ZoneDayTable(timeZone: timeZone)
    }

    private static let months: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    /// `5 Jan 2026, 11:00 CET` in the campus zone.
    public func text(_ t: Timestamp) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        appendText(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `<time datetime="2026-01-05T10:00:00.000Z">5 Jan 2026, 11:00 CET</time>`.
    public func html(_ t: Timestamp) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(80)
        appendHTML(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``html(_:)`` appended to a page being built as UTF-8 bytes.
    ///
    /// Written into a stack buffer and appended once: the list page formats 50 of these per
    /// request, and appending piece by piece showed in profiles.
    func appendHTML(_ t: Timestamp, to out: inout [UInt8]) {
        let written: Bool = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxWrittenHTML) { buffer in
            var w = DigitWriter(buffer)
            guard write(t, into: &w) else { return false }
            out.append(contentsOf: w.written)
            return true
        }
        if !written { appendHTMLGeneral(t, to: &out) }
    }

    /// The most bytes ``write(_:into:)`` writes.
    static let maxWrittenHTML = 96

    /// ``html(_:)`` written into `w`, which must have ``maxWrittenHTML`` bytes free; false (and
    /// nothing written) for the rare instants it leaves to ``appendHTMLGeneral(_:to:)``: a year
    /// outside 1000...9999, or a zone abbreviation over 16 bytes or with a character to escape.
    func write(_ t: Timestamp, into w: inout DigitWriter) -> Bool {
        let ms = t.millisecondsSinceEpoch
        let zone = days.zone(at: t)
        let local = ms + zone.offsetMilliseconds
        let day = Self.floorDiv(ms, 86_400_000), localDay = Self.floorDiv(local, 86_400_000)
        let (y, m, d) = CivilDate.fromDays(day)
        let (ly, lm, ld) = localDay == day ? (y, m, d) : CivilDate.fromDays(localDay)
        guard (1000...9999).contains(y), (1000...9999).contains(ly), zone.isPlain else { return false }
        let msOfDay = ms - day * 86_400_000, localMsOfDay = local - localDay * 86_400_000
        w.ascii("<time datetime=\"")
        w.four(y); w.byte(0x2D); w.two(m); w.byte(0x2D); w.two(d); w.byte(0x54)
        w.two(msOfDay / 3_600_000); w.byte(0x3A); w.two((msOfDay / 60_000) % 60); w.byte(0x3A)
        w.two((msOfDay / 1000) % 60); w.byte(0x2E); w.three(msOfDay % 1000)
        w.ascii("Z\">")
        w.decimal(ld)
        w.byte(0x20)
        w.month(lm)
        w.byte(0x20)
        w.four(ly)
        w.ascii(", ")
        w.two(localMsOfDay / 3_600_000); w.byte(0x3A); w.two((localMsOfDay / 60_000) % 60)
        w.byte(0x20)
        zone.abbreviation.withUnsafeBufferPointer { w.bytes($0) }
        w.ascii("</time>")
        return true
    }

    /// ``appendHTML(_:to:)`` for any instant and zone, a piece at a time.
    func appendHTMLGeneral(_ t: Timestamp, to out: inout [UInt8]) {
        out.append(contentsOf: "<time datetime=\"".utf8)
        Self.appendISO8601(t.millisecondsSinceEpoch, to: &out)
        out.append(contentsOf: "\">".utf8)
        // The text is digits, a month name and the zone abbreviation; only the latter could
        // carry a character that needs escaping, and it is escaped in appendText.
        appendText(t, to: &out)
        out.append(contentsOf: "</time>".utf8)
    }

    /// The local text, HTML-escaped (it is plain ASCII except for the zone abbreviation).
    private func appendText(_ t: Timestamp, to out: inout [UInt8]) {
        let zone = days.zone(at: t)
        let local = t.millisecondsSinceEpoch + zone.offsetMilliseconds
        let day = Self.floorDiv(local, 86_400_000)
        let msOfDay = local - day * 86_400_000
        let (y, m, d) = CivilDate.fromDays(day)
        let h = msOfDay / 3_600_000, mi = (msOfDay / 60_000) % 60
        Self.appendDecimal(Int64(d), to: &out)
        out.append(0x20)
        out.append(contentsOf: Self.months[Int(m) - 1])
        out.append(0x20)
        Self.appendDecimal(Int64(y), to: &out)
        out.append(contentsOf: ", ".utf8)
        Self.appendPadded(h, width: 2, to: &out)
        out.append(0x3A)
        Self.appendPadded(mi, width: 2, to: &out)
        out.append(0x20)
        zone.abbreviation.withUnsafeBufferPointer { HTMLEscape.append($0, to: &out) }
    }

    /// The same text as `Timestamp.iso8601`, written straight into bytes.
    static func appendISO8601(_ ms: Int64, to out: inout [UInt8]) {
        let day = floorDiv(ms, 86_400_000)
        let msOfDay = ms - day * 86_400_000
        let (y, m, d) = CivilDate.fromDays(day)
        appendPadded(Int64(y), width: 4, to: &out)
        out.append(0x2D)
        appendPadded(Int64(m), width: 2, to: &out)
        out.append(0x2D)
        appendPadded(Int64(d), width: 2, to: &out)
        out.append(0x54)
        appendPadded(msOfDay / 3_600_000, width: 2, to: &out)
        out.append(0x3A)
        appendPadded((msOfDay / 60_000) % 60, width: 2, to: &out)
        out.append(0x3A)
        appendPadded((msOfDay / 1000) % 60, width: 2, to: &out)
        out.append(0x2E)
        appendPadded(msOfDay % 1000, width: 3, to: &out)
        out.append(0x5A)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Decimal digits of `v`, left-padded with zeros to `width` (a minus sign first if negative).
    ///
    /// Built right to left in a stack buffer and appended once (ids are three numbers a list row).
    static func appendPadded(_ v: Int64, width: Int, to out: inout [UInt8]) {
        var n = v.magnitude
        let capacity = max(width, 20) + 1
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var i = capacity
            repeat {
                i -= 1
                buffer[i] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
                n /= 10
            } while n > 0
            while capacity - i < width { i -= 1; buffer[i] = 0x30 }
            if v < 0 { i -= 1; buffer[i] = 0x2D }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<capacity]))
        }
    }

    static func appendDecimal(_ v: Int64, to out: inout [UInt8]) { appendPadded(v, width: 1, to: &out) }
}

/// The campus zone's UTC offset and abbreviation per UTC day, filled on first use of each day.
///
/// A day whose offset and abbreviation are the same at its first and last millisecond is
/// stored once (zones change offset at most twice a year, never twice within a day); a day with
/// a change is asked of Foundation per instant. Bounded: cleared when it holds ~30 years.
final class ZoneDayTable: Sendable {
    struct Zone: Sendable {
        let offsetMilliseconds: Int64
        let abbreviation: [UInt8]
        /// At most 16 bytes, none of them to escape in HTML (every real zone abbreviation).
        let isPlain: Bool

        init(offsetMilliseconds: Int64, abbreviation: [UInt8]) {
            self.offsetMilliseconds = offsetMilliseconds
            self.abbreviation = abbreviation
            self.isPlain = Self.isPlain(abbreviation)
        }

        private static func isPlain(_ a: [UInt8]) -> Bool { a.count <= 16 && !a.contains(where: HTMLEscape.needsEscape) }
    }
    private enum Day: Sendable {
        case uniform(Zone)
        case changing
    }

    private let timeZone: TimeZone
    private let table = Mutex<[Int64: Day]>([:])
    private let isUTC: Bool
    private static let maxDays = 11_000

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        self.isUTC = timeZone.identifier == "UTC"
    }

    func zone(at t: Timestamp) -> Zone {
        let day = CampusTime.floorDiv(t.millisecondsSinceEpoch, 86_400_000)
        if let known = table.withLock({ $0[day] }) {
            switch known {
            case .uniform(let zone): return zone
            case .changing: return lookUp(t.millisecondsSinceEpoch)
            }
        }
        let start = lookUp(day * 86_400_000)
        let end = lookUp(day * 86_400_000 + 86_399_999)
        let uniform = start.offsetMilliseconds == end.offsetMilliseconds && start.abbreviation == end.abbreviation
        table.withLock { days in
            if days.count >= Self.maxDays { days.removeAll(keepingCapacity: true) }
            days[day] = uniform ? .uniform(start) : .changing
        }
        return uniform ? start : lookUp(t.millisecondsSinceEpoch)
    }

    /// Foundation's answer for one instant (the slow path).
    private func lookUp(_ ms: Int64) -> Zone {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let offset = Int64(timeZone.secondsFromGMT(for: date)) * 1000
        let name = isUTC ? "UTC" : (timeZone.abbreviation(for: date) ?? timeZone.identifier)
        return Zone(offsetMilliseconds: offset, abbreviation: Array(name.utf8))
    }
}
