import Domain
import SpoolBroker
import TicketStore
import HTTPServer

/// `/tickets`: search, filter and page through tickets; staff see priority, severity and assignee
/// and work the queue by priority, everyone else sees their tickets newest first.
enum TicketListPage {
    /// Everything on the page but its rows.
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var text: String?
        var category: Category?
        /// The one status asked for (nil for none, and for a comma list: see ``statuses``).
        var status: Status?
        var flash: Layout.Flash?
        /// True when this page continues a previous one (a cursor was given).
        var isContinuation: Bool
        /// The list is of tickets assigned to this account (`assignee_id` in the query).
        var assigneeID: UserID? = nil
        /// The staff's "Assigned to" filter (nil: the form has none, as for customers).
        var assignee: AssigneeFilter? = nil
        /// The rows' order, and the visitor's order without `sort` (links name `sort` only when it differs).
        var order: TicketOrder = .newest
        var defaultOrder: TicketOrder = .newest
        /// The `severity` and `priority` filters as given ("" for any): comma lists stay as they are.
        var severity = ""
        var priority = ""
        /// The `status` filter as given ("" for none): a comma list (`open,closed`) stays as it is,
        /// in the links and the form, as `severity` and `priority` do.
        var statuses = ""
        /// Staff see the priority, severity and assignee columns and filters and the order choice
        /// (customers never see severity or priority on the pages, as on the ticket page).
        var showsTriage = false
        /// The list holds open and active tickets because it is in priority order without a status.
        var workQueue = false
        /// Campus desk, simple user: the closed tickets this browser reported (``ClosedReportsSection``).
        var closedReports: [Ticket] = []
        /// Only tickets filed by the classifier with low confidence (`confidence=low`).
        var lowConfidence = false
        /// Only tickets in this SLA state now (`sla=`, staff).
        var sla: SLAState? = nil
        /// This page's cursor as sent (nil on the first page): part of the query the rows' links carry back.
        var cursor: String? = nil
        /// Rows per page (the position's page numbers).
        var limit = TicketListQuery.defaultLimit
        /// How many tickets match and precede this page (nil: not counted, as in the reference tests).
        var count: TicketCount? = nil
        /// The server's clock when the page was made: each row's age ("3 hours ago") is counted from it.
        var now: Timestamp? = nil
        /// The name of the engineer `assigned_to` names, for the heading.
        var assigneeName: String? = nil

        /// The `status` the page's links and form carry: the list as given, else the one status.
        var statusQuery: String? { statuses.isEmpty ? status?.rawValue : statuses }

