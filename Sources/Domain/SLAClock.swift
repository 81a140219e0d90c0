import Foundation

/// The SLA arithmetic: due times, business time elapsed, and a timer's state. Pure functions of
/// instants, a target and a ``BusinessCalendar``.
///
/// How: business time is walked as intervals, not minutes. The walk keeps the zone's offset
/// between two daylight-saving transitions (Foundation's `TimeZone` gives both), so on the local
/// wall clock, which is then a straight line, each step jumps to the next opening, closing or
/// transition: a target of 5 business days costs about 15 steps. Holidays are looked up by binary
/// search. All boundaries are exact to the millisecond; a target used up at a closing instant is
/// due at that closing, not at the next opening. docs/sla.md, "How due times are computed".
public enum SLAClock {
    /// The instant a target started at `opened` is used up: 100 % of it.
    ///
    /// On the 24×7 clock this is `opened` plus the target; on the business clock, business time
    /// counts from `opened` if that is inside opening hours, else from the next opening.
    public static func dueTime(opened: Timestamp, target: SLATarget, calendar: BusinessCalendar) -> Timestamp {
        adding(target.milliseconds(in: calendar), to: opened, clock: target.clock, calendar: calendar)
    }

    /// The instants at which a target started at `opened` reaches 75 % (at risk) and 100 % (due).
    public static func deadlines(opened: Timestamp, target: SLATarget, calendar: BusinessCalendar) -> SLADeadlines {
        let total = target.milliseconds(in: calendar)
        return SLADeadlines(
            atRisk: adding(total * SLADeadlines.atRiskPercent / 100, to: opened, clock: target.clock, calendar: calendar),
            due: adding(total, to: opened, clock: target.clock, calendar: calendar))
    }

    /// `opened` moved on by `milliseconds` of the given clock.
    public static func adding(_ milliseconds: Int64, to opened: Timestamp, clock: SLATarget.Clock, calendar: BusinessCalendar) -> Timestamp {
        switch clock {
        case .aroundTheClock: return opened.adding(milliseconds: milliseconds)
        case .businessHours: return addingBusinessTime(milliseconds, to: opened, calendar: calendar)
        }
    }

    /// The instant at which `milliseconds` of business time after `start` have passed.
    ///
    /// Zero (or less) is `start` itself, wherever it lies.
    public static func addingBusinessTime(_ milliseconds: Int64, to start: Timestamp, calendar: BusinessCalendar) -> Timestamp {
        guard milliseconds > 0 else { return start }
        var intervals = BusinessIntervals(calendar: calendar, from: start.millisecondsSinceEpoch)
        var remaining = milliseconds
        while true {
            let (begin, end) = intervals.next()
            if remaining <= end - begin { return Timestamp(millisecondsSinceEpoch: begin + remaining) }
            remaining -= end - begin
        }
    }

    /// The business time between two instants (zero when `to` is not after `from`).
    public static func elapsedBusinessTime(from: Timestamp, to: Timestamp, calendar: BusinessCalendar) -> Duration {
        .milliseconds(elapsedBusinessMilliseconds(from: from, to: to, calendar: calendar))
    }

    /// ``elapsedBusinessTime(from:to:calendar:)`` in milliseconds.
    public static func elapsedBusinessMilliseconds(from: Timestamp, to: Timestamp, calendar: BusinessCalendar) -> Int64 {
        let stop = to.millisecondsSinceEpoch
        guard stop > from.millisecondsSinceEpoch else { return 0 }
        var intervals = BusinessIntervals(calendar: calendar, from: from.millisecondsSinceEpoch)
        var total: Int64 = 0
        while true {
            let (begin, end) = intervals.next()
            if begin >= stop { return total }
            total += min(end, stop) - begin
            if end >= stop { return total }
        }
    }

    /// The time used of a target on its clock between `opened` and `now`.
    public static func elapsed(from opened: Timestamp, to now: Timestamp, clock: SLATarget.Clock, calendar: BusinessCalendar) -> Duration {
        switch clock {
        case .aroundTheClock: .milliseconds(max(0, now.millisecondsSinceEpoch - opened.millisecondsSinceEpoch))
        case .businessHours: elapsedBusinessTime(from: opened, to: now, calendar: calendar)
        }
    }

    /// The state of a target started at `opened`, at `now`, met at `metAt` (nil while not met).
    public static func state(opened: Timestamp, target: SLATarget, calendar: BusinessCalendar, now: Timestamp, metAt: Timestamp?) -> SLAState {
        deadlines(opened: opened, target: target, calendar: calendar).state(now: now, metAt: metAt)
    }
}

/// The next business intervals from an instant, in order: each `[begin, end)` in milliseconds since
/// the epoch, within one opening span and one stretch of constant UTC offset.
struct BusinessIntervals {
    private let calendar: BusinessCalendar
    private let opensMs: Int64
    private let closesMs: Int64
    /// Where the walk stands; every instant before it has been handed out or skipped.
    private var t: Int64
    /// The zone's offset (ms) in force from `t` to `pieceEnd`, the next transition.
    private var offset: Int64 = 0
    private var pieceEnd: Int64 = .min
    /// Loop turns so far, for the test that a long target costs a few steps per day.
    private(set) var steps = 0

    private static let dayMs: Int64 = 86_400_000

    init(calendar: BusinessCalendar, from start: Int64) {
        self.calendar = calendar
        opensMs = Int64(calendar.opens.minutes) * 60_000
        closesMs = Int64(calendar.closes.minutes) * 60_000
        t = start
    }

    /// The next business interval; it begins at or after the previous one's end. Every step moves
    /// `t` forward (to an opening, a closing, a next day's opening or a transition), so this ends.
    mutating func next() -> (begin: Int64, end: Int64) {
        while true {
            steps += 1
            if t >= pieceEnd { enterPiece() }
            let wall = t + offset
            let day = Self.floorDiv(wall, Self.dayMs)
            let date = LocalDate(daysSinceEpoch: day)
            let dayStart = day * Self.dayMs
            if calendar.isOpen(on: date) {
                if wall < dayStart + opensMs {
                    t = min(dayStart + opensMs - offset, pieceEnd)
                    continue
                }
                if wall < dayStart + closesMs {
                    let begin = t
                    t = min(dayStart + closesMs - offset, pieceEnd)
                    return (begin, t)
                }
            }
            let nextDay = calendar.nextOpenDate(after: date).daysSinceEpoch
            t = min(nextDay * Self.dayMs + opensMs - offset, pieceEnd)
        }
    }

    /// Takes the offset at `t` and the next transition after it (none in zones without daylight saving).
    private mutating func enterPiece() {
        let zone = calendar.timeZone
        let date = Date(timeIntervalSince1970: Double(t) / 1000)
        offset = Int64(zone.secondsFromGMT(for: date)) * 1000
        if let transition = zone.nextDaylightSavingTimeTransition(after: date) {
            // Never at or before `t`, so the walk moves on even if Foundation rounds.
            pieceEnd = max(Int64((transition.timeIntervalSince1970 * 1000).rounded()), t + 1)
        } else {
            pieceEnd = .max
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
