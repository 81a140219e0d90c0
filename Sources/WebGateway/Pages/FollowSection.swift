import Domain

/// The ticket page's "me too" part (docs/manual.md): how many people the problem affects, the link
/// of a merged duplicate, the "Me too" button, staff's merge form, and after a report the open
/// tickets that are probably the same problem, each with its own "Me too" button.
///
/// Every form posts with the page's CSRF token and a request id of its own; all text is escaped.
enum FollowSection {
    static func render(_ m: TicketDetailPage.Model, time: CampusTime, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        b.raw("<section aria-labelledby=\"follow-h\" class=\"follow\">\n<h2 id=\"follow-h\">Who this affects</h2>\n<p id=\"affected\">")
        b.number(Int64(t.affected))
        b.raw(t.affected == 1 ? " person reported this problem." : " people have this problem (the reporter and those who said “me too”).")
        b.raw("</p>\n")
        if let survivor = t.mergedInto {
            b.raw("<p class=\"notice\" id=\"merged-into\">This report was merged into <a href=\"/tickets/")
            b.number(survivor.rawValue)
            b.raw("\">ticket #")
            b.number(survivor.rawValue)
            b.raw("</a>, where it is being worked on.</p>\n")
        }
        if t.status != .closed {
            if !m.visitor.role.isStaff, !m.reportedByVisitor {
                meToo(m, ticket: t.id, back: nil, label: "Me too: I have this problem as well", into: &b)
            }
            if Permissions.allows(m.visitor.actor, .triageTicket, on: t.parties) { mergeForm(m, into: &b) }
        }
        b.raw("</section>\n")
        if !m.similar.isEmpty { similar(m, time: time, into: &b) }
    }

    /// The candidates after a report: the visitor may follow one instead (their own report stays
    /// for staff to merge).
    private static func similar(_ m: TicketDetailPage.Model, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"similar-h\" class=\"similar\">\n<h2 id=\"similar-h\">Probably the same problem</h2>\n")
        b.raw("<p>These open tickets are at the same place and use similar words. If one of them is your problem, say “Me too”: staff then see how many people it affects and will merge your report into it.</p>\n<ul class=\"similar-list\">\n")
        for c in m.similar {
            b.raw("<li id=\"similar-")
            b.number(c.id.rawValue)
            b.raw("\"><p><strong>#")
            b.number(c.id.rawValue)
            b.raw("</strong> ")
            b.text(String(c.description.prefix(300)))
            b.raw(" <span class=\"muted\">(")
            if let location = c.location { b.text(location); b.raw(", ") }
            b.number(Int64(c.affected))
            b.raw(c.affected == 1 ? " person, opened " : " people, opened ")
            b.time(c.openedAt, time)
            b.raw(")</span></p>\n")
            meToo(m, ticket: c.id, back: m.detail.ticket.id, label: "Me too", into: &b)
            b.raw("</li>\n")
        }
        b.raw("</ul>\n</section>\n")
    }

    private static func meToo(_ m: TicketDetailPage.Model, ticket: TicketID, back: TicketID?, label: String, into b: inout HTMLBuffer) {
        b.raw("<form method=\"post\" action=\"/tickets/")
        b.number(ticket.rawValue)
        b.raw("/follow\" class=\"inline me-too\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-follow-\(ticket.rawValue)", into: &b)
        if let back { Layout.hidden("back", String(back.rawValue), into: &b) }
        b.raw("<button type=\"submit\">")
        b.text(label)
        b.raw("</button>\n</form>\n")
    }

    private static func mergeForm(_ m: TicketDetailPage.Model, into b: inout HTMLBuffer) {
        b.raw("<form method=\"post\" action=\"/tickets/")
        b.number(m.detail.ticket.id.rawValue)
        b.raw("/merge\" class=\"inline merge\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-merge", into: &b)
        b.raw("<label for=\"merge-into\">Duplicate of ticket #</label>\n")
        b.raw("<input type=\"number\" id=\"merge-into\" name=\"into\" min=\"1\" required inputmode=\"numeric\">\n")
        b.raw("<button type=\"submit\">Merge into that ticket</button>\n")
        b.raw("<p class=\"hint\">Closes this ticket with a link to the other; its reporter and followers follow that one.</p>\n</form>\n")
    }
}
