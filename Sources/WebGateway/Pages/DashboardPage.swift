import Domain
import SpoolBroker
import HTTPServer

/// `/dashboard` (staff): the three analytics, each a chart beside its table and a CSV link.
///
/// Each panel renders its own outcome, so a worker that does not answer degrades only its panel.
enum DashboardPage {
    /// The period of the open-tickets panel as chosen in the form.
    struct Period: Sendable, Equatable {
        enum Unit: String, Sendable, CaseIterable { case hours, days }
        var amount: Int
        var unit: Unit
        var hours: Int { unit == .days ? amount * 24 : amount }
        var queryString: String { "period=\(amount)&unit=\(unit.rawValue)" }
        static let standard = Period(amount: 24, unit: .hours)
    }

    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var period: Period
        var periodError: String?
        var periodInput: [String: String]
        var openTickets: AnalyticsOutcome<OpenTicketsAnswer>
        var resolutionTime: AnalyticsOutcome<ResolutionTimeAnswer>
        var categoryLoad: AnalyticsOutcome<CategoryLoadAnswer>
        var refreshSeconds: Int
    }

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 16_384)
        Layout.page(title: "Dashboard", visitor: m.visitor, csrfToken: m.csrfToken, refreshSeconds: m.refreshSeconds,
                    body: { body(m, time: time, into: &$0) }, into: &h)
        return h.bytes
    }

    private static func body(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<h1>Dashboard</h1>\n<p class=\"muted\">Refreshes every ")
        b.number(Int64(m.refreshSeconds))
        b.raw(" seconds. Times in ")
        b.text(time.timeZone.identifier)
        b.raw(".</p>\n")
        openTickets(m, time: time, into: &b)
        resolutionTime(m, into: &b)
        categoryLoad(m, into: &b)
    }

    private static func openTickets(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"open-h\" class=\"panel\">\n<h2 id=\"open-h\">Open tickets</h2>\n")
        b.raw("<form method=\"get\" action=\"/dashboard\" class=\"filters\">\n")
        var state = FormState(values: m.periodInput)
        if let e = m.periodError { state.errors["period"] = e }
        Field.control(.number, name: "period", label: "Opened in the last", idPrefix: "dash", state: state, value: String(m.period.amount),
                      required: true, extra: "min=\"1\" max=\"8760\"", into: &b)
        Field.select(name: "unit", label: "Unit", idPrefix: "dash", options: [("hours", "hours"), ("days", "days")],
                     selected: m.period.unit.rawValue, state: state, into: &b)
        b.raw("<button type=\"submit\">Show</button>\n</form>\n")
        switch m.openTickets {
        case .answered(let a):
            b.raw("<table>\n<caption>Tickets opened since ")
            b.time(a.since, time)
            b.raw(" that are not closed</caption>\n")
            b.raw("<thead><tr><th scope=\"col\">Period (hours)</th><th scope=\"col\">Not closed</th></tr></thead>\n")
            b.raw("<tbody><tr>")
            cell(a.hours, into: &b)
            cell(a.count, into: &b)
            b.raw("</tr></tbody>\n</table>\n")
            b.raw("<p><a href=\"/dashboard/open-tickets.csv?hours=")
            b.number(Int64(a.hours))
            b.raw("\" download>Download CSV</a></p>\n")
        default:
            unavailable(m.openTickets.failureText(service: "open-tickets"), into: &b)
        }
        b.raw("</section>\n")
    }

    private static func resolutionTime(_ m: Model, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"res-h\" class=\"panel\">\n<h2 id=\"res-h\">Resolution time by opening month</h2>\n")
        switch m.resolutionTime {
        case .answered(let a):
            b.raw("<div class=\"chart-row\">\n")
            if a.months.isEmpty {
                b.raw("<p>No closed tickets yet.</p>\n")
            } else {
                b.raw("<figure class=\"chart\">")
                b.raw(html: ResolutionTimeChart.svg(a))
                b.raw("</figure>\n")
                b.raw("<table>\n<caption>Average time from opening to closing, per month opened</caption>\n")
                b.raw("<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Closed tickets</th><th scope=\"col\">Average resolution time</th></tr></thead>\n<tbody>\n")
                for row in a.months {
                    b.raw("<tr><td>")
                    b.text(row.month)
                    b.raw("</td>")
                    cell(row.closed, into: &b)
                    b.raw("<td>")
                    b.text(duration(row.averageSeconds))
                    b.raw("</td></tr>\n")
                }
                b.raw("</tbody>\n</table>\n")
            }
            b.raw("</div>\n<p><a href=\"/dashboard/resolution-time.csv\" download>Download CSV</a></p>\n")
        default:
            unavailable(m.resolutionTime.failureText(service: "resolution-time"), into: &b)
        }
        b.raw("</section>\n")
    }

    private static func categoryLoad(_ m: Model, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"load-h\" class=\"panel\">\n<h2 id=\"load-h\">Active tickets per category</h2>\n")
        switch m.categoryLoad {
        case .answered(let a):
            b.raw("<div class=\"chart-row\">\n<figure class=\"chart\">")
            b.raw(html: CategoryLoadChart.svg(a))
            b.raw("</figure>\n<table>\n<caption>Tickets per category and status</caption>\n")
            b.raw("<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Active</th><th scope=\"col\">Open</th><th scope=\"col\">Closed</th></tr></thead>\n<tbody>\n")
            for row in a.categories {
                b.raw("<tr><th scope=\"row\">")
                b.raw(Words.categoryName(row.category))
                b.raw("</th>")
                cell(row.active, into: &b)
                cell(row.open, into: &b)
                cell(row.closed, into: &b)
                b.raw("</tr>\n")
            }
            b.raw("</tbody>\n</table>\n</div>\n<p><a href=\"/dashboard/category-load.csv\" download>Download CSV</a></p>\n")
        default:
            unavailable(m.categoryLoad.failureText(service: "category-load"), into: &b)
        }
        b.raw("</section>\n")
    }

    /// A table cell holding a count.
    private static func cell(_ n: Int, into b: inout HTMLBuffer) {
        b.raw("<td>")
        b.number(Int64(n))
        b.raw("</td>")
    }

    private static func unavailable(_ text: String, into b: inout HTMLBuffer) {
        b.raw("<p class=\"unavailable\" role=\"status\">")
        b.text(text)
        b.raw("</p>\n")
    }

    /// `3 d 4 h`, `5 h 12 min`, `42 min`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let d = s / 86_400, h = (s % 86_400) / 3600, m = (s % 3600) / 60
        if d > 0 { return "\(d) d \(h) h" }
        if h > 0 { return "\(h) h \(m) min" }
        return "\(m) min"
    }
}

extension AnalyticsOutcome {
    /// What a panel says when its worker did not answer.
    func failureText(service: String) -> String {
        switch self {
        case .answered: ""
        case .timedOut: "The \(service) service did not answer in time. The other panels are current; this one retries on the next refresh."
        case .failed: "The \(service) service could not be asked right now. The other panels are current; this one retries on the next refresh."
        }
    }
}