        /// The statuses in words for the heading, "Open or closed" (nil without a status filter).
        var statusWords: String? {
            if let status { return Words.status(status) }
            guard !statuses.isEmpty else { return nil }
            let named = statuses.split(separator: ",").compactMap { Status(rawValue: String($0)) }
            let words = Status.allCases.filter(named.contains).map { Words.status($0).lowercased() }
            return words.isEmpty ? nil : words.joined(separator: " or ")
        }
    }

    /// The staff's cells of one row, after the status: priority, SLA state, severity and assignee.
    struct TriageCells {
        var priority: Priority?
        /// The ticket's SLA state at the page's `now`; nil without timers (or without `now`).
        var sla: SLAState?
        var severity: Severity?
        /// The assignee's name as UTF-8 (a `String`'s or SQLite's); nil when unassigned.
        var assignee: UnsafeBufferPointer<UInt8>?
    }

    /// The choice of `assigned_to` in the filter form: anyone (empty), nobody (`none`), the visitor
    /// (when they have an account) or one engineer.
    struct AssigneeFilter: Sendable {
        /// The value chosen: "", "none" or an account number.
        var selected: String
        var engineers: [User]
        /// The visitor's own account, offered as "Assigned to me".
        var me: UserID?

        var options: [(String, String)] {
            var options = [("", "Anyone"), ("none", "Unassigned")]
            if let me { options.append((String(me.rawValue), "Assigned to me")) }
            options += engineers.filter { $0.id != me }.map { (String($0.id.rawValue), $0.name) }
            // An account no longer offered (deactivated since the link was made) still shows as chosen.
            if !options.contains(where: { $0.0 == selected }) { options.append((selected, "Account \(selected)")) }
            return options
        }
    }

    /// The page from `Ticket` values as UTF-8 bytes: the reference the row path is held to.
    ///
    /// Why keep it: the route renders from rows read in place; tests compare that page byte for
    /// byte with this straightforward rendering of the same `TicketPage`.
    ///
    /// - Parameter assigneeNames: the names of the accounts tickets are assigned to (the rows path joins `users`).
    static func renderBytes(_ m: Model, page: TicketPage, assigneeNames: [UserID: String] = [:], time: CampusTime) -> [UInt8] {
        let title = title(m)
        let link = linkSuffix(m)
        var out = HTMLBuffer(capacity: 6144 + page.tickets.count * rowBytes(m))
        Layout.page(title: title, visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            top(m, title: title, into: &b)
            for (i, t) in page.tickets.enumerated() {
                if i == 0 { tableStart(m, title: title, into: &b) }
                var description = t.description
                var location = t.location ?? ""
                var assignee = t.assigneeID.map { assigneeNames[$0] ?? "" } ?? ""
                description.withUTF8 { d in
                    location.withUTF8 { l in
                        assignee.withUTF8 { a in
                            let sla = m.now.flatMap { now in t.sla.map { $0.state(now: now) } }
                            let cells = m.showsTriage ? TriageCells(priority: t.priority, sla: sla, severity: t.severity, assignee: t.assigneeID == nil ? nil : a) : nil
                            row(id: t.id, description: d, location: t.location == nil ? nil : l, category: t.category, status: t.status,
                                openedAt: t.openedAt, triage: cells, time: time, now: m.now, link: link, into: &b)
                        }
                    }
                }
            }
            let first = page.tickets.first.map {
                TicketCursor.of(order: m.order, id: $0.id, openedAt: $0.openedAt, priority: $0.priority, status: $0.status, modifiedAt: $0.modifiedAt,
                                nextDue: TicketSLA.nextDue(of: $0.sla))
            }
            bottom(m, isEmpty: page.tickets.isEmpty, next: page.nextCursor, firstRow: m.isContinuation ? first : nil, into: &b)
        }, into: &out)
        return out.bytes
    }

    /// The page from rows read in place (what the route sends): byte for byte the page
    /// `renderBytes(_:page:time:)` makes from the same rows, without a `Ticket` or `String` per row.
    ///
    /// - Throws: what reading the rows throws (a SQLite error, a corrupt enum value).
    static func renderBytes(_ m: Model, rows: inout TicketRows, time: CampusTime) throws -> [UInt8] {
        let title = title(m)
        let link = linkSuffix(m)
        var out = HTMLBuffer(capacity: 6144 + 50 * rowBytes(m))
        var failure: (any Error)?
        Layout.page(title: title, visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            top(m, title: title, into: &b)
            var first = true
            do {
                let triage = m.showsTriage
                let now = m.now
                try rows.forEach { r in
                    if first { tableStart(m, title: title, into: &b) }
                    first = false
                    let cells = triage ? TriageCells(priority: try r.priority, sla: now.flatMap { r.slaState(now: $0) },
                                                     severity: try r.severity, assignee: r.assigneeName) : nil
                    row(id: r.id, description: r.description, location: r.location, category: try r.category, status: try r.status,
                        openedAt: r.openedAt, triage: cells, time: time, now: m.now, link: link, into: &b)
                }
            } catch {
                failure = error
            }
            bottom(m, isEmpty: rows.count == 0, next: rows.nextCursor, firstRow: rows.firstCursor, into: &b)
            ClosedReportsSection.render(m.closedReports, time: time, into: &b)
        }, into: &out)
        if let failure { throw failure }
        return out.bytes
    }

    /// About how many bytes a row takes, so a page of 50 fits the buffer reserved at first.
    private static func rowBytes(_ m: Model) -> Int { m.showsTriage ? 640 : 460 }

    /// What each row's link adds after `/tickets/ID`: `?from=` and this page's query, so the ticket
    /// page's "Back to the list" returns here; empty for the plain first page. Already escaped.
    static func linkSuffix(_ m: Model) -> [UInt8] {
        let here = queryBuilder(m, cursor: m.cursor)
        if here.isEmpty { return [] }
        // Percent-encoded, the query is unreserved characters and `%`: nothing for HTML to escape.
        var out: [UInt8] = []
        out.reserveCapacity(6 + here.bytes.count * 3)
        out += "?from=".utf8
        here.bytes.withUnsafeBufferPointer { QueryBuilder.percentEncode($0, into: &out) }
        return out
    }

    /// The heading: what the list shows. The plain lists keep their names ("All tickets", "My
    /// tickets"); a filter names itself ("Open IT tickets", "Search: wifi").
    static func title(_ m: Model) -> String {
        let base = plainTitle(m)
        var words: [String] = []
        let statusWord = m.statusWords
        let described = (statusWord != nil && base != "Incoming: open tickets") || m.category != nil || !m.priority.isEmpty
            || !m.severity.isEmpty || m.lowConfidence || m.sla != nil || m.text != nil
        guard described else { return base }
        if let statusWord { words.append(statusWord) } else if m.workQueue || !TicketAccess.seesClosed(m.visitor.actor, mode: m.visitor.authMode) {
            words.append("Open and active")
        }
        if !m.priority.isEmpty { words.append(m.priority.split(separator: ",").map { $0 == "none" ? "no-priority" : String($0) }.joined(separator: " or ")) }
        if let c = m.category { words.append(Words.category(c)) }
        words.append("tickets")
        var phrase = words.joined(separator: " ")
        if !m.severity.isEmpty {
            phrase += " of severity " + m.severity.split(separator: ",").map { $0 == "none" ? "not triaged" : String($0) }.joined(separator: " or ")
        }
        if m.lowConfidence { phrase += " filed with low confidence" }
        if let sla = m.sla { phrase += ", service target " + slaWords(sla) }
        switch m.assignee?.selected {
        case "none"?: phrase += ", unassigned"
        case let a? where !a.isEmpty:
            phrase += a == m.visitor.actor.userID.map({ String($0.rawValue) }) ? ", assigned to me" : ", assigned to \(m.assigneeName ?? "account \(a)")"
        default:
            if ["My tickets", "Assigned to me", "Assigned tickets"].contains(base) { phrase += " (\(base.lowercased()))" }
        }
        phrase = phrase.prefix(1).uppercased() + phrase.dropFirst()
        guard let text = m.text else { return phrase }
        let plain = statusWord == nil && m.category == nil && m.priority.isEmpty && m.severity.isEmpty && !m.lowConfidence && m.sla == nil
        return "Search: \(text)" + (plain ? "" : " (\(phrase.prefix(1).lowercased() + phrase.dropFirst()))")
    }

    /// The list's name without filters: whose tickets, and which statuses by default.
    private static func plainTitle(_ m: Model) -> String {
        let actor = m.visitor.actor
        if m.assignee?.selected == "none" { return "Unassigned tickets" }
        if m.visitor.authMode == .accounts {
            if let a = m.assigneeID { return a == actor.userID ? "Assigned to me" : "Assigned tickets" }
            if Permissions.reach(actor.role, .viewTicket) == .own { return "My tickets" }
            if m.status == .open { return "Incoming: open tickets" }
        }
        return TicketAccess.seesClosed(actor, mode: m.visitor.authMode) && !m.workQueue ? "All tickets" : "Open and active tickets"
    }

    private static func top(_ m: Model, title: String, into b: inout HTMLBuffer) {
        b.raw("<h1>")
        b.text(title)
        b.raw("</h1>\n")
        // A queue worker comes back to the rows many times a day: one key press past the filters
        // (and one past the rows to the page links, when there are other pages).
        if hasPages(m) {
            b.raw("<p><a class=\"skip\" href=\"#results\">Skip to the results</a> <a class=\"skip\" href=\"#pages\">Skip to the page links</a></p>\n")
        } else {
            b.raw("<p><a class=\"skip\" href=\"#results\">Skip to the results</a></p>\n")
        }
        if Permissions.mayEver(m.visitor.actor, .reportTicket) { b.raw("<p><a class=\"button\" href=\"/tickets/new\">Report a problem</a></p>\n") }
        b.raw("<search>\n<form method=\"get\" action=\"/tickets\" class=\"filters\" aria-label=\"Filter tickets\">\n")
        if m.assignee == nil, let a = m.assigneeID { Layout.hidden("assignee_id", String(a.rawValue), into: &b) }
        let state = FormState(values: ["q": m.text ?? ""])
        Field.control(.search, name: "q", label: "Search", idPrefix: "filter", state: state, maxLength: 200, into: &b)
        Field.select(name: "category", label: "Category", idPrefix: "filter",
                     options: [("", "Any category")] + Category.allCases.map { ($0.rawValue, Words.category($0)) },
                     selected: m.category?.rawValue ?? "", into: &b)
        let seesClosed = TicketAccess.seesClosed(m.visitor.actor, mode: m.visitor.authMode)
        let statuses: [Status] = seesClosed ? Status.allCases : [.open, .active]
        // In priority order no status means open or active (the work queue); newest first, every status staff see.
        var statusOptions = [("", seesClosed && m.order != .priority ? "Any status" : "Open or active")] + statuses.map { ($0.rawValue, Words.status($0)) }
        // A comma list from a link is a choice of its own, so applying the form again keeps it.
        if m.status == nil, !m.statuses.isEmpty, let words = m.statusWords {
            statusOptions.append((m.statuses, words.prefix(1).uppercased() + words.dropFirst()))
        }
        Field.select(name: "status", label: "Status", idPrefix: "filter", options: statusOptions, selected: m.statusQuery ?? "", into: &b)
        if m.showsTriage {
            FixedSelect.priority.write(selected: m.priority, into: &b)
            FixedSelect.sla.write(selected: m.sla?.rawValue ?? "", into: &b)
            FixedSelect.severity.write(selected: m.severity, into: &b)
            FixedSelect.confidence.write(selected: m.lowConfidence ? "low" : "", into: &b)
        }
        if let assignee = m.assignee {
            Field.select(name: "assigned_to", label: "Assigned to", idPrefix: "filter", options: assignee.options,
                         selected: assignee.selected, into: &b)
        }
        (m.showsTriage ? FixedSelect.order : FixedSelect.plainOrder).write(selected: m.order.rawValue, into: &b)
        b.raw("<button type=\"submit\">Apply</button>\n</form>\n</search>\n")
        summary(m, into: &b)
    }

    /// Where the page is: "Tickets 51–100 of 3,000 · page 2 of 60", or "of more than 1,000" past the
    /// count's cap. The target of the skip link and of the page links, so it is read before the rows.
    ///
    /// Written through one `DigitWriter` (digits and fixed words only): built as a `String` with five
    /// grouped numbers it cost more than a row.
    static func summary(_ m: Model, into b: inout HTMLBuffer) {
        b.write(capacity: 256) { w in
            w.ascii("<p id=\"results\" class=\"summary\" tabindex=\"-1\">")
            summaryText(m, into: &w)
            w.ascii("</p>\n")
        }
    }

    /// The position line's text (at most 180 bytes).
    static func summaryText(_ m: Model, into w: inout DigitWriter) {
        guard let count = m.count else { return w.ascii("Results") }
        let cap = Int64(count.cap), limit = Int64(m.limit)
        guard let before = count.before.map(Int64.init) else {
            w.ascii("Tickets after the first ")
            w.grouped(cap)
            w.ascii(" (more than ")
            w.grouped(cap)
            return w.ascii(" match)")
        }
        guard let total = count.total.map(Int64.init) else {
            w.ascii("Tickets ")
            w.grouped(before + 1)
            w.ascii("–")
            w.grouped(before + limit)
            w.ascii(" of more than ")
            w.grouped(cap)
            w.ascii(" · page ")
            w.decimal(before / limit + 1)
            // A search in priority order ranks its newest matches only (docs/tickets.md, "How search works").
            if m.order == .priority, m.text != nil {
                w.ascii(" · the newest ")
                w.grouped(Int64(TicketReader.searchPriorityWindow))
                w.ascii(" by priority")
            }
            return
        }
        let shown = min(limit, total - before)
        if total == 0 { return w.ascii("No tickets") }
        if shown <= 0 {
            w.ascii("No tickets after the ")
            w.grouped(total)
            return w.ascii(" that match")
        }
        let pages = (total + limit - 1) / limit
        w.ascii(total == 1 ? "Ticket " : "Tickets ")
        w.grouped(before + 1)
        w.ascii("–")
        w.grouped(before + shown)
        w.ascii(" of ")
        w.grouped(total)
        w.ascii(" · page ")
        w.decimal(min(pages, before / limit + 1))
        w.ascii(" of ")
        w.decimal(pages)
    }

    /// A filter of fixed choices (our vocabulary), written as `Field.select` writes it but from static
    /// markup: the staff's three selects through `Field.select` were a tenth of the page's rendering.
    struct FixedSelect {
        let name: String
        let label: String
        /// Value, label, and the option's markup before and after " selected".
        let options: [(value: String, label: String, open: StaticString, close: StaticString)]
        let head: StaticString

        /// The select with `selected` chosen; a value that is none of the options (a comma list from
        /// a link) is added as a choice of its own, so applying the form again keeps it.
        func write(selected: String, into b: inout HTMLBuffer) {
            guard options.contains(where: { $0.value == selected }) else {
                let extra = (selected, selected.split(separator: ",").joined(separator: ", "))
                return Field.select(name: name, label: label, idPrefix: "filter", options: options.map { ($0.value, $0.label) } + [extra],
                                    selected: selected, into: &b)
            }
            b.raw(head)
            for o in options {
                b.raw(o.open)
                if o.value == selected { b.raw(" selected") }
                b.raw(o.close)
            }
            b.raw("</select>\n</div>\n")
        }

        static let priority = FixedSelect(name: "priority", label: "Priority", options: [
            ("", "Any priority", "<option value=\"\"", ">Any priority</option>\n"),
            ("P1", "P1", "<option value=\"P1\"", ">P1</option>\n"), ("P2", "P2", "<option value=\"P2\"", ">P2</option>\n"),
            ("P3", "P3", "<option value=\"P3\"", ">P3</option>\n"), ("P4", "P4", "<option value=\"P4\"", ">P4</option>\n"),
            ("none", "No priority", "<option value=\"none\"", ">No priority</option>\n"),
        ], head: "<div class=\"field\">\n<label for=\"filter-priority\">Priority</label>\n<select id=\"filter-priority\" name=\"priority\">\n")

        static let sla = FixedSelect(name: "sla", label: "SLA", options: [
            ("", "Any", "<option value=\"\"", ">Any</option>\n"),
            ("on_track", "On track", "<option value=\"on_track\"", ">On track</option>\n"),
            ("at_risk", "At risk", "<option value=\"at_risk\"", ">At risk</option>\n"),
            ("breached", "Breached", "<option value=\"breached\"", ">Breached</option>\n"),
            ("met", "Met", "<option value=\"met\"", ">Met</option>\n"),
        ], head: "<div class=\"field\">\n<label for=\"filter-sla\">SLA</label>\n<select id=\"filter-sla\" name=\"sla\">\n")

        static let severity = FixedSelect(name: "severity", label: "Severity", options: [
            ("", "Any severity", "<option value=\"\"", ">Any severity</option>\n"),
            ("critical", "Critical", "<option value=\"critical\"", ">Critical</option>\n"), ("high", "High", "<option value=\"high\"", ">High</option>\n"),
            ("medium", "Medium", "<option value=\"medium\"", ">Medium</option>\n"), ("low", "Low", "<option value=\"low\"", ">Low</option>\n"),
            ("none", "Not triaged", "<option value=\"none\"", ">Not triaged</option>\n"),
        ], head: "<div class=\"field\">\n<label for=\"filter-severity\">Severity</label>\n<select id=\"filter-severity\" name=\"severity\">\n")

        static let confidence = FixedSelect(name: "confidence", label: "Category confidence", options: [
            ("", "Any", "<option value=\"\"", ">Any</option>\n"),
            ("low", "Low (check first)", "<option value=\"low\"", ">Low (check first)</option>\n"),
        ], head: "<div class=\"field\">\n<label for=\"filter-confidence\">Category confidence</label>\n<select id=\"filter-confidence\" name=\"confidence\">\n")

        static let order = FixedSelect(name: "sort", label: "Order", options: [
            ("priority", "Priority, then longest waiting", "<option value=\"priority\"", ">Priority, then longest waiting</option>\n"),
            ("due", "SLA: next due first", "<option value=\"due\"", ">SLA: next due first</option>\n"),
        ] + plainOrders, head: orderHead)

        /// The orders without priority, for those who see no triage.
        static let plainOrder = FixedSelect(name: "sort", label: "Order", options: plainOrders, head: orderHead)

        static let orderHead: StaticString = "<div class=\"field\">\n<label for=\"filter-sort\">Order</label>\n<select id=\"filter-sort\" name=\"sort\">\n"
        static let plainOrders: [(value: String, label: String, open: StaticString, close: StaticString)] = [
            ("newest", "Newest first", "<option value=\"newest\"", ">Newest first</option>\n"),
            ("oldest", "Oldest first", "<option value=\"oldest\"", ">Oldest first</option>\n"),
            ("activity", "Latest activity first", "<option value=\"activity\"", ">Latest activity first</option>\n"),
            ("activity-asc", "Longest without activity first", "<option value=\"activity-asc\"", ">Longest without activity first</option>\n"),
            ("status", "Status: open, active, closed", "<option value=\"status\"", ">Status: open, active, closed</option>\n"),
            ("number-desc", "Number, highest first", "<option value=\"number-desc\"", ">Number, highest first</option>\n"),
            ("number", "Number, lowest first", "<option value=\"number\"", ">Number, lowest first</option>\n"),
        ]
    }

    private static func tableStart(_ m: Model, title: String, into b: inout HTMLBuffer) {
        b.raw(m.showsTriage ? "<table class=\"tickets triage\">\n<caption class=\"visually-hidden\">" : "<table class=\"tickets\">\n<caption class=\"visually-hidden\">")
        b.text(title)
        b.raw(orderCaption(m.order))
        if m.showsTriage {
            b.raw("<thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Problem</th><th scope=\"col\">Category</th><th scope=\"col\">Status</th><th scope=\"col\">Priority</th><th scope=\"col\">SLA</th><th scope=\"col\">Severity</th><th scope=\"col\">Assigned to</th><th scope=\"col\">Opened</th></tr></thead>\n<tbody>\n")
        } else {
            b.raw("<thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Problem</th><th scope=\"col\">Category</th><th scope=\"col\">Status</th><th scope=\"col\">Opened</th></tr></thead>\n<tbody>\n")
        }
    }

    /// The caption's end: the order in words.
    static func orderCaption(_ order: TicketOrder) -> StaticString {
        switch order {
        case .priority: ", highest priority first, then longest waiting</caption>\n"
        case .newest: ", newest first</caption>\n"
        case .oldest: ", oldest first</caption>\n"
        case .activity: ", latest activity first</caption>\n"
        case .activityAscending: ", longest without activity first</caption>\n"
        case .status: ", open first, then active, then closed, newest first within each</caption>\n"
        case .number: ", by number, lowest first</caption>\n"
        case .numberDescending: ", by number, highest first</caption>\n"
        case .due: ", next service target due first, breached first</caption>\n"
        }
    }

    /// One table row; text arrives as UTF-8 bytes (a `String`'s or SQLite's) and is escaped into the page.
    ///
    /// The markup before and after the text is written in two pieces through `DigitWriter`
    /// (ids, cells and the `<time>` included), not appended a literal at a time; staff rows
    /// (`triage`) write their static cells with the first of those and the assignee's name between.
    ///
    /// One link per row, the problem's text (a hundred tab stops were two per row); `link` follows
    /// its `/tickets/ID` (``linkSuffix(_:)``). With `now`, the age beside the exact time.
    static func row(id: TicketID, description: UnsafeBufferPointer<UInt8>, location: UnsafeBufferPointer<UInt8>?,
                    category: Category, status: Status, openedAt: Timestamp, triage: TriageCells? = nil, time: CampusTime,
                    now: Timestamp? = nil, link: [UInt8] = [], into b: inout HTMLBuffer) {
        b.write(capacity: 160 + link.count) { w in
            w.ascii("<tr><td>#")
            w.decimal(id.rawValue)
            w.ascii("</td><td><a href=\"/tickets/")
            w.decimal(id.rawValue)
            if !link.isEmpty { link.withUnsafeBufferPointer { w.bytes($0) } }
            w.ascii("\">")
        }
        appendDescription(description, into: &b)
        b.raw("</a>")
        if let location {
            b.raw("<br><span class=\"muted\">")
            appendText(location, into: &b)
            b.raw("</span>")
        }
        // An assignee's name is text to escape between two writes; without one, one write does.
        let named = triage?.assignee != nil
        if let triage, let name = triage.assignee {
            b.write(capacity: 256) { w in
                w.ascii("</td><td>")
                w.ascii(categoryCell(category))
                w.ascii("</td><td>")
                w.ascii(statusCell(status))
                w.ascii("</td>")
                w.ascii(priorityCell(triage.priority))
                w.ascii(slaCell(triage.sla))
                w.ascii(severityCell(triage.severity))
                w.ascii("<td>")
            }
            appendText(name, into: &b)
        }
        var timeWritten = false
        b.write(capacity: 320 + CampusTime.maxWrittenHTML) { w in
            if !named {
                w.ascii("</td><td>")
                w.ascii(categoryCell(category))
                w.ascii("</td><td>")
                w.ascii(statusCell(status))
                if let triage {
                    w.ascii("</td>")
                    w.ascii(priorityCell(triage.priority))
                    w.ascii(slaCell(triage.sla))
                    w.ascii(severityCell(triage.severity))
                    w.ascii("<td class=\"muted\">Unassigned")
                }
            }
            w.ascii("</td><td>")
            timeWritten = time.write(openedAt, into: &w)
            if timeWritten {
                if let now { age(openedAt, now: now, into: &w) }
                w.ascii("</td></tr>\n")
            }
        }
        if !timeWritten {
            b.time(openedAt, time)
            if let now { b.write(capacity: 64) { age(openedAt, now: now, into: &$0) } }
            b.raw("</td></tr>\n")
        }
    }

    /// `<br><span class="age">3 hours ago</span>`: whole minutes, hours (under two days), days
    /// (under two months), months (under two years) or years, rounded down; "just now" under a
    /// minute and for a time after `now` (clocks of two machines). At most 48 bytes.
    static func age(_ t: Timestamp, now: Timestamp, into w: inout DigitWriter) {
        w.ascii("<br><span class=\"age\">")
        let minutes = (now.millisecondsSinceEpoch &- t.millisecondsSinceEpoch) / 60_000
        let days = minutes / 1440
        let (n, one, many): (Int64, StaticString, StaticString) =
            if minutes < 60 { (minutes, " minute ago", " minutes ago") }
            else if minutes < 2880 { (minutes / 60, " hour ago", " hours ago") }
            else if days < 60 { (days, " day ago", " days ago") }
            else if days < 730 { (days / 30, " month ago", " months ago") }
            else { (days / 365, " year ago", " years ago") }
        if minutes < 1 {
            w.ascii("just now")
        } else {
            w.decimal(n)
            w.ascii(n == 1 ? one : many)
        }
        w.ascii("</span>")
    }

    /// The category cell's text, static: copying a `String`'s UTF-8 three times a row showed in profiles.
    static func categoryCell(_ c: Category) -> StaticString { Words.categoryName(c) }

    /// The status badge, `<span class="status status-RAW">Words.status</span>`, as static markup.
    static func statusCell(_ s: Status) -> StaticString {
        switch s {
        case .open: "<span class=\"status status-open\">Open</span>"
        case .active: "<span class=\"status status-active\">Active</span>"
        case .closed: "<span class=\"status status-closed\">Closed</span>"
        }
    }

    /// The priority cell, `<td>P1</td>` (static: no text of the row's own).
    static func priorityCell(_ p: Priority?) -> StaticString {
        switch p {
        case .p1?: "<td><strong>P1</strong></td>"
        case .p2?: "<td>P2</td>"
        case .p3?: "<td>P3</td>"
        case .p4?: "<td>P4</td>"
        case nil: "<td class=\"muted\">None</td>"
        }
    }

    /// The SLA cell: the state as a badge whose words carry the meaning (the class only colours
    /// it, as on the ticket page's ``TicketSLASection``); empty for a ticket without timers. Static.
    static func slaCell(_ s: SLAState?) -> StaticString {
        switch s {
        case .onTrack?: "<td><span class=\"sla sla-on-track\">on track</span></td>"
        case .atRisk?: "<td><span class=\"sla sla-at-risk\">at risk</span></td>"
        case .breached?: "<td><span class=\"sla sla-breached\">breached</span></td>"
        case .met?: "<td><span class=\"sla sla-met\">met</span></td>"
        case nil: "<td></td>"
        }
    }

    /// The state in the heading's words ("Open and active tickets, service target breached").
    static func slaWords(_ s: SLAState) -> String {
        switch s {
        case .onTrack: "on track"
        case .atRisk: "at risk"
        case .breached: "breached"
        case .met: "met"
        }
    }

    /// The severity cell, `<td>Words.severity</td>`, static.
    static func severityCell(_ s: Severity?) -> StaticString {
        switch s {
        case .critical?: "<td><strong>Critical</strong></td>"
        case .high?: "<td>High</td>"
        case .medium?: "<td>Medium</td>"
        case .low?: "<td>Low</td>"
        case nil: "<td class=\"muted\">Not triaged</td>"
        }
    }

    /// The description, cut to 117 characters and "…" when it is longer than 120 characters.
    ///
    /// Characters are grapheme clusters. In ASCII without CR every byte is one (only "\r\n" joins
    /// two ASCII bytes), so the common case cuts bytes; anything else goes through `String`.
    static func appendDescription(_ d: UnsafeBufferPointer<UInt8>, into b: inout HTMLBuffer) {
        if d.count <= 120 { return appendText(d, into: &b) }
        if d.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            b.text(bytes: UnsafeBufferPointer(rebasing: d[..<117]))
            b.raw("…")
            return
        }
        let text = String(decoding: d, as: UTF8.self)
        if text.count > 120 { b.text(String(text.prefix(117)) + "…") } else { b.text(text) }
    }

    /// Stored text, escaped: ASCII straight from its bytes; anything else through `String`, so
    /// invalid UTF-8 (a foreign writer) is repaired exactly as `Statement.text(at:)` repairs it.
    static func appendText(_ t: UnsafeBufferPointer<UInt8>, into b: inout HTMLBuffer) {
        if t.allSatisfy({ $0 < 0x80 }) { b.text(bytes: t) } else { b.text(String(decoding: t, as: UTF8.self)) }
    }

    /// Whether the page links show: on a page after the first, and when the count leaves room for
    /// another page (or passed its cap). Without a count (the reference tests), as if there were.
    static func hasPages(_ m: Model) -> Bool {
        guard !m.isContinuation, let count = m.count else { return true }
        return count.total.map { $0 > m.limit } ?? true
    }

    /// First, Previous, Next and Last, each to the page's position line (`#results`): after a page
    /// link the next Tab is the first ticket of the new page, not the top of the filters.
    ///
    /// Previous names the page before this page's first row (`before=`), or the first page when
    /// this is the second; Last is `page=last`. The store finds where either starts from the end
    /// of its order, keyset-based (``TicketPageAnchor``), so neither link costs a query to write.
    /// An empty page after the first (the rest was closed meanwhile) goes back to the last page.
    private static func bottom(_ m: Model, isEmpty: Bool, next: TicketCursor?, firstRow: TicketCursor?, into b: inout HTMLBuffer) {
        if isEmpty {
            emptyResult(m, into: &b)
        } else {
            b.raw("</tbody>\n</table>\n")
        }
        guard m.isContinuation || next != nil else { return }
        b.raw("<nav aria-label=\"Pages\" class=\"pager\" id=\"pages\" tabindex=\"-1\">\n")
        if m.isContinuation {
            let first = query(m, cursor: nil)
            let firstHref = first.isEmpty ? "/tickets#results" : "/tickets?" + first + "#results"
            let previousHref: String = if let before = m.count?.before, before <= m.limit {
                firstHref
            } else if let firstRow {
                "/tickets?" + query(m, cursor: nil, before: firstRow.encoded) + "#results"
            } else {
                "/tickets?" + query(m, cursor: nil, last: true) + "#results"
            }
            b.raw("<a href=\"")
            b.text(firstHref)
            b.raw("\">First page</a>\n<a href=\"")
            b.text(previousHref)
            b.raw("\" rel=\"prev\">Previous page</a>\n")
        }
        if let next {
            b.raw("<a href=\"/tickets?")
            b.text(query(m, cursor: next.encoded))
            b.raw("#results\" rel=\"next\">Next page</a>\n<a href=\"/tickets?")
            b.text(query(m, cursor: nil, last: true))
            b.raw("#results\">Last page</a>\n")
        }
        b.raw("</nav>\n")
    }

    /// An empty list says what found nothing and offers the way back: the list without the search
    /// and the filters (and, when both were given, the search without the filters).
    private static func emptyResult(_ m: Model, into b: inout HTMLBuffer) {
        let filtered = m.category != nil || m.statusQuery != nil || !m.priority.isEmpty || !m.severity.isEmpty || m.sla != nil
            || (m.assignee.map { !$0.selected.isEmpty } ?? (m.assigneeID != nil))
        let more = m.isContinuation ? "more " : ""
        b.raw("<div class=\"empty-result\">\n<p>")
        switch (m.text, filtered) {
        case (let text?, _):
            b.raw(html: "No \(more)tickets match the search “")
            b.text(text)
            b.raw(filtered ? "” with these filters.</p>\n" : "”.</p>\n")
        case (nil, true):
            b.raw(html: "No \(more)tickets match these filters.</p>\n")
        case (nil, false):
            b.raw(m.isContinuation ? "No more tickets.</p>\n</div>\n" : "No tickets to show.</p>\n</div>\n")
            return
        }
        let clear = m.text == nil ? "Clear the filters" : filtered ? "Clear the search and filters" : "Clear the search"
        b.raw("<p><a href=\"/tickets\">")
        b.raw(html: clear)
        b.raw("</a>")
        if let text = m.text, filtered {
            b.raw(" or <a href=\"/tickets?")
            b.text(FormDecoding.encodeQuery([("q", text)]))
            b.raw("\">search all tickets for “")
            b.text(text)
            b.raw("”</a>")
        }
        b.raw("</p>\n</div>\n")
    }

    /// The page's query with another position: after `cursor`, before the row `before`, or the last page.
    static func query(_ m: Model, cursor: String?, before: String? = nil, last: Bool = false) -> String {
        queryBuilder(m, cursor: cursor, before: before, last: last).string
    }

    /// `query(_:cursor:before:last:)` as bytes, as `FormDecoding.encodeQuery` would encode it.
    static func queryBuilder(_ m: Model, cursor: String?, before: String? = nil, last: Bool = false) -> QueryBuilder {
        var q = QueryBuilder()
        q.add("q", m.text)
        q.add("category", m.category?.rawValue)
        q.add("status", m.statusQuery)
        q.add("priority", m.priority)
        q.add("severity", m.severity)
        q.add("confidence", m.lowConfidence ? "low" : nil)
        q.add("sla", m.sla?.rawValue)
        // Staff filter by `assigned_to` (the form's select); others keep the `assignee_id` they came with.
        if let a = m.assignee {
            q.add("assigned_to", a.selected)
        } else {
            q.add("assignee_id", m.assigneeID.map { String($0.rawValue) })
        }
        q.add("sort", m.order == m.defaultOrder ? nil : m.order.rawValue)
        q.add("limit", m.limit == TicketListQuery.defaultLimit ? nil : String(m.limit))
        q.add("cursor", cursor)
        q.add("before", before)
        q.add("page", last ? "last" : nil)
        return q
    }
}
