import TestSupport
import Foundation
import Testing
@testable import Domain

/// The SLA arithmetic against a second, deliberately simple implementation over thousands of
/// random cases: calendars in zones with daylight saving at night, at midnight (São Paulo 2018),
/// by 30 minutes (Lord Howe) and without it, spans that a change falls inside, holidays, and
/// tickets opened near a change. A failure prints the seed that rebuilds its case.
@Suite struct SLAOracleTests {
    /// The run's seed; `CAMPUSDESK_SLA_SEED` replays another (each case uses seed + its number).
    static let seed: UInt64 = ProcessInfo.processInfo.environment["CAMPUSDESK_SLA_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0016
    /// 2,000 cases in four parts that run in parallel.
    static let parts = 4
    static let casesPerPart = 500

    static let zones = [
        "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/Sao_Paulo",
        "Pacific/Chatham", "Europe/London", "America/St_Johns",
    ]

    @Test("due times and business time elapsed agree with minute-by-minute stepping over the wall clock", arguments: 0..<parts)
    func agreesWithOracle(part: Int) throws {
        var failures = 0
        for number in part * Self.casesPerPart..<(part + 1) * Self.casesPerPart where failures < 5 {
            let caseSeed = Self.seed &+ UInt64(number)
            var random = SplitMix64(seed: caseSeed)
            let c = try RandomCase(&random)
            let target = Int64(c.targetMinutes) * 60_000
            let opened = Timestamp(millisecondsSinceEpoch: c.opened)
            let due = SLAClock.addingBusinessTime(target, to: opened, calendar: c.calendar).millisecondsSinceEpoch
            var answers: [Bool] = []
            let expectedDue = c.oracle.due(opened: c.opened, minutes: c.targetMinutes, answers: &answers)
            let elapsed = SLAClock.elapsedBusinessMilliseconds(from: opened, to: Timestamp(millisecondsSinceEpoch: c.until), calendar: c.calendar)
            let expectedElapsed = Int64(c.oracle.businessMinutes(from: c.opened, to: c.until, answers: &answers)) * 60_000
            let roundTrip = SLAClock.elapsedBusinessMilliseconds(from: opened, to: Timestamp(millisecondsSinceEpoch: due), calendar: c.calendar)
            if due != expectedDue || elapsed != expectedElapsed || roundTrip != target {
                failures += 1
                Issue.record("""
                    seed \(caseSeed) (CAMPUSDESK_SLA_SEED=\(caseSeed) replays it as case 0): \(c)
                    due \(Timestamp(millisecondsSinceEpoch: due)) oracle \(Timestamp(millisecondsSinceEpoch: expectedDue)); \
                    elapsed to \(Timestamp(millisecondsSinceEpoch: c.until)) \(elapsed / 60_000) min oracle \(expectedElapsed / 60_000) min; \
                    elapsed to due \(roundTrip / 60_000) min
                    """)
            }
        }
    }
}

// MARK: - The oracle

/// The definition in its plainest form: a minute is business time when the campus wall clock at
/// that minute (UTC plus the zone's offset Foundation gives for that very minute) shows a working
/// weekday, a date not in the holiday list and a time of day in `[opens, closes)`; Foundation's
/// Gregorian calendar names the date and weekday. Nothing is shared with the product code but the
/// definition and the offset: no day numbers, no transitions, no jumps.
final class MinuteOracle {
    let timeZone: TimeZone
    /// Foundation's weekday numbers, 1 = Sunday … 7 = Saturday.
    let weekdays: Set<Int>
    let opens: Int
    let closes: Int
    /// year * 10_000 + month * 100 + day.
    let holidays: Set<Int>
    private let utc: Calendar
    /// Local day (days since 1970-01-01 on the wall clock) → (date key, weekday): asked once a day.
    private var days: [Int64: (key: Int, weekday: Int)] = [:]

    init(timeZone: TimeZone, weekdays: Set<Int>, opens: Int, closes: Int, holidays: Set<Int>) {
        self.timeZone = timeZone
        self.weekdays = weekdays
        self.opens = opens
        self.closes = closes
        self.holidays = holidays
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC") ?? utc.timeZone
        self.utc = utc
    }

