import Testing
@testable import Domain

/// The preferred contact time: lenient reading, one canonical text, the API's strict form.
@Suite struct ContactWindowTests {
    @Test("readable forms become one canonical text", arguments: [
        ("weekdays 09:00-12:00", "weekdays 09:00-12:00"),
        ("Weekdays 9:00\u{2013}12:00", "weekdays 09:00-12:00"),
        ("mon-fri 09:00 - 12:00", "weekdays 09:00-12:00"),
        ("Monday,Wednesday 14:00 to 16:00", "mon,wed 14:00-16:00"),
        ("sat,sun 10:00-16:00", "weekends 10:00-16:00"),
        ("daily 08:00-20:00", "daily 08:00-20:00"),
        ("fri-mon 18:00-22:00", "mon,fri,sat,sun 18:00-22:00"),
        ("daily 22:00-06:00", "daily 22:00-06:00"),
        ("tue 09:00-09:00", "tue 00:00-24:00"),
        ("thu 00:00-24:00", "thu 00:00-24:00"),
    ])
    func canonical(_ input: String, _ expected: String) throws {
        let w = try #require(ContactWindow(parsing: input), "\(input)")
        #expect(w.text == expected)
        // The canonical text reads back to itself, and has the API's form.
        #expect(ContactWindow(parsing: w.text)?.text == expected)
        #expect(ContactWindow.hasAPIForm(w.text))
    }

    @Test("nonsense is refused with a rule that says what to write", arguments: [
        "", "09:00-12:00", "weekdays", "someday 09:00-12:00", "mo 09:00-12:00", "weekdays 25:00-26:00",
        "weekdays 09:60-10:00", "weekdays 9-12", "weekdays 09:00-12:00-13:00", "mon/wed 09:00-10:00", "daily 24:00-06:00",
    ])
    func refused(_ input: String) throws {
        #expect(ContactWindow(parsing: input) == nil, "\(input)")
        #expect(throws: Refusal.self) { try TicketRules.preferredContactTime(input.isEmpty ? "x" : input) }
    }

    @Test("the API form is exactly the documented pattern", arguments: [
        ("weekdays 09:00-12:00", true), ("mon,wed 14:00-16:00", true), ("daily 23:59-24:00", true), ("sun 22:00-06:00", true),
        ("Weekdays 09:00-12:00", false), ("weekdays 9:00-12:00", false), ("mon-fri 09:00-12:00", false), ("mon, wed 14:00-16:00", false),
        ("daily 24:00-01:00", false), ("daily 09:00-24:01", false), ("mon,,tue 09:00-10:00", false), (" weekdays 09:00-12:00", false),
    ])
    func apiForm(_ text: String, _ valid: Bool) throws {
        #expect(ContactWindow.hasAPIForm(text) == valid, "\(text)")
        // Everything of the API form is accepted by the worker (the document promises it).
        if valid { #expect(ContactWindow(parsing: text) != nil) }
        let regex = try Regex(ContactWindow.apiPattern)
        #expect((text.wholeMatch(of: regex) != nil) == valid, "regex vs hand check: \(text)")
    }

    @Test("contact e-mail and phone follow the account rules, under their own field names; blank clears")
    func contactFields() throws {
        #expect(try TicketRules.contactEmail(" Ana@Campus.Example ") == "ana@campus.example")
        #expect(try TicketRules.contactEmail("   ") == nil)
        #expect(try TicketRules.contactPhone("+49 30 1234") == "+49 30 1234")
        do { _ = try TicketRules.contactEmail("not an address"); Issue.record("accepted") } catch { #expect(error.field == "contact_email") }
        do { _ = try TicketRules.contactPhone("call me"); Issue.record("accepted") } catch { #expect(error.field == "contact_phone") }
    }
}
