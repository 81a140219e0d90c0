import Foundation
import Testing
@testable import Domain

/// The calendar's and the policies' checks and JSON shapes (`/api/sla/calendar`, `/api/sla/policies`).
@Suite struct SLAPolicyTests {
    @Test("the calendar's JSON: snake_case keys, HH:MM, YYYY-MM-DD, days Monday first, holidays sorted once")
    func calendarJSON() throws {
        let input = #"{"time_zone":"Europe/Berlin","working_days":["fri","mon","tue","wed","thu"],"opens":"08:30","closes":"24:00","holidays":["2026-12-26","2026-12-25","2026-12-25"]}"#
        let calendar = try JSONDecoder().decode(BusinessCalendar.self, from: Data(input.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(calendar), as: UTF8.self)
        #expect(text == #"{"closes":"24:00","holidays":["2026-12-25","2026-12-26"],"opens":"08:30","time_zone":"Europe\/Berlin","working_days":["mon","tue","wed","thu","fri"]}"#)
        #expect(try JSONDecoder().decode(BusinessCalendar.self, from: Data(text.utf8)) == calendar)
        #expect(calendar.businessDayMilliseconds == 930 * 60_000)
    }

    @Test("a calendar that breaks a rule is refused naming the field", arguments: [
        (#"{"time_zone":"Mars/Olympus","working_days":["mon"],"opens":"09:00","closes":"17:00"}"#, "time_zone"),
        (#"{"time_zone":"","working_days":["mon"],"opens":"09:00","closes":"17:00"}"#, "time_zone"),
        (#"{"time_zone":"UTC","working_days":[],"opens":"09:00","closes":"17:00"}"#, "working_days"),
        (#"{"time_zone":"UTC","working_days":["monday"],"opens":"09:00","closes":"17:00"}"#, "working_days"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"9:00","closes":"17:00"}"#, "opens"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"24:00","closes":"24:00"}"#, "opens"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"09:00","closes":"24:01"}"#, "closes"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"18:00","closes":"17:00"}"#, "closes"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"09:00","closes":"09:00"}"#, "closes"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"09:00","closes":"17:00","holidays":["2026-02-29"]}"#, "holidays"),
        (#"{"time_zone":"UTC","working_days":["mon"],"opens":"09:00","closes":"17:00","holidays":["2026-3-01"]}"#, "holidays"),
    ])
    func calendarRefused(_ json: String, _ field: String) throws {
        do {
            _ = try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
            Issue.record("accepted \(json)")
        } catch let refusal as Refusal {
            #expect(refusal.code == .validation)
            #expect(refusal.field == field)
        }
    }

    @Test("more holidays than the limit are refused")
    func tooManyHolidays() throws {
        let dates = (0...BusinessCalendar.maxHolidays).map { LocalDate(daysSinceEpoch: Int64($0)) }
        #expect(throws: Refusal.self) {
            try BusinessCalendar(timeZone: try #require(TimeZone(identifier: "UTC")), workingDays: [.mon],
                                 opens: try #require(TimeOfDay(parsing: "09:00")), closes: try #require(TimeOfDay(parsing: "17:00")), holidays: dates)
        }
    }

    @Test("the default policies are the issue's: P1 15 min / 4 h 24×7 … P4 1 / 5 business days")
    func defaults() throws {
        let d = SLAPolicies.default
        #expect(d[.p1] == SLAPolicy(priority: .p1, firstResponse: SLATarget(.minutes(15), clock: .aroundTheClock),
                                    resolution: SLATarget(.minutes(240), clock: .aroundTheClock)))
        #expect(d[.p2] == SLAPolicy(priority: .p2, firstResponse: SLATarget(.minutes(60), clock: .businessHours),
                                    resolution: SLATarget(.minutes(480), clock: .businessHours)))
        #expect(d[.p3] == SLAPolicy(priority: .p3, firstResponse: SLATarget(.minutes(240), clock: .businessHours),
                                    resolution: SLATarget(.businessDays(3), clock: .businessHours)))
        #expect(d[.p4] == SLAPolicy(priority: .p4, firstResponse: SLATarget(.businessDays(1), clock: .businessHours),
                                    resolution: SLATarget(.businessDays(5), clock: .businessHours)))
        // The defaults pass their own checks.
        #expect(try SLAPolicies(d.policies) == d)
    }

    @Test("the policies' JSON round-trips in the documented shape")
    func policiesJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(SLAPolicies.default), as: UTF8.self)
        #expect(text.hasPrefix(#"{"policies":[{"first_response":{"clock":"24x7","minutes":15},"priority":"P1","resolution":{"clock":"24x7","minutes":240}}"#))
        #expect(text.contains(#"{"first_response":{"business_days":1,"clock":"business_hours"},"priority":"P4","resolution":{"business_days":5,"clock":"business_hours"}}"#))
        #expect(try JSONDecoder().decode(SLAPolicies.self, from: Data(text.utf8)) == .default)
    }

    @Test("policies that break a rule are refused naming the field")
    func policiesRefused() throws {
        var missing = SLAPolicies.default.policies
        missing.removeLast()
        #expect(throws: Refusal(.validation, "Give one policy for each priority P1, P2, P3 and P4.", field: "policies")) { try SLAPolicies(missing) }
        var repeated = SLAPolicies.default.policies
        repeated[3].priority = .p3
        #expect(throws: Refusal.self) { try SLAPolicies(repeated) }
        func field(_ change: (inout [SLAPolicy]) -> Void) -> String? {
            var policies = SLAPolicies.default.policies
            change(&policies)
            do { _ = try SLAPolicies(policies); return nil } catch { return error.field }
        }
        #expect(field { $0[1].firstResponse.length = .minutes(0) } == "P2.first_response")
        #expect(field { $0[0].resolution.length = .businessDays(1) } == "P1.resolution")
        #expect(field { $0[3].resolution.length = .businessDays(SLATarget.maxBusinessDays + 1) } == "P4.resolution")
        #expect(field { $0[2].resolution.length = .minutes(SLATarget.maxMinutes + 1) } == "P3.resolution")
        #expect(field { _ in } == nil)
    }

    @Test("a target gives minutes or business days, not both nor neither")
    func targetShape() throws {
        for json in [#"{"clock":"24x7"}"#, #"{"clock":"24x7","minutes":5,"business_days":1}"#, #"{"clock":"sometimes","minutes":5}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLATarget.self, from: Data(json.utf8)) }
        }
    }
}
