import Domain
import SpoolBroker
import HTTPServer

/// `/dashboard` (staff): the three analytics, each a chart beside its table and a CSV link.
///
/// Each panel renders its own outcome, so a worker that does not answer degrades only its panel.
/// The page never reloads itself (WCAG 2.2.1): a "Refresh now" link works without JavaScript,
/// and `/static/dashboard.js`, when it runs, replaces the panels in place every
/// `refreshSeconds`, can be paused, and announces each update in a polite live region.
enum DashboardPage {
    /// The period of the open-tickets panel as chosen in the form.
    struct Period: Sendable, Equatable {
        enum Unit: String, Sendable, CaseIterable { case hours, days }
        var amount: Int
        var unit: Unit
        var hours: Int { unit == .days ? amount * 24 : amount }
        var queryString: String { "period=\(amount)&unit=\(unit.rawValue)" }
        /// What the analytics worker is asked: the hours of the period, by hour or by day.
        var analytics: OpenTicketsPeriod { OpenTicketsPeriod(hours: hours, by: unit == .days ? .day : .hour) }
        static let standard = Period(amount: 24, unit: .hours)
        /// The form's limit: 1 hour to 365 days.
        static let maxHours = 365 * 24
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
        /// When the page was rendered.
        var renderedAt: Timestamp
    }

    /// The script that refreshes the panels in place; the page works without it.
    static let script: StaticString = "/static/dashboard.js"

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 16_384)
        Layout.page(title: "Dashboard", visitor: m.visitor, csrfToken: m.csrfToken, script: script,
                    body: { body(m, time: time, into: &$0) }, into: &h)
        return h.bytes
    }

    private static func body(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<h1>Dashboard</h1>\n")
        refreshControls(m, into: &b)
        b.raw("<div id=\"dashboard-panels\" data-refresh-seconds=\"")
        b.number(Int64(m.refreshSeconds))
        b.raw("\">\n<p class=\"muted\">Figures as of <span id=\"dashboard-stamp\">")
        b.text(time.text(m.renderedAt))
        b.raw("</span>. Times in ")
        b.text(time.timeZone.identifier)
        b.raw(".</p>\n")
        openTickets(m, time: time, into: &b)
        resolutionTime(m, into: &b)
        categoryLoad(m, into: &b)
        b.raw("</div>\n")
    }

    /// "Refresh now" (a link: works without JavaScript), the pause button the script shows, and
    /// the polite live region the script writes its updates to.
    private static func refreshControls(_ m: Model, into b: inout HTMLBuffer) {
        b.raw("<div class=\"refresh\">\n<p class=\"refresh-actions\"><a class=\"button\" id=\"refresh-now\" href=\"/dashboard?")
        b.text(m.period.queryString)
        b.raw("\">Refresh now</a>\n<button type=\"button\" id=\"refresh-toggle\" hidden>Pause automatic refresh</button></p>\n")
        b.raw("<p id=\"refresh-status\" role=\"status\" aria-live=\"polite\">These figures stay as they are until you refresh.</p>\n</div>\n")
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
            b.raw("<p class=\"total\">")
            b.number(Int64(a.count))
            b.raw(a.count == 1 ? " ticket opened since " : " tickets opened since ")
            b.time(a.since, time)
            b.raw(a.count == 1 ? " is not closed.</p>\n" : " are not closed.</p>\n")
            if let svg = OpenTicketsChart.svg(a, time: time) {
                b.raw("<div class=\"chart-row\">\n<figure class=\"chart\">")
                b.raw(html: svg)
                b.raw("</figure>\n")
                openTicketsTable(a, time: time, into: &b)
                b.raw("</div>\n")
            } else {
                b.raw("<p>No ticket opened in this period is still open.</p>\n")
            }
            b.raw("<p><a href=\"/dashboard/open-tickets.csv?")
            b.text(m.period.unit == .days ? "days=\(m.period.amount)" : "hours=\(m.period.amount)")
            b.raw("\" download>Download CSV</a></p>\n")
        default:
            unavailable(m.openTickets.failureText(service: "open-tickets"), into: &b)
        }
        b.raw("</section>\n")
    }

    /// The chart's numbers as a table: one row per slot that holds a ticket, a total row last.
    private static func openTicketsTable(_ a: OpenTicketsAnswer, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<table>\n<caption>Not-closed tickets by opening ")
        b.raw(a.by == .hour ? "hour" : "day")
        b.raw(" and category</caption>\n<thead><tr><th scope=\"col\">Opened</th>")
        for entry in OpenTicketsChart.series {
            b.raw("<th scope=\"col\">")
            b.text(CategoryLoadChart.label(entry.category))
            b.raw("</th>")
        }
        b.raw("<th scope=\"col\">Total</th></tr></thead>\n<tbody>\n")
        for bucket in a.buckets {
            b.raw("<tr><th scope=\"row\">")
            b.text(OpenTicketsChart.slotLabel(bucket.start, by: a.by, time: time))
            b.raw("</th>")
            for entry in OpenTicketsChart.series { cell(bucket.counts[entry.category], into: &b) }
            cell(bucket.counts.total, into: &b)
            b.raw("</tr>\n")
        }
        b.raw("</tbody>\n<tfoot><tr><th scope=\"row\">Total</th>")
        for entry in OpenTicketsChart.series { cell(OpenTicketsChart.total(a, entry.category), into: &b) }
        cell(a.count, into: &b)
        b.raw("</tr></tfoot>\n</table>\n")
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
