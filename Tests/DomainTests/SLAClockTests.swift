import Foundation
import Testing
@testable import Domain

/// Due times, business time elapsed and states on hand-checked cases: weekends, holidays, both
/// daylight-saving changes in Berlin and New York, spans over several days, tickets opened outside
/// hours, on a holiday and at the exact opening and closing instants, and 24×7 targets.
@Suite struct SLAClockTests {
    static func at(_ text: String) -> Timestamp {
        guard let t = Timestamp(iso8601: text) else { preconditionFailure("bad time \(text)") }
        return t
    }

    static func calendar(_ zone: String, days: [String] = ["mon", "tue", "wed", "thu", "fri"], _ opens: String = "09:00",
                         _ closes: String = "17:00", holidays: [String] = []) throws -> BusinessCalendar {
        try BusinessCalendar(timeZoneIdentifier: zone, workingDays: days, opens: opens, closes: closes, holidays: holidays)
    }

    static let daily = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    func due(_ opened: String, minutes: Int, _ calendar: BusinessCalendar) -> String {
        SLAClock.dueTime(opened: Self.at(opened), target: SLATarget(.minutes(minutes), clock: .businessHours), calendar: calendar).iso8601
    }

    func elapsedMinutes(_ from: String, _ to: String, _ calendar: BusinessCalendar) -> Double {
        Double(SLAClock.elapsedBusinessMilliseconds(from: Self.at(from), to: Self.at(to), calendar: calendar)) / 60_000
    }

    // MARK: - Weekends, holidays, several days

    @Test("a target runs over the weekend: Friday 15:00 + 4 h is Monday 11:00")
    func weekend() throws {
        let berlin = try Self.calendar("Europe/Berlin")
        #expect(due("2026-03-06T15:00:00+01:00", minutes: 240, berlin) == "2026-03-09T10:00:00.000Z")
        #expect(elapsedMinutes("2026-03-06T15:00:00+01:00", "2026-03-09T11:00:00+01:00", berlin) == 240)
    }

    @Test("a holiday is skipped like a weekend day")
    func holiday() throws {
        let berlin = try Self.calendar("Europe/Berlin", holidays: ["2026-03-09"])
        #expect(due("2026-03-06T15:00:00+01:00", minutes: 240, berlin) == "2026-03-10T10:00:00.000Z")
        #expect(elapsedMinutes("2026-03-06T15:00:00+01:00", "2026-03-10T11:00:00+01:00", berlin) == 240)
    }

    @Test("5 business days from Monday 10:00 is the next Monday 10:00; a Wednesday holiday adds a day")
    func severalDays() throws {
        let target = SLATarget(.businessDays(5), clock: .businessHours)
        let plain = try Self.calendar("Europe/Berlin")
        #expect(SLAClock.dueTime(opened: Self.at("2026-03-02T10:00:00+01:00"), target: target, calendar: plain).iso8601 == "2026-03-09T09:00:00.000Z")
        let withHoliday = try Self.calendar("Europe/Berlin", holidays: ["2026-03-04"])
        #expect(SLAClock.dueTime(opened: Self.at("2026-03-02T10:00:00+01:00"), target: target, calendar: withHoliday).iso8601 == "2026-03-10T09:00:00.000Z")
    }

    @Test("a business day is the calendar's opening span: 1 business day of 08:00-12:00 is 4 hours")
    func businessDayLength() throws {
        let short = try Self.calendar("Europe/Berlin", "08:00", "12:00")
        #expect(SLATarget(.businessDays(1), clock: .businessHours).milliseconds(in: short) == 4 * 3_600_000)
        let target = SLATarget(.businessDays(1), clock: .businessHours)
        // Monday 11:00 → Tuesday 11:00; Saturday → Monday at closing.
        #expect(SLAClock.dueTime(opened: Self.at("2026-03-02T11:00:00+01:00"), target: target, calendar: short).iso8601 == "2026-03-03T10:00:00.000Z")
        #expect(SLAClock.dueTime(opened: Self.at("2026-03-07T10:00:00+01:00"), target: target, calendar: short).iso8601 == "2026-03-09T11:00:00.000Z")
    }

    // MARK: - Opening outside hours and at the edges

    @Test("opened before opening, at the opening instant, at the closing instant, after closing")
    func edges() throws {
        let berlin = try Self.calendar("Europe/Berlin")
        #expect(due("2026-03-02T07:00:00+01:00", minutes: 60, berlin) == "2026-03-02T09:00:00.000Z")
        #expect(due("2026-03-02T09:00:00+01:00", minutes: 60, berlin) == "2026-03-02T09:00:00.000Z")
        #expect(due("2026-03-02T08:59:59.999+01:00", minutes: 60, berlin) == "2026-03-02T09:00:00.000Z")
        #expect(due("2026-03-02T17:00:00+01:00", minutes: 60, berlin) == "2026-03-03T09:00:00.000Z")
        #expect(due("2026-03-02T16:59:59.999+01:00", minutes: 1, berlin) == "2026-03-03T08:00:59.999Z")
        #expect(due("2026-03-02T22:30:00+01:00", minutes: 60, berlin) == "2026-03-03T09:00:00.000Z")
        // A target used up exactly at closing is due at the closing, not at the next opening.
        #expect(due("2026-03-02T16:00:00+01:00", minutes: 60, berlin) == "2026-03-02T16:00:00.000Z")
        // Nothing counts outside hours, and the opening instant is inside.
        #expect(elapsedMinutes("2026-03-02T17:00:00+01:00", "2026-03-03T09:00:00+01:00", berlin) == 0)
        #expect(elapsedMinutes("2026-03-02T17:00:00+01:00", "2026-03-03T09:01:00+01:00", berlin) == 1)
    }

