import Domain
import Foundation
import HTTPServer
import Testing
import TicketStore
@testable import WebGateway

/// Issue 20, finding 4, what the list still lacked: Previous and Last beside First and Next, with
/// the position right on every page of every order and filter, found keyset-based; the page links
/// in reach of the keyboard; and "Back to the list" kept through a change made on the ticket page.
@Suite struct TicketListPagingTests {
    /// One page as a visitor sees it: its rows and its position line.
    struct Seen: Equatable, CustomStringConvertible {
        var rows: [Int]
        var position: String
        var description: String { "\(position) \(rows)" }
    }

    static func seen(_ html: String) -> Seen {
        let position = html.components(separatedBy: "class=\"summary\" tabindex=\"-1\">").dropFirst().first?.prefix { $0 != "<" } ?? ""
        return Seen(rows: TicketListNavigationTests.rowIDs(html), position: String(position))
    }

    /// The target of the pager link with this text (`rel` for Previous and Next), unescaped, without
    /// its `#results`; nil when the page has no such link.
    static func link(_ text: String, in html: String) -> String? {
        guard let nav = html.range(of: "<nav aria-label=\"Pages\"") else { return nil }
        let rest = html[nav.upperBound...]
        let pager = rest[..<(rest.range(of: "</nav>")?.lowerBound ?? rest.endIndex)]
        guard let end = pager.range(of: ">\(text)</a>") else { return nil }
        guard let start = pager[..<end.lowerBound].range(of: "<a href=\"", options: .backwards) else { return nil }
        let href = pager[start.upperBound..<end.lowerBound].prefix { $0 != "\"" }
        #expect(href.hasSuffix("#results"), "\(href)")
        return String(href.prefix { $0 != "#" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The pages of `start` reached by following `text` until there is none.
    static func walk(_ b: inout Browser, from start: String, following text: String) async throws -> [Seen] {
        var html = await b.get(start).text
        var pages = [seen(html)]
        for _ in 0..<40 {
            guard let next = link(text, in: html) else { return pages }
            let r = await b.get(next)
            #expect(r.status == .ok, "\(next)")
            html = r.text
            pages.append(seen(html))
        }
        Issue.record("no end following \(text) from \(start)")
        return pages
    }

    /// What the position line says on page `index` (from 0) of `pages` pages of `size` over `total`.
    static func position(_ index: Int, size: Int, total: Int) -> String {
        let pages = (total + size - 1) / size
        let last = min(total, (index + 1) * size)
        return "Ticket\(total == 1 ? "" : "s") \(index * size + 1)–\(last) of \(total) · page \(index + 1) of \(pages)"
    }

    @Test("every order and filter: Next to the end and Previous back visit the same pages; Last then Previous too; every position is right",
          arguments: TicketOrder.allCases)
    func walkBothWays(_ order: TicketOrder) async throws {
        let world = World()
        let tickets = try await TicketListNavigationTests.seed(world, count: 23)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        // No filter (the priority order is the work queue's: open and active), a category, a search with a status.
        let queue = order == .priority
        let filters: [(query: String, size: Int, matches: [Ticket])] = [
            ("", 5, tickets.filter { !queue || $0.status != .closed }),
            ("category=it", 3, tickets.filter { $0.category == .it && (!queue || $0.status != .closed) }),
            ("q=problem&status=open", 3, tickets.filter { $0.status == .open }),
        ]
        for f in filters {
            let start = "/tickets?\(f.query.isEmpty ? "" : f.query + "&")sort=\(order.rawValue)&limit=\(f.size)"
            let forward = try await Self.walk(&b, from: start, following: "Next page")
            let rows = forward.flatMap(\.rows)
            #expect(rows.count == f.matches.count && Set(rows) == Set(f.matches.map { Int($0.id.rawValue) }), "\(start)")
            #expect(forward.count == (f.matches.count + f.size - 1) / f.size, "\(start)")
            for (i, page) in forward.enumerated() {
                #expect(page.position == Self.position(i, size: f.size, total: f.matches.count), "\(start) \(page)")
            }
            // From the last page reached by Next, Previous leads back through the same pages to the first.
            var html = await b.get(start).text
            for _ in 1..<forward.count { html = await b.get(try #require(Self.link("Next page", in: html))).text }
            #expect(Self.link("Next page", in: html) == nil && Self.link("Last page", in: html) == nil)
            #expect(html.contains("rel=\"prev\">Previous page</a>"), "\(start)")
            let backward = try await Self.walk(&b, from: try #require(Self.link("Previous page", in: html)), following: "Previous page")
            #expect(Array(backward.reversed()) + [forward.last!] == forward, "\(start)")
            // Last from the first page is the last page; Previous from it walks the same pages.
            let first = await b.get(start).text
            #expect(first.contains("rel=\"next\">Next page</a>") && !first.contains("rel=\"prev\""), "\(start)")
            let viaLast = try await Self.walk(&b, from: try #require(Self.link("Last page", in: first)), following: "Previous page")
            #expect(Array(viaLast.reversed()) == forward, "\(start)")
        }
    }

    @Test("Previous and Last keep the filters, the order and the size, and say rel=prev and rel=next")
    func linksKeepTheList() async throws {
        let world = World()
        _ = try await TicketListNavigationTests.seed(world, count: 20)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let first = await b.get("/tickets?category=it&sort=oldest&limit=2").text
        #expect(first.contains("<a class=\"skip\" href=\"#pages\">Skip to the page links</a>"))
        #expect(first.contains("<nav aria-label=\"Pages\" class=\"pager\" id=\"pages\" tabindex=\"-1\">"))
        #expect(Self.link("Last page", in: first) == "/tickets?category=it&sort=oldest&limit=2&page=last")
        let second = await b.get(try #require(Self.link("Next page", in: first))).text
        // The second page's Previous is the first page itself.
        #expect(Self.link("Previous page", in: second) == "/tickets?category=it&sort=oldest&limit=2")
        #expect(Self.link("First page", in: second) == "/tickets?category=it&sort=oldest&limit=2")
        let third = await b.get(try #require(Self.link("Next page", in: second))).text
        let previous = try #require(Self.link("Previous page", in: third))
        #expect(previous.hasPrefix("/tickets?category=it&sort=oldest&limit=2&before=o."), "\(previous)")
        #expect(Self.seen(await b.get(previous).text) == Self.seen(second))
        // A row of a page reached by Previous or Last returns to that page (its own cursor), and a
        // `before` or `page` carried in `from` survives the ticket page's check.
        let last = await b.get("/tickets?category=it&sort=oldest&limit=2&page=last").text
        let id = try #require(TicketListNavigationTests.rowIDs(last).first)
        #expect(last.contains("<a href=\"/tickets/\(id)?from=category%3Dit%26sort%3Doldest%26limit%3D2%26cursor%3Do."))
        let ticket = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode("category=it&limit=2&page=last")).text
        #expect(ticket.contains("<a href=\"/tickets?category=it&amp;limit=2&amp;page=last\">Back to the list</a>"))
        // Malformed positions are refused, and dropped from `from`.
        #expect(await b.get("/tickets?page=first").status == .badRequest)
        #expect(await b.get("/tickets?sort=oldest&before=12.3").status == .badRequest)
        #expect(await b.get("/tickets?sort=oldest&before=nonsense").status == .badRequest)
        let dropped = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode("category=it&before=x")).text
        #expect(dropped.contains("<a href=\"/tickets\">Back to the list</a>"))
        // One page only: no page links, and no skip link to them.
        let one = await b.get("/tickets?category=it&sort=oldest").text
        #expect(!one.contains("class=\"pager\"") && !one.contains("href=\"#pages\""))
        #expect(HTMLCheck.problems(second) == [] && HTMLCheck.problems(first) == [])
    }

    @Test("a comma list of statuses stays in every link the page writes: First, Previous, Next, Last, each row's from= and the form")
    func statusListSurvivesTheLinks() async throws {
        let world = World()
        let tickets = try await TicketListNavigationTests.seed(world, count: 20)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let matches = Set(tickets.filter { $0.status != .active }.map { Int($0.id.rawValue) })
        let start = "/tickets?status=open%2Cclosed&sort=oldest&limit=3"
        // Next to the end: every open and closed ticket, no active one, and the position of the
        // open and closed tickets only (a lost status would count and show all 20).
        let forward = try await Self.walk(&b, from: start, following: "Next page")
        #expect(Set(forward.flatMap(\.rows)) == matches && forward.flatMap(\.rows).count == matches.count)
        for (i, page) in forward.enumerated() {
            #expect(page.position == Self.position(i, size: 3, total: matches.count), "\(page)")
        }
        // Last, then Previous back to the first page, visits the same pages.
        let first = await b.get(start).text
        let last = try #require(Self.link("Last page", in: first))
        #expect(last == "/tickets?status=open%2Cclosed&sort=oldest&limit=3&page=last")
        let backward = try await Self.walk(&b, from: last, following: "Previous page")
        #expect(Array(backward.reversed()) == forward)
        let second = await b.get(try #require(Self.link("Next page", in: first))).text
        #expect(Self.link("First page", in: second) == "/tickets?status=open%2Cclosed&sort=oldest&limit=3")
        // Each row returns to this list, and the ticket page's "Back to the list" keeps the statuses.
        let id = try #require(TicketListNavigationTests.rowIDs(first).first)
        #expect(first.contains("<a href=\"/tickets/\(id)?from=status%3Dopen%252Cclosed%26sort%3Doldest%26limit%3D3\">"))
        let ticket = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode("status=open,closed&sort=oldest&limit=3")).text
        #expect(ticket.contains("<a href=\"/tickets?status=open%2Cclosed&amp;sort=oldest&amp;limit=3\">Back to the list</a>"))
        #expect(first.contains("<h1>Open or closed tickets</h1>"))
        // The form keeps the list chosen, so applying another order keeps the statuses.
        #expect(first.contains("<option value=\"open,closed\" selected>"), "\(first)")
        #expect(HTMLCheck.problems(first) == [] && HTMLCheck.problems(second) == [])
    }

    @Test("the page's links are encoded as FormDecoding.encodeQuery encodes them (QueryBuilder)")
    func queryBuilderEncodesAsEncodeQuery() {
        let values: [String?] = [nil, "", "plain", "a b&c=d", "Wi-Fi ~._", "ünïcode “quotes” 🎉", "100%", "open,closed", "#3001", "<x>\"'"]
        for v in values {
            for w in values {
                var q = QueryBuilder()
                q.add("q", v)
                q.add("assigned_to", w)
                #expect(q.string == FormDecoding.encodeQuery([("q", v), ("assigned_to", w)]), "\(String(describing: v)) \(String(describing: w))")
                #expect(q.isEmpty == q.string.isEmpty)
            }
        }
    }

    @Test("past the count's cap, a page near the end counts the rows after it and knows its place")
    func store_PositionFromTheEnd() async throws {
        let world = World()
        _ = try await TicketListNavigationTests.seed(world, count: 30)
        for order in TicketOrder.allCases {
            // Every status: exact total from status_counts (30), whatever the cap.
            var f = TicketFilter(statuses: Set(Status.allCases), limit: 4, order: order)
            let cap = 5
            // The last page (6 rows before the end ... 2 rows): 28 before it, 2 after its cursor.
            let last = try await world.reader.withListRows(f, from: .last, countingUpTo: cap) { rows, count in
                try rows.forEach { _ in }
                return (rows.count, count, rows.firstCursor)
            }
            #expect(last.0 == 2 && last.1.total == 30 && last.1.before == 28, "\(order) \(last.1)")
            // A page in the middle: more than the cap on both sides, so the position is unknown.
            f.cursor = try await world.reader.list(TicketFilter(statuses: Set(Status.allCases), limit: 12, order: order)).nextCursor
            #expect(try await world.reader.count(f, cap: cap).before == nil, "\(order)")
            // Previous from the last page, through the store: the page before its first row (24 rows
            // before it, 6 after its cursor: counted from the end past a cap of 6 too).
            let before = try await world.reader.withListRows(f, from: .before(try #require(last.2)), countingUpTo: 6) { rows, count in
                try rows.forEach { _ in }
                return (rows.count, count.before)
            }
            #expect(before.0 == 4 && before.1 == 24, "\(order)")
        }
    }

    @Test("a change made on a ticket reached from a filtered list keeps the way back to that list",
          arguments: ["status", "category", "triage", "assign", "messages"])
    func formPostKeepsFrom(_ form: String) async throws {
        let world = World()
        _ = try await TicketListNavigationTests.seed(world, count: 12)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let list = "category=it&sort=oldest&limit=2"
        let page = await b.get("/tickets?" + list).text
        let id = try #require(TicketListNavigationTests.rowIDs(page).first)
        let ticketPage = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode(list)).text
        #expect(ticketPage.contains("<input type=\"hidden\" name=\"from\" value=\"\(escapeHTML(list))\">"))
        let fields: [(String, String)] = switch form {
        case "status": [("status", "active")]
        case "category": [("category", "services")]
        case "triage": [("severity", "high"), ("priority", "P2")]
        case "assign": [("assignee_id", "")]
        default: [("body", "On my way.")]
        }
        let posted = await b.post("/tickets/\(id)/\(form)", fields + [("request_id", "p-\(form)"), ("from", list)])
        #expect(posted.status == .seeOther, "\(form) \(posted.text)")
        let location = try #require(posted.headers["Location"])
        #expect(location.hasPrefix("/tickets/\(id)?done=") && location.hasSuffix("&from=" + FormDecoding.percentEncode(list)), "\(location)")
        let after = await b.get(location).text
        #expect(after.contains("<a href=\"/tickets?\(escapeHTML(list))\">Back to the list</a>"), "\(form)")
        // A refused change keeps it too; a hostile `from` is checked as on a GET.
        let refused = await b.post("/tickets/\(id)/status", [("status", "nonsense"), ("request_id", "bad-\(form)"), ("from", list)])
        #expect(refused.text.contains("<a href=\"/tickets?\(escapeHTML(list))\">Back to the list</a>"))
        let hostile = await b.post("/tickets/\(id)/messages", [("body", "Twice \(form)"), ("request_id", "h-\(form)"), ("from", "evil=\"><script>")])
        #expect(hostile.headers["Location"] == "/tickets/\(id)?done=message")
    }
}
