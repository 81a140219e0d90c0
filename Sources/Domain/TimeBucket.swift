import Foundation

/// A slot of campus time that the open-tickets breakdown counts tickets in: an hour or a day.
///
/// Why in the campus time zone: staff read "opened between 09:00 and 10:00" or "opened on
/// Monday" on the wall clock of the campus, so a day starts at local midnight (23 or 25 hours
/// long when daylight saving changes) and an hour at the local full hour (which differs from
/// the UTC hour in zones offset by half an hour).
public enum TimeBucket: String, Sendable, Codable, CaseIterable, Hashable {
    case hour, day

    private static let hourMs: Int64 = 3_600_000
    private static let dayMs: Int64 = 86_400_000

    /// The first instant of the slot that contains `t`, in `timeZone`.
    public func start(containing t: Timestamp, in timeZone: TimeZone) -> Timestamp {
        let ms = t.millisecondsSinceEpoch
        let local = ms + Self.offset(ms, timeZone)
        let width = self == .hour ? Self.hourMs : Self.dayMs
        let localStart = Self.floor(local, width)
        return Timestamp(millisecondsSinceEpoch: Self.instant(ofLocal: localStart, near: ms, timeZone))
    }

    /// The first instant of the slot after the one starting at `start` (its exclusive end).
    public func end(ofSlotStartingAt start: Timestamp, in timeZone: TimeZone) -> Timestamp {
        let ms = start.millisecondsSinceEpoch
        let width = self == .hour ? Self.hourMs : Self.dayMs
        let localNext = Self.floor(ms + Self.offset(ms, timeZone), width) + width
        let next = Self.instant(ofLocal: localNext, near: ms + width, timeZone)
        // A slot never ends where it starts (a local hour skipped by daylight saving).
        return Timestamp(millisecondsSinceEpoch: max(next, ms + 1))
    }

    /// The UTC instant whose local time is `local`: the offset taken where that instant lies,
    /// so a local midnight on a daylight-saving day uses that midnight's offset, not the noon's.
    private static func instant(ofLocal local: Int64, near guess: Int64, _ timeZone: TimeZone) -> Int64 {
        var utc = local - offset(guess, timeZone)
        utc = local - offset(utc, timeZone)
        return utc
    }

    private static func offset(_ ms: Int64, _ timeZone: TimeZone) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
    }

    private static func floor(_ value: Int64, _ width: Int64) -> Int64 {
        value >= 0 ? value / width * width : -((-value + width - 1) / width) * width
    }
}