    @Test("opened on a holiday (Good Friday, Easter Monday off) counts from Tuesday's opening")
    func openedOnHoliday() throws {
        let berlin = try Self.calendar("Europe/Berlin", holidays: ["2026-04-03", "2026-04-06"])
        #expect(due("2026-04-03T10:00:00+02:00", minutes: 60, berlin) == "2026-04-07T08:00:00.000Z")
    }

    // MARK: - Daylight saving

    @Test("Berlin: a weekend with a daylight-saving change keeps 09:00-17:00 local on both sides")
    func berlinOverChanges() throws {
        let berlin = try Self.calendar("Europe/Berlin")
        // Spring: Friday 16:00 CET + 8 h = Monday 16:00 CEST.
        #expect(due("2026-03-27T16:00:00+01:00", minutes: 480, berlin) == "2026-03-30T14:00:00.000Z")
        // Autumn: Friday 16:00 CEST + 8 h = Monday 16:00 CET.
        #expect(due("2026-10-23T16:00:00+02:00", minutes: 480, berlin) == "2026-10-26T15:00:00.000Z")
    }

    @Test("Berlin: 09:00-17:00 is 8 hours on the change days; a whole day is 23 and 25 hours")
    func berlinChangeDays() throws {
        let open = try Self.calendar("Europe/Berlin", days: Self.daily)
        #expect(elapsedMinutes("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", open) == 8 * 60)
        #expect(elapsedMinutes("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", open) == 8 * 60)
        let allDay = try Self.calendar("Europe/Berlin", days: Self.daily, "00:00", "24:00")
        #expect(elapsedMinutes("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", allDay) == 23 * 60)
        #expect(elapsedMinutes("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", allDay) == 25 * 60)
    }

    @Test("Berlin: a span the change falls inside lasts as the clock runs: 01:00-05:00 is 3 h, then 5 h")
    func berlinChangeInsideSpan() throws {
        let night = try Self.calendar("Europe/Berlin", days: Self.daily, "01:00", "05:00")
        #expect(elapsedMinutes("2026-03-29T00:00:00+01:00", "2026-03-29T12:00:00+02:00", night) == 3 * 60)
        #expect(elapsedMinutes("2026-10-25T00:00:00+02:00", "2026-10-25T12:00:00+01:00", night) == 5 * 60)
        // 02:00 CET does not exist: from 01:30 CET, 45 minutes end at 03:15 CEST.
        #expect(due("2026-03-29T01:30:00+01:00", minutes: 45, night) == "2026-03-29T01:15:00.000Z")
        // The repeated hour counts twice: from 01:30 CEST, 90 minutes end at 02:00 CET.
        #expect(due("2026-10-25T01:30:00+02:00", minutes: 90, night) == "2026-10-25T01:00:00.000Z")
    }

    @Test("New York: daily 09:00-17:00 across both changes, and a 01:00-03:00 span of 1 h and 3 h")
    func newYork() throws {
        let daily = try Self.calendar("America/New_York", days: Self.daily)
        // Spring (8 March 2026): Saturday 09:00 EST + 16 h = Sunday 17:00 EDT.
        #expect(due("2026-03-07T09:00:00-05:00", minutes: 960, daily) == "2026-03-08T21:00:00.000Z")
        // Autumn (1 November 2026): Saturday 09:00 EDT + 16 h = Sunday 17:00 EST.
        #expect(due("2026-10-31T09:00:00-04:00", minutes: 960, daily) == "2026-11-01T22:00:00.000Z")
        let night = try Self.calendar("America/New_York", days: Self.daily, "01:00", "03:00")
        #expect(elapsedMinutes("2026-03-08T00:00:00-05:00", "2026-03-08T12:00:00-04:00", night) == 60)
        #expect(elapsedMinutes("2026-11-01T00:00:00-04:00", "2026-11-01T12:00:00-05:00", night) == 180)
    }

    @Test("New York: an opening time the clock skips opens at the first instant after the gap")
    func openingInTheGap() throws {
        let early = try Self.calendar("America/New_York", days: Self.daily, "02:30", "04:00")
        // 02:30 on 8 March 2026 does not exist; the desk opens at 03:00 EDT (07:00Z).
        #expect(due("2026-03-08T00:00:00-05:00", minutes: 1, early) == "2026-03-08T07:01:00.000Z")
        #expect(elapsedMinutes("2026-03-08T00:00:00-05:00", "2026-03-08T12:00:00-04:00", early) == 60)
    }

    // MARK: - 24×7

