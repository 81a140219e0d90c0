import Domain
import HTTPServer

/// `/admin/sla` (`edit_sla_policies`: managers and admins; on the campus desk agents): the SLA
/// targets of each priority and the business calendar, each in its own form (CSRF, no
/// JavaScript). Saving either makes a new version, for tickets reported after it.
///
/// A target is an amount with a unit (minutes, hours, business days) on a clock; a refusal names
/// its field (`P2.first_response`, `time_zone`, …) at the top of the page, above the forms.
enum AdminSLAPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var current: SLAVersionRecord
        var flash: Layout.Flash?
        var requestID: String
    }

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 16_384)
        Layout.page(title: "Service targets", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            b.raw("<h1>Service targets (SLA)</h1>\n<p>Version ")
            b.number(m.current.sla.version)
            b.raw(" since ")
            b.time(m.current.createdAt, time)
            if m.current.sla.version > 1, let name = m.current.createdByName {
                b.raw(", by ")
                b.text(name)
            }
            b.raw(". A change makes a new version; it applies to tickets reported after it, tickets already reported keep theirs.</p>\n")
            policiesForm(m, into: &b)
            calendarForm(m, into: &b)
        }, into: &h)
        return h.bytes
    }

    private static func policiesForm(_ m: Model, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"targets-h\">\n<h2 id=\"targets-h\">Targets per priority</h2>\n")
        b.raw("<form method=\"post\" action=\"/admin/sla/policies\" class=\"stack\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-policies", into: &b)
        for policy in m.current.sla.policies.policies {
            for kind in SLATimerKind.allCases {
                let target = kind == .firstResponse ? policy.firstResponse : policy.resolution
                let field = policy.priority.rawValue + "." + kind.rawValue
                let words = policy.priority.rawValue + (kind == .firstResponse ? " first response" : " resolution")
                let (amount, unit) = amountAndUnit(target.length)
                b.raw("<fieldset>\n<legend>")
                b.text(words)
                b.raw("</legend>\n")
                label(field + ".amount", "Amount", into: &b)
                b.raw("<input type=\"number\" min=\"1\" required id=\"")
                b.text(field + ".amount")
                b.raw("\" name=\"")
                b.text(field + ".amount")
                b.raw("\" value=\"")
                b.number(Int64(amount))
                b.raw("\">\n")
                select(field + ".unit", "Unit", [("minutes", "minutes"), ("hours", "hours"), ("business_days", "business days")], selected: unit, into: &b)
                select(field + ".clock", "Clock", [("business_hours", "business hours"), ("24x7", "around the clock")],
                       selected: target.clock.rawValue, into: &b)
                b.raw("</fieldset>\n")
            }
        }
        b.raw("<button type=\"submit\">Save targets</button>\n</form>\n</section>\n")
    }

    private static func calendarForm(_ m: Model, into b: inout HTMLBuffer) {
        let c = m.current.sla.calendar
        b.raw("<section aria-labelledby=\"calendar-h\">\n<h2 id=\"calendar-h\">Business calendar</h2>\n")
        b.raw("<form method=\"post\" action=\"/admin/sla/calendar\" class=\"stack narrow\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-calendar", into: &b)
        text("time_zone", "Time zone (such as Europe/Berlin)", c.timeZone.identifier, into: &b)
        b.raw("<fieldset>\n<legend>Working days</legend>\n")
        for day in Weekday.allCases {
            b.raw("<label><input type=\"checkbox\" name=\"working_days\" value=\"")
            b.text(day.rawValue)
            b.raw("\"")
            if c.workingDays.contains(day) { b.raw(" checked") }
            b.raw("> ")
            b.text(day.rawValue)
            b.raw("</label>\n")
        }
        b.raw("</fieldset>\n")
        text("opens", "Opens (HH:MM)", c.opens.text, into: &b)
        text("closes", "Closes (HH:MM)", c.closes.text, into: &b)
        label("holidays", "Holidays (YYYY-MM-DD, one per line)", into: &b)
        b.raw("<textarea id=\"holidays\" name=\"holidays\" rows=\"6\">")
        b.text(c.holidays.map(\.description).joined(separator: "\n"))
        b.raw("</textarea>\n<button type=\"submit\">Save calendar</button>\n</form>\n</section>\n")
    }

    /// The form's amount and unit for a length: whole hours as hours.
    static func amountAndUnit(_ length: SLATarget.Length) -> (Int, String) {
        switch length {
        case .businessDays(let n): (n, "business_days")
        case .minutes(let n) where n % 60 == 0: (n / 60, "hours")
        case .minutes(let n): (n, "minutes")
        }
    }

    private static func label(_ id: String, _ words: String, into b: inout HTMLBuffer) {
        b.raw("<label for=\"")
        b.text(id)
        b.raw("\">")
        b.text(words)
        b.raw("</label>\n")
    }

    private static func text(_ name: String, _ words: String, _ value: String, into b: inout HTMLBuffer) {
        label(name, words, into: &b)
        b.raw("<input type=\"text\" required id=\"")
        b.text(name)
        b.raw("\" name=\"")
        b.text(name)
        b.raw("\" value=\"")
        b.text(value)
        b.raw("\">\n")
    }

    private static func select(_ id: String, _ words: String, _ options: [(String, String)], selected: String, into b: inout HTMLBuffer) {
        label(id, words, into: &b)
        b.raw("<select id=\"")
        b.text(id)
        b.raw("\" name=\"")
        b.text(id)
        b.raw("\">\n")
        for (value, shown) in options {
            b.raw("<option value=\"")
            b.text(value)
            b.raw("\"")
            if value == selected { b.raw(" selected") }
            b.raw(">")
            b.text(shown)
            b.raw("</option>\n")
        }
        b.raw("</select>\n")
    }
}
