import Foundation
import Testing
import TestSupport
import Domain
@testable import Notifier

/// `ContactSchedule` (when a non-urgent notification may go) against a second, deliberately plain
/// implementation: Foundation's Calendar for the local clock, each window spread over a week of
/// minutes, and a walk minute by minute. Named cases: a window across midnight, quiet hours, and
/// Europe/Amsterdam's spring-forward (2026-03-29) and fall-back (2026-10-25).
@Suite(.onDedicatedThreads) struct ContactScheduleTests {
    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
    static func window(_ text: String) -> ContactWindow { ContactWindow(parsing: text)! }
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    static func next(_ window: String?, quiet: String? = nil, zone: TimeZone = amsterdam, _ now: String) -> Timestamp? {
        ContactSchedule(window: window.map(Self.window), quietHours: quiet.map(Self.window), timeZone: zone).nextOpening(atOrAfter: at(now))
    }

    // MARK: - Named cases

    @Test("a window across midnight: open from 22:00 to 06:00, belonging to the day it starts")
    func windowAcrossMidnight() {
        // January: CET, UTC+1.
        #expect(Self.next("daily 22:00-06:00", "2026-01-14T20:00:00Z") == Self.at("2026-01-14T21:00:00Z"))
        #expect(Self.next("daily 22:00-06:00", "2026-01-14T22:30:00Z") == Self.at("2026-01-14T22:30:00Z"))
        #expect(Self.next("daily 22:00-06:00", "2026-01-15T04:59:00Z") == Self.at("2026-01-15T04:59:00Z"))
        #expect(Self.next("daily 22:00-06:00", "2026-01-15T05:00:00Z") == Self.at("2026-01-15T21:00:00Z"))
        // Friday's night runs into Saturday morning; Thursday's is not listed.
        #expect(Self.next("fri 22:00-06:00", "2026-01-17T04:00:00Z") == Self.at("2026-01-17T04:00:00Z"))
        #expect(Self.next("fri 22:00-06:00", "2026-01-16T04:00:00Z") == Self.at("2026-01-16T21:00:00Z"))
        #expect(Self.next("weekdays 09:00-12:00", "2026-01-16T12:00:00Z") == Self.at("2026-01-19T08:00:00Z"))
    }

    @Test("DST spring-forward in Amsterdam: a window the jump cuts opens at the jump; one it skips whole opens a week later")
    func springForward() {
        // 2026-03-29 02:00 CET becomes 03:00 CEST (01:00 UTC).
        #expect(Self.next("daily 02:30-04:00", "2026-03-29T00:30:00Z") == Self.at("2026-03-29T01:00:00Z"))
        #expect(Self.next("sun 02:00-02:30", "2026-03-29T00:30:00Z") == Self.at("2026-04-05T00:00:00Z"))
        // The 23-hour day: Saturday 18:00 CET to Sunday 09:00 CEST.
        #expect(Self.next("daily 09:00-17:00", "2026-03-28T17:00:00Z") == Self.at("2026-03-29T07:00:00Z"))
        // Quiet hours across midnight and the jump: Saturday 23:00 CET waits for 07:00 CEST.
        #expect(Self.next(nil, quiet: "daily 22:00-07:00", "2026-03-28T22:00:00Z") == Self.at("2026-03-29T05:00:00Z"))
    }

    @Test("DST fall-back in Amsterdam: the repeated hour opens the first time, and again the second")
    func fallBack() {
        // 2026-10-25 03:00 CEST becomes 02:00 CET (01:00 UTC): 02:00-03:00 happens twice.
        #expect(Self.next("daily 02:30-03:00", "2026-10-25T00:00:00Z") == Self.at("2026-10-25T00:30:00Z"))
        #expect(Self.next("daily 02:30-03:00", "2026-10-25T00:45:00Z") == Self.at("2026-10-25T00:45:00Z"))
        #expect(Self.next("daily 02:30-03:00", "2026-10-25T01:00:00Z") == Self.at("2026-10-25T01:30:00Z"))
        // The 25-hour day: Saturday 18:00 CEST to Sunday 09:00 CET.
        #expect(Self.next("daily 09:00-17:00", "2026-10-24T16:00:00Z") == Self.at("2026-10-25T08:00:00Z"))
    }

