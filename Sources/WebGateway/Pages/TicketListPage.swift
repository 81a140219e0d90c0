import CampusDeskCore

/// `/tickets`: search, filter and page through tickets, newest first.
enum TicketListPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var page: TicketPage
        var text: String?
        var category: Category?
        var status: Status?
        var flash: Layout.Flash?
        /// True when this page continues a previous one (a cursor was given).
        var isContinuation: Bool
    }

    static func render(_ m: Model, time: CampusTime) -> String {
        let title = m.visitor.role == .staff ? "All tickets" : "Open and active tickets"
        var b = ""
        b.reserveCapacity(4096 + m.page.tickets.count * 400)
        b += "<h1>\(title)</h1>\n<p><a class=\"button\" href=\"/tickets/new\">Report a problem</a></p>\n"
        b += "<search>\n<form method=\"get\" action=\"/tickets\" class=\"filters\" aria-label=\"Filter tickets\">\n"
        let state = FormState(values: ["q": m.text ?? ""])
        b += Field.control(.search, name: "q", label: "Search", idPrefix: "filter", state: state, maxLength: 200)
        b += Field.select(name: "category", label: "Category", idPrefix: "filter",
                          options: [("", "Any category")] + Category.allCases.map { ($0.rawValue, Words.category($0)) },
                          selected: m.category?.rawValue ?? "")
        let statuses: [Status] = m.visitor.role == .staff ? Status.allCases : [.open, .active]
        b += Field.select(name: "status", label: "Status", idPrefix: "filter",
                          options: [("", m.visitor.role == .staff ? "Any status" : "Open or active")] + statuses.map { ($0.rawValue, Words.status($0)) },
                          selected: m.status?.rawValue ?? "")
        b += "<button type=\"submit\">Apply</button>\n</form>\n</search>\n"
        if m.page.tickets.isEmpty {
            b += "<p>No tickets match.</p>\n"
        } else {
            b += "<table class=\"tickets\">\n<caption class=\"visually-hidden\">\(title), newest first</caption>\n"
            b += "<thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Problem</th><th scope=\"col\">Category</th><th scope=\"col\">Status</th><th scope=\"col\">Opened</th></tr></thead>\n<tbody>\n"
            var rows = HTMLBuffer(capacity: m.page.tickets.count * 420)
            for t in m.page.tickets {
                // A description of at most 120 bytes has at most 120 characters: skip the count.
                let long = t.description.utf8.count > 120 && t.description.count > 120
                rows.raw("<tr><td><a href=\"/tickets/")
                rows.number(t.id.rawValue)
                rows.raw("\">#")
                rows.number(t.id.rawValue)
                rows.raw("</a></td><td><a href=\"/tickets/")
                rows.number(t.id.rawValue)
                rows.raw("\">")
                if long { rows.text(String(t.description.prefix(117)) + "…") } else { rows.text(t.description) }
                rows.raw("</a>")
                if let loc = t.location {
                    rows.raw("<br><span class=\"muted\">")
                    rows.text(loc)
                    rows.raw("</span>")
                }
                rows.raw("</td><td>")
                rows.raw(Words.category(t.category))
                rows.raw("</td><td><span class=\"status status-")
                rows.raw(t.status.rawValue)
                rows.raw("\">")
                rows.raw(Words.status(t.status))
                rows.raw("</span></td><td>")
                rows.time(t.openedAt, time)
                rows.raw("</td></tr>\n")
            }
            b += rows.string
            b += "</tbody>\n</table>\n"
        }
        var links: [String] = []
        if m.isContinuation {
            links.append("<a href=\"/tickets?\(escapeHTML(query(m, cursor: nil)))\">First page</a>")
        }
        if let next = m.page.nextCursor {
            links.append("<a href=\"/tickets?\(escapeHTML(query(m, cursor: next.encoded)))\" rel=\"next\">Next page</a>")
        }
        if !links.isEmpty { b += "<nav aria-label=\"Pages\" class=\"pager\">\n" + links.joined(separator: "\n") + "\n</nav>\n" }
        return Layout.page(title: title, visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: b)
    }

    static func query(_ m: Model, cursor: String?) -> String {
        FormDecoding.encodeQuery([("q", m.text), ("category", m.category?.rawValue), ("status", m.status?.rawValue), ("cursor", cursor)])
    }
}