    @Test("24×7 targets are real time: nights, weekends, holidays and daylight saving do not matter")
    func aroundTheClock() throws {
        let berlin = try Self.calendar("Europe/Berlin", holidays: ["2026-03-29"])
        let p1 = SLAPolicies.default[.p1]
        let opened = Self.at("2026-03-29T01:30:00+01:00")
        #expect(SLAClock.dueTime(opened: opened, target: p1.firstResponse, calendar: berlin).iso8601 == "2026-03-29T00:45:00.000Z")
        #expect(SLAClock.dueTime(opened: opened, target: p1.resolution, calendar: berlin).iso8601 == "2026-03-29T04:30:00.000Z")
        #expect(SLAClock.elapsed(from: opened, to: Self.at("2026-03-29T04:30:00Z"), clock: .aroundTheClock, calendar: berlin) == .seconds(4 * 3600))
    }

    // MARK: - State

    @Test("state: on track below 75 %, at risk from 75 %, breached at 100 %, met only before the due time")
    func states() throws {
        let berlin = try Self.calendar("Europe/Berlin")
        let p2 = SLAPolicies.default[.p2].firstResponse
        let opened = Self.at("2026-03-02T09:00:00+01:00")
        let deadlines = SLAClock.deadlines(opened: opened, target: p2, calendar: berlin)
        #expect(deadlines == SLADeadlines(atRisk: Self.at("2026-03-02T09:45:00+01:00"), due: Self.at("2026-03-02T10:00:00+01:00")))
        func state(_ now: String, met: String? = nil) -> SLAState {
            SLAClock.state(opened: opened, target: p2, calendar: berlin, now: Self.at(now), metAt: met.map(Self.at))
        }
        #expect(state("2026-03-02T09:44:59.999+01:00") == .onTrack)
        #expect(state("2026-03-02T09:45:00+01:00") == .atRisk)
        #expect(state("2026-03-02T09:59:59.999+01:00") == .atRisk)
        #expect(state("2026-03-02T10:00:00+01:00") == .breached)
        #expect(state("2026-03-03T10:00:00+01:00", met: "2026-03-02T09:59:59.999+01:00") == .met)
        #expect(state("2026-03-03T10:00:00+01:00", met: "2026-03-02T10:00:00+01:00") == .breached)
        // A response recorded after `now` does not count yet.
        #expect(state("2026-03-02T09:10:00+01:00", met: "2026-03-02T09:20:00+01:00") == .onTrack)
    }

    @Test("at risk over a night: 75 % of a 4 h target opened at 15:00 falls the next morning")
    func atRiskOvernight() throws {
        let berlin = try Self.calendar("Europe/Berlin")
        let p3 = SLAPolicies.default[.p3].firstResponse
        let deadlines = SLAClock.deadlines(opened: Self.at("2026-03-02T15:00:00+01:00"), target: p3, calendar: berlin)
        // 2 h on Monday; 3 h (75 %) at Tuesday 10:00, 4 h at 11:00.
        #expect(deadlines.atRisk.iso8601 == "2026-03-03T09:00:00.000Z")
        #expect(deadlines.due.iso8601 == "2026-03-03T10:00:00.000Z")
        #expect(SLAClock.state(opened: Self.at("2026-03-02T15:00:00+01:00"), target: p3, calendar: berlin,
                               now: Self.at("2026-03-02T23:00:00+01:00"), metAt: nil) == .onTrack)
    }

    @Test("5 business days cost a few steps a day, not one per minute")
    func fewSteps() throws {
        let berlin = try Self.calendar("Europe/Berlin", holidays: ["2026-03-25"])
        // Monday 23 March 10:00 CET, over a holiday and the spring change, due Tuesday 31 March 10:00 CEST
        // in the span that ends 17:00 CEST.
        var walk = BusinessIntervals(calendar: berlin, from: Self.at("2026-03-23T10:00:00+01:00").millisecondsSinceEpoch)
        var used: Int64 = 0
        var last: (begin: Int64, end: Int64) = (0, 0)
        while used < 40 * 3_600_000 {
            last = walk.next()
            used += last.end - last.begin
        }
        #expect(Timestamp(millisecondsSinceEpoch: last.end).iso8601 == "2026-03-31T15:00:00.000Z")
        #expect(walk.steps <= 3 * 9, "took \(walk.steps) steps for 9 calendar days")
    }

    @Test("a long run of holidays is crossed: a target opened before 2,000 closed days (the most a calendar holds) is due after them")
    func manyHolidays() throws {
        let first = try #require(LocalDate(parsing: "2026-01-01"))
        let holidays = (0..<BusinessCalendar.maxHolidays).map { LocalDate(daysSinceEpoch: first.daysSinceEpoch + Int64($0)).text }
        let calendar = try Self.calendar("UTC", days: Self.daily, holidays: holidays)
        let reopens = LocalDate(daysSinceEpoch: first.daysSinceEpoch + Int64(BusinessCalendar.maxHolidays)).text
        #expect(due("2025-12-31T16:30:00Z", minutes: 60, calendar) == "\(reopens)T09:30:00.000Z")
    }
}