    @Test("no window and no quiet hours is always open; a window wholly inside the quiet hours never opens")
    func edges() {
        #expect(Self.next(nil, "2026-06-01T03:17:12Z") == Self.at("2026-06-01T03:17:12Z"))
        #expect(Self.next("daily 23:00-23:30", quiet: "daily 22:00-07:00", "2026-06-01T03:17:12Z") == nil)
        #expect(Self.next("daily 00:00-24:00", "2026-06-01T03:17:12Z") == Self.at("2026-06-01T03:17:12Z"))
    }

    // MARK: - Against the plain implementation

    @Test("equals a minute-by-minute walk over 400 random windows, quiet hours, zones and instants near DST changes")
    func randomCasesEqualTheWalk() {
        var random = SplitMix64(seed: 17)
        let zones = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "America/Santiago"]
            .map { TimeZone(identifier: $0)! }
        // Around the 2026 changes of those zones (and ordinary days between them).
        let anchors = ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z",
                       "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z", "2026-04-05T03:00:00Z", "2026-09-06T04:00:00Z",
                       "2026-06-15T12:00:00Z"].map(Self.at)
        func randomWindow() -> ContactWindow {
            var w = Self.window("daily 00:00-24:00")
            w.days = Set((0..<7).filter { _ in Bool.random(using: &random) })
            if w.days.isEmpty { w.days = [Int.random(in: 0..<7, using: &random)] }
            let from = Int.random(in: 0..<1440, using: &random), to = Int.random(in: 1...1440, using: &random)
            (w.from, w.to) = from == to ? (0, 1440) : (from, to)
            return w
        }
        for n in 0..<400 {
            let zone = zones[n % zones.count]
            let schedule = ContactSchedule(window: n % 5 == 4 ? nil : randomWindow(),
                                           quietHours: n % 3 == 0 ? randomWindow() : nil, timeZone: zone)
            let anchor = anchors[Int.random(in: 0..<anchors.count, using: &random)]
            let now = anchor.adding(milliseconds: Int64.random(in: -3 * 86_400_000...3 * 86_400_000, using: &random))
            let plain = PlainSchedule(schedule)
            #expect(schedule.isOpen(at: now) == plain.isOpen(now), "case \(n): \(schedule) at \(now)")
            #expect(schedule.nextOpening(atOrAfter: now) == plain.nextOpening(now), "case \(n): \(schedule) at \(now)")
        }
    }
}

/// The second implementation: the local clock from Calendar, each window as a week of minutes
/// (Monday 00:00 first), and a walk of whole minutes.
struct PlainSchedule {
    let calendar: Calendar
    let allowed: [Bool]

    init(_ s: ContactSchedule) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = s.timeZone
        self.calendar = calendar
        func week(_ w: ContactWindow?, ifNone: Bool) -> [Bool] {
            guard let w else { return Array(repeating: ifNone, count: 7 * 1440) }
            var minutes = Array(repeating: false, count: 7 * 1440)
            let length = w.to > w.from ? w.to - w.from : w.to + 1440 - w.from
            for day in w.days {
                for m in 0..<length { minutes[(day * 1440 + w.from + m) % (7 * 1440)] = true }
            }
            return minutes
        }
        let window = week(s.window, ifNone: true), quiet = week(s.quietHours, ifNone: false)
        allowed = (0..<(7 * 1440)).map { window[$0] && !quiet[$0] }
    }

    func isOpen(_ t: Timestamp) -> Bool {
        let c = calendar.dateComponents([.weekday, .hour, .minute], from: t.date)
        let monday0 = (c.weekday! + 5) % 7
        return allowed[monday0 * 1440 + c.hour! * 60 + c.minute!]
    }

    func nextOpening(_ now: Timestamp) -> Timestamp? {
        if isOpen(now) { return now }
        let minute: Int64 = 60_000
        var t = Timestamp(millisecondsSinceEpoch: (now.millisecondsSinceEpoch / minute + 1) * minute)
        let horizon = now.adding(milliseconds: (ContactSchedule.horizonDays + 1) * 86_400_000)
        while t < horizon {
            if isOpen(t) { return t }
            t = t.adding(milliseconds: minute)
        }
        return nil
    }
}