    func isBusiness(minuteStarting ms: Int64) -> Bool {
        let wallSeconds = ms / 1000 + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000)))
        var day = wallSeconds / 86_400
        if wallSeconds < day * 86_400 { day -= 1 }
        let minute = Int(wallSeconds - day * 86_400) / 60
        let info: (key: Int, weekday: Int)
        if let known = days[day] {
            info = known
        } else {
            let c = utc.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day * 86_400)))
            info = ((c.year ?? 0) * 10_000 + (c.month ?? 0) * 100 + (c.day ?? 0), c.weekday ?? 0)
            days[day] = info
        }
        return weekdays.contains(info.weekday) && !holidays.contains(info.key) && opens <= minute && minute < closes
    }

    /// The end of the business minute in which `minutes` business minutes from `opened` are used.
    func due(opened: Int64, minutes: Int, answers: inout [Bool]) -> Int64 {
        var index = 0, left = minutes
        while true {
            if answer(opened, index, &answers) {
                left -= 1
                if left == 0 { return opened + Int64(index + 1) * 60_000 }
            }
            index += 1
        }
    }

    /// The business minutes in `[from, to)`.
    func businessMinutes(from: Int64, to: Int64, answers: inout [Bool]) -> Int {
        var index = 0, count = 0
        while from + Int64(index) * 60_000 < to {
            if answer(from, index, &answers) { count += 1 }
            index += 1
        }
        return count
    }

    /// ``isBusiness(minuteStarting:)`` of the `index`th minute from `start`, asked once: both
    /// walks of a case start at its opening, and the calendar's answers are the oracle's cost.
    private func answer(_ start: Int64, _ index: Int, _ answers: inout [Bool]) -> Bool {
        while answers.count <= index { answers.append(isBusiness(minuteStarting: start + Int64(answers.count) * 60_000)) }
        return answers[index]
    }
}

/// One random case: a calendar (product and oracle forms), an opening minute near a
/// daylight-saving change of its zone, a target in whole minutes and an instant to measure to.
struct RandomCase: CustomStringConvertible {
    var zone: String
    var days: [Weekday]
    var opens: Int
    var closes: Int
    var holidays: [LocalDate]
    var calendar: BusinessCalendar
    var oracle: MinuteOracle
    var opened: Int64
    var until: Int64
    var targetMinutes: Int

    init(_ random: inout SplitMix64) throws {
        zone = SLAOracleTests.zones[Int(random.next() % UInt64(SLAOracleTests.zones.count))]
        let timeZone = try #require(TimeZone(identifier: zone))
        days = Weekday.allCases.filter { _ in random.next() % 10 < 7 }
        if days.isEmpty { days = [Weekday.allCases[Int(random.next() % 7)]] }
        switch random.next() % 20 {
        case 0..<8:
            opens = Int(random.next() % 1440)
            closes = opens + 1 + Int(random.next() % UInt64(1440 - opens))
        case 8..<14:
            // Around the night hours when clocks change (00:00 to 03:00 in the zones above).
            opens = [0, 30, 60, 90, 120, 150, 180][Int(random.next() % 7)]
            closes = opens + 15 + Int(random.next() % 240)
        case 14..<17: (opens, closes) = (0, 1440)
        default: (opens, closes) = (540, 1020)
        }
        // Near a change of the zone (a random one between 2018 and 2027), or anywhere in the year without one.
        let yearStart = Double(1_514_764_800 + Int64(random.next() % 10) * 31_556_952)
        let from = Date(timeIntervalSince1970: yearStart + Double(random.next() % 365) * 86_400)
        let anchor = timeZone.nextDaylightSavingTimeTransition(after: from) ?? from
        let anchorMinute = Int64(anchor.timeIntervalSince1970) / 60 * 60_000
        opened = anchorMinute - Int64(random.next() % (4 * 1440)) * 60_000 + Int64(random.next() % 1440) * 60_000
        let openedDay = opened / 86_400_000
        holidays = (0..<Int(random.next() % 6)).map { _ in LocalDate(daysSinceEpoch: openedDay - 1 + Int64(random.next() % 14)) }
        let span = closes - opens
        // Up to 3 business days (whole ones a quarter of the time), at most two days' worth of minutes.
        targetMinutes = random.next() % 4 == 0
            ? span * (1 + Int(random.next() % 3))
            : 1 + Int(random.next() % UInt64(3 * span))
        targetMinutes = min(targetMinutes, 2 * 1440)
        until = opened + Int64(random.next() % (3 * 1440)) * 60_000
        calendar = try BusinessCalendar(timeZone: timeZone, workingDays: Set(days), opens: try #require(TimeOfDay(minutes: opens)),
                                        closes: try #require(TimeOfDay(minutes: closes)), holidays: holidays)
        let foundationWeekday: [Weekday: Int] = [.sun: 1, .mon: 2, .tue: 3, .wed: 4, .thu: 5, .fri: 6, .sat: 7]
        let holidayKeys = try holidays.map { date in
            let parts = date.text.split(separator: "-").compactMap { Int($0) }
            try #require(parts.count == 3)
            return parts[0] * 10_000 + parts[1] * 100 + parts[2]
        }
        oracle = MinuteOracle(timeZone: timeZone, weekdays: Set(days.compactMap { foundationWeekday[$0] }), opens: opens, closes: closes,
                              holidays: Set(holidayKeys))
    }

    var description: String {
        "\(zone) \(days.map(\.rawValue).joined(separator: ",")) \(opens)-\(closes) min holidays \(holidays.map(\.text)) "
            + "opened \(Timestamp(millisecondsSinceEpoch: opened)) target \(targetMinutes) min"
    }
}

