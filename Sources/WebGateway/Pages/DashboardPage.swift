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

    static func render(_ m: Model, time: CampusTime) -> String {
        var b = "<h1>Dashboard</h1>\n<p class=\"muted\">Refreshes every \(m.refreshSeconds) seconds. Times in \(escapeHTML(time.timeZone.identifier)).</p>\n"

        b += "<section aria-labelledby=\"open-h\" class=\"panel\">\n<h2 id=\"open-h\">Open tickets</h2>\n"
        b += "<form method=\"get\" action=\"/dashboard\" class=\"filters\">\n"
        var state = FormState(values: m.periodInput)
        if let e = m.periodError { state.errors["period"] = e }
        b += Field.control(.number, name: "period", label: "Opened in the last", idPrefix: "dash", state: state, value: String(m.period.amount),
                           required: true, extra: "min=\"1\" max=\"8760\"")
        b += Field.select(name: "unit", label: "Unit", idPrefix: "dash", options: [("hours", "hours"), ("days", "days")],
                          selected: m.period.unit.rawValue, state: state)
        b += "<button type=\"submit\">Show</button>\n</form>\n"
        switch m.openTickets {
        case .answered(let a):
            b += "<table>\n<caption>Tickets opened since \(time.html(a.since)) that are not closed</caption>\n"
            b += "<thead><tr><th scope=\"col\">Period (hours)</th><th scope=\"col\">Not closed</th></tr></thead>\n"
            b += "<tbody><tr><td>\(a.hours)</td><td>\(a.count)</td></tr></tbody>\n</table>\n"
            b += "<p><a href=\"/dashboard/open-tickets.csv?hours=\(a.hours)\" download>Download CSV</a></p>\n"
        default:
            b += unavailable(m.openTickets.failureText(service: "open-tickets"))
        }
        b += "</section>\n"

        b += "<section aria-labelledby=\"res-h\" class=\"panel\">\n<h2 id=\"res-h\">Resolution time by opening month</h2>\n"
        switch m.resolutionTime {
        case .answered(let a):
            b += "<div class=\"chart-row\">\n"
            if !a.months.isEmpty { b += "<figure class=\"chart\">" + ResolutionTimeChart.svg(a) + "</figure>\n" }
            if a.months.isEmpty {
                b += "<p>No closed tickets yet.</p>\n"
            } else {
                b += "<table>\n<caption>Average time from opening to closing, per month opened</caption>\n"
                b += "<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Closed tickets</th><th scope=\"col\">Average resolution time</th></tr></thead>\n<tbody>\n"
                for row in a.months {
                    b += "<tr><td>\(escapeHTML(row.month))</td><td>\(row.closed)</td><td>\(escapeHTML(duration(row.averageSeconds)))</td></tr>\n"
                }
                b += "</tbody>\n</table>\n"
            }
            b += "</div>\n<p><a href=\"/dashboard/resolution-time.csv\" download>Download CSV</a></p>\n"
        default:
            b += unavailable(m.resolutionTime.failureText(service: "resolution-time"))
        }
        b += "</section>\n"

        b += "<section aria-labelledby=\"load-h\" class=\"panel\">\n<h2 id=\"load-h\">Active tickets per category</h2>\n"
        switch m.categoryLoad {
        case .answered(let a):
            b += "<div class=\"chart-row\">\n<figure class=\"chart\">" + CategoryLoadChart.svg(a) + "</figure>\n<table>\n<caption>Tickets per category and status</caption>\n"
            b += "<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Active</th><th scope=\"col\">Open</th><th scope=\"col\">Closed</th></tr></thead>\n<tbody>\n"
            for row in a.categories {
                b += "<tr><th scope=\"row\">\(Words.category(row.category))</th><td>\(row.active)</td><td>\(row.open)</td><td>\(row.closed)</td></tr>\n"
            }
            b += "</tbody>\n</table>\n</div>\n<p><a href=\"/dashboard/category-load.csv\" download>Download CSV</a></p>\n"
        default:
            b += unavailable(m.categoryLoad.failureText(service: "category-load"))
        }
        b += "</section>\n"
        return Layout.page(title: "Dashboard", visitor: m.visitor, csrfToken: m.csrfToken, refreshSeconds: m.refreshSeconds, body: b)
    }

    static func unavailable(_ text: String) -> String {
        "<p class=\"unavailable\" role=\"status\">\(escapeHTML(text))</p>\n"
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
