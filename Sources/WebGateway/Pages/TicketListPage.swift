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
        String(decoding: renderBytes(m, time: time), as: UTF8.self)
    }

    /// The page as UTF-8 bytes (what the route sends).
    static func renderBytes(_ m: Model, time: CampusTime) -> [UInt8] {
        let title = m.visitor.role == .staff ? "All tickets" : "Open and active tickets"
        var page = HTMLBuffer(capacity: 6144 + m.page.tickets.count * 420)
        Layout.page(title: title, visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash,
                    body: { body(m, title: title, time: time, into: &$0) }, into: &page)
        return page.bytes
    }

    private static func body(_ m: Model, title: String, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<h1>")
        b.raw(title)
        b.raw("</h1>\n<p><a class=\"button\" href=\"/tickets/new\">Report a problem</a></p>\n")
        b.raw("<search>\n<form method=\"get\" action=\"/tickets\" class=\"filters\" aria-label=\"Filter tickets\">\n")
        let state = FormState(values: ["q": m.text ?? ""])
        Field.control(.search, name: "q", label: "Search", idPrefix: "filter", state: state, maxLength: 200, into: &b)
        Field.select(name: "category", label: "Category", idPrefix: "filter",
                     options: [("", "Any category")] + Category.allCases.map { ($0.rawValue, Words.category($0)) },
                     selected: m.category?.rawValue ?? "", into: &b)
        let statuses: [Status] = m.visitor.role == .staff ? Status.allCases : [.open, .active]
        Field.select(name: "status", label: "Status", idPrefix: "filter",
                     options: [("", m.visitor.role == .staff ? "Any status" : "Open or active")] + statuses.map { ($0.rawValue, Words.status($0)) },
                     selected: m.status?.rawValue ?? "", into: &b)
        b.raw("<button type=\"submit\">Apply</button>\n</form>\n</search>\n")
        if m.page.tickets.isEmpty {
            b.raw("<p>No tickets match.</p>\n")
        } else {
            b.raw("<table class=\"tickets\">\n<caption class=\"visually-hidden\">")
            b.raw(title)
            b.raw(", newest first</caption>\n")
            b.raw("<thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Problem</th><th scope=\"col\">Category</th><th scope=\"col\">Status</th><th scope=\"col\">Opened</th></tr></thead>\n<tbody>\n")
            for t in m.page.tickets {
                // A description of at most 120 bytes has at most 120 characters: skip the count.
                let long = t.description.utf8.count > 120 && t.description.count > 120
                b.raw("<tr><td><a href=\"/tickets/")
                b.number(t.id.rawValue)
                b.raw("\">#")
                b.number(t.id.rawValue)
                b.raw("</a></td><td><a href=\"/tickets/")
                b.number(t.id.rawValue)
                b.raw("\">")
                if long { b.text(String(t.description.prefix(117)) + "…") } else { b.text(t.description) }
                b.raw("</a>")
                if let loc = t.location {
                    b.raw("<br><span class=\"muted\">")
                    b.text(loc)
                    b.raw("</span>")
                }
                b.raw("</td><td>")
                b.raw(Words.category(t.category))
                b.raw("</td><td><span class=\"status status-")
                b.raw(t.status.rawValue)
                b.raw("\">")
                b.raw(Words.status(t.status))
                b.raw("</span></td><td>")
                b.time(t.openedAt, time)
                b.raw("</td></tr>\n")
            }
            b.raw("</tbody>\n</table>\n")
        }
        var links: [String] = []
        if m.isContinuation {
            links.append("<a href=\"/tickets?\(escapeHTML(query(m, cursor: nil)))\">First page</a>")
        }
        if let next = m.page.nextCursor {
            links.append("<a href=\"/tickets?\(escapeHTML(query(m, cursor: next.encoded)))\" rel=\"next\">Next page</a>")
        }
        if !links.isEmpty {
            b.raw("<nav aria-label=\"Pages\" class=\"pager\">\n")
            b.raw(links.joined(separator: "\n"))
            b.raw("\n</nav>\n")
        }
    }

    static func query(_ m: Model, cursor: String?) -> String {
        FormDecoding.encodeQuery([("q", m.text), ("category", m.category?.rawValue), ("status", m.status?.rawValue), ("cursor", cursor)])
    }
}
