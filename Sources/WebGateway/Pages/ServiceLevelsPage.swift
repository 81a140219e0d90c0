import Domain
import HTTPServer

/// `/dashboard/service-levels` (`view_service_levels`: managers and admins; on the campus desk its
/// helpdesk staff): the manager's dashboard. SLA compliance by opening month and priority, the
/// tickets at risk and breached now, and each engineer's workload; each a chart beside the table
/// of its numbers and a CSV download, as on `/dashboard`.
///
/// One answer feeds the three panels, so when the service-levels worker does not answer the page
/// says so once and the rest of the gateway is unaffected.
enum ServiceLevelsPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var levels: AnalyticsOutcome<ServiceLevelsAnswer>
        /// Engineers' names by account number (the directory); others show as "Engineer #n".
        var names: [UserID: String]
    }

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 16_384)
        Layout.page(title: "Service levels", visitor: m.visitor, csrfToken: m.csrfToken, body: { b in
            b.raw("<h1>Service levels</h1>\n")
            b.raw("<p class=\"refresh-actions\"><a class=\"button\" href=\"/dashboard/service-levels\">Refresh now</a></p>\n")
            switch m.levels {
            case .answered(let a):
                b.raw("<p class=\"muted\">Figures as of ")
                b.time(a.asOf, time)
                b.raw(". Months in ")
                b.text(time.timeZone.identifier)
                b.raw(".</p>\n")
                compliance(a, into: &b)
                current(a, into: &b)
                workload(a, names: m.names, into: &b)
            default:
                b.raw("<p class=\"unavailable\" role=\"status\">")
                b.text(m.levels.failureText(service: "service-levels"))
                b.raw("</p>\n")
            }
        }, into: &h)
        return h.bytes
    }

    private static func compliance(_ a: ServiceLevelsAnswer, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"compliance-h\" class=\"panel\">\n<h2 id=\"compliance-h\">SLA compliance by opening month and priority</h2>\n")
        b.raw("<p>A target is met when it was met before its due time, and breached when it was met late or recorded breached; a target still running counts in neither.</p>\n")
        if a.compliance.isEmpty {
            b.raw("<p>No target has been met or breached yet.</p>\n")
        } else {
            b.raw("<div class=\"chart-row\">\n<figure class=\"chart\">")
            b.raw(html: ServiceLevelsChart.complianceSVG(a))
            b.raw("</figure>\n<table>\n<caption>Targets met and breached, per month opened and priority</caption>\n")
            b.raw("<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Priority</th><th scope=\"col\">First responses met</th>")
            b.raw("<th scope=\"col\">First responses breached</th><th scope=\"col\">Resolutions met</th><th scope=\"col\">Resolutions breached</th></tr></thead>\n<tbody>\n")
            for row in a.compliance {
                b.raw("<tr><td>")
                b.text(row.month)
                b.raw("</td><td>")
                b.text(row.priority.rawValue)
                b.raw("</td>")
                cells([row.firstResponse.met, row.firstResponse.breached, row.resolution.met, row.resolution.breached], into: &b)
                b.raw("</tr>\n")
            }
            // The chart's numbers: each priority over all months.
            b.raw("</tbody>\n<tfoot>\n")
            let totals = ServiceLevelsChart.complianceTotals(a)
            for p in Priority.allCases {
                let t = totals[p] ?? (SLAOutcomeCounts(), SLAOutcomeCounts())
                b.raw("<tr><th scope=\"row\">All months</th><td>")
                b.text(p.rawValue)
                b.raw("</td>")
                cells([t.0.met, t.0.breached, t.1.met, t.1.breached], into: &b)
                b.raw("</tr>\n")
            }
            b.raw("</tfoot>\n</table>\n</div>\n")
        }
        b.raw("<p><a href=\"/dashboard/service-levels/compliance.csv\" download>Download CSV</a></p>\n</section>\n")
    }

    private static func current(_ a: ServiceLevelsAnswer, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"current-h\" class=\"panel\">\n<h2 id=\"current-h\">At risk and breached now</h2>\n")
        b.raw("<div class=\"chart-row\">\n<figure class=\"chart\">")
        b.raw(html: ServiceLevelsChart.currentSVG(a))
        b.raw("</figure>\n<table>\n<caption>Tickets not closed, by the state of their SLA targets now</caption>\n")
        b.raw("<thead><tr><th scope=\"col\">Priority</th><th scope=\"col\">At risk</th><th scope=\"col\">Breached</th></tr></thead>\n<tbody>\n")
        for row in a.current {
            b.raw("<tr><th scope=\"row\">")
            b.text(row.priority.rawValue)
            b.raw("</th>")
            cells([row.atRisk, row.breached], into: &b)
            b.raw("</tr>\n")
        }
        b.raw("</tbody>\n</table>\n</div>\n")
        b.raw("<p><a href=\"/tickets?sla=at_risk\">List the tickets at risk</a> · <a href=\"/tickets?sla=breached\">List the breached tickets</a> · ")
        b.raw("<a href=\"/dashboard/service-levels/current.csv\" download>Download CSV</a></p>\n</section>\n")
    }

    private static func workload(_ a: ServiceLevelsAnswer, names: [UserID: String], into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"workload-h\" class=\"panel\">\n<h2 id=\"workload-h\">Workload per engineer</h2>\n")
        if a.engineers.isEmpty {
            b.raw("<p>No ticket that is not closed is assigned to an engineer.</p>\n")
        } else {
            b.raw("<div class=\"chart-row\">\n<figure class=\"chart\">")
            b.raw(html: ServiceLevelsChart.workloadSVG(a, names: names))
            b.raw("</figure>\n<table>\n<caption>Assigned tickets not closed, per engineer</caption>\n")
            b.raw("<thead><tr><th scope=\"col\">Engineer</th><th scope=\"col\">Open</th><th scope=\"col\">Active</th><th scope=\"col\">Breached</th>")
            b.raw("<th scope=\"col\">Median age</th></tr></thead>\n<tbody>\n")
            for e in a.engineers {
                b.raw("<tr><th scope=\"row\">")
                b.text(ServiceLevelsChart.engineerName(e.userID, names))
                b.raw("</th>")
                cells([e.open, e.active, e.breached], into: &b)
                b.raw("<td>")
                b.text(DashboardPage.duration(e.medianAgeSeconds))
                b.raw("</td></tr>\n")
            }
            b.raw("</tbody>\n</table>\n</div>\n")
        }
        b.raw("<p><a href=\"/dashboard/service-levels/workload.csv\" download>Download CSV</a></p>\n</section>\n")
    }

    private static func cells(_ counts: [Int], into b: inout HTMLBuffer) {
        for n in counts {
            b.raw("<td>")
            b.number(Int64(n))
            b.raw("</td>")
        }
    }
}
