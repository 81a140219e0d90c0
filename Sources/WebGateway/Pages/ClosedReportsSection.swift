import Domain

/// On the campus desk, the list page's "Your closed reports" for a simple user: the closed tickets
/// this browser reported (`TicketReader.closedReports`), newest first, each linking to its page
/// where the helpdesk's last answer is. The list itself holds open and active tickets only, so
/// without this a reporter would find a closed ticket only by its address.
enum ClosedReportsSection {
    /// How many the section shows (a browser files a handful; the newest matter).
    static let limit = 10

    static func render(_ tickets: [Ticket], time: CampusTime, into b: inout HTMLBuffer) {
        guard !tickets.isEmpty else { return }
        b.raw("<section aria-labelledby=\"closed-reports-h\">\n<h2 id=\"closed-reports-h\">Your closed reports</h2>\n")
        b.raw("<p class=\"hint\">Closed tickets reported from this browser, newest first: open one to read the helpdesk&#39;s answer.</p>\n<ul class=\"closed-reports\">\n")
        for t in tickets {
            b.raw("<li><a href=\"/tickets/")
            b.number(t.id.rawValue)
            b.raw("\">#")
            b.number(t.id.rawValue)
            b.raw(" ")
            b.text(t.description.count > 80 ? String(t.description.prefix(80)) + "…" : t.description)
            b.raw("</a>")
            if let closed = t.closedAt {
                b.raw(" <span class=\"muted\">closed ")
                b.time(closed, time)
                b.raw("</span>")
            }
            b.raw("</li>\n")
        }
        b.raw("</ul>\n</section>\n")
    }
}
