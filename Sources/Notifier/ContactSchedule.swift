import Foundation
import Domain

/// When a non-urgent notification may go: inside the ticket's preferred contact window (when it
/// has one) and outside the person's quiet hours (when they have some), both read on the campus's
/// wall clock (`CAMPUSDESK_TZ`).
///
/// A pure value: ``nextOpening(atOrAfter:)`` is the first instant at or after a given one whose
/// local time is open. Local time is what a clock on the wall shows at that instant, so across a
/// DST change a window simply follows the clock: a window that opens at a time the spring-forward
/// skips opens at the first instant after the jump whose local time lies inside it (or not that
/// day when the whole window was skipped); in the fall-back hour that happens twice, the first
/// time counts. A window from 22:00 to 06:00 starts on its listed days and runs into the next.
public struct ContactSchedule: Sendable, Equatable {
    /// The ticket's preferred contact window: sending only inside it (nil: at any time).
    public var window: ContactWindow?
    /// The person's quiet hours, stored in the same form: never inside them (nil: none).
    public var quietHours: ContactWindow?
    /// The campus's zone (`CAMPUSDESK_TZ`), whose wall clock both are read on.
    public var timeZone: TimeZone

    /// How far ahead an opening is looked for. A window and quiet hours repeat every week; 15 days
    /// covers a week, the next, and a window a DST change skipped once.
    public static let horizonDays: Int64 = 15

    /// A schedule; nil for both is always open.
    public init(window: ContactWindow?, quietHours: ContactWindow? = nil, timeZone: TimeZone) {
        self.window = window
        self.quietHours = quietHours
        self.timeZone = timeZone
    }

    /// True when a notification may go at `instant`.
    public func isOpen(at instant: Timestamp) -> Bool {
        let (weekday, minute) = localWeekdayAndMinute(instant)
        if let window, !Self.covers(window, weekday: weekday, minute: minute) { return false }
        if let quietHours, Self.covers(quietHours, weekday: weekday, minute: minute) { return false }
        return true
    }

    /// `now` when open, else the next instant it opens; nil when it does not open within
    /// ``horizonDays`` (a window entirely inside the quiet hours): the caller then sends at once
    /// rather than never.
    public func nextOpening(atOrAfter now: Timestamp) -> Timestamp? {
        if isOpen(at: now) { return now }
        // Openness is a function of the local clock that changes only where the local time
        // reaches an edge (a window's or quiet hours' start or end, midnight) or jumps (a change
        // of the zone's offset). So the first open instant is one of those, found as instants.
        var edges: Set<Int64> = [0]
        for w in [window, quietHours].compactMap({ $0 }) {
            edges.insert(Int64(w.from % 1440))
            edges.insert(Int64(w.to % 1440))
        }
        let firstDay = Self.floorDiv(localMilliseconds(now), Self.dayMs) - 1
        let horizon = now.adding(milliseconds: (Self.horizonDays + 1) * Self.dayMs)
        var candidates: [Timestamp] = []
        for day in firstDay...(firstDay + Self.horizonDays + 2) {
            for edge in edges {
                candidates += instants(atLocalMilliseconds: day * Self.dayMs + edge * 60_000)
            }
        }
        var transition = timeZone.nextDaylightSavingTimeTransition(after: now.date)
        while let t = transition, Timestamp(t) < horizon {
            candidates.append(Timestamp(t))
            transition = timeZone.nextDaylightSavingTimeTransition(after: t)
        }
        return candidates.filter { $0 > now && $0 < horizon }.sorted().first { isOpen(at: $0) }
    }

    // MARK: - The local clock

    static let dayMs: Int64 = 86_400_000

    /// Milliseconds since 1970-01-01 00:00 on the local clock.
    private func localMilliseconds(_ instant: Timestamp) -> Int64 {
        instant.millisecondsSinceEpoch + Int64(timeZone.secondsFromGMT(for: instant.date)) * 1000
    }

    /// 0 = Monday … 6 = Sunday, and minutes after local midnight.
    private func localWeekdayAndMinute(_ instant: Timestamp) -> (Int, Int) {
        let local = localMilliseconds(instant)
        let day = Self.floorDiv(local, Self.dayMs)
        // 1970-01-01 was a Thursday (3).
        let weekday = Int(((day + 3) % 7 + 7) % 7)
        return (weekday, Int((local - day * Self.dayMs) / 60_000))
    }

    /// The instants whose local clock shows `local`: none in a spring-forward gap, two in a fall-back hour.
    private func instants(atLocalMilliseconds local: Int64) -> [Timestamp] {
        var offsets = Set<Int>()
        for probe in [local - 2 * Self.dayMs, local, local + 2 * Self.dayMs] {
            offsets.insert(timeZone.secondsFromGMT(for: Timestamp(millisecondsSinceEpoch: probe).date))
        }
        return offsets.compactMap { offset in
            let t = Timestamp(millisecondsSinceEpoch: local - Int64(offset) * 1000)
            return timeZone.secondsFromGMT(for: t.date) == offset ? t : nil
        }
    }

    /// True when local `minute` of `weekday` lies in `window` (an overnight window belongs to the day it starts).
    static func covers(_ window: ContactWindow, weekday: Int, minute: Int) -> Bool {
        if window.from < window.to {
            return window.days.contains(weekday) && window.from <= minute && minute < window.to
        }
        return (window.days.contains(weekday) && minute >= window.from) || (window.days.contains((weekday + 6) % 7) && minute < window.to)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
