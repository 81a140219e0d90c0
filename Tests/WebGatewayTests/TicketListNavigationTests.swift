import Domain
import SpoolBroker
import Foundation
import HTTPServer
import Testing
import TicketStore
@testable import WebGateway

/// The list a staff member works from all day (issue 20, finding 4): a count and a position,
/// every order and its cursors, the age beside the time, the way back from a ticket to the same
/// page, headings that say what is shown, one link per row, and the low-confidence filter.
@Suite struct TicketListNavigationTests {
    static let base = Timestamp(millisecondsSinceEpoch: 1_767_000_000_000)

    /// `count` tickets: statuses in turn, categories in turn, opened an hour apart, last active in
    /// a shuffled order (`modified_at`), every fifth one with a low-confidence automatic category.
    static func seed(_ world: World, count: Int) async throws -> [Ticket] {
        var commands: [Command] = []
        for i in 0..<count {
            let status = Status.allCases[i % 3]
            let opened = base.adding(milliseconds: Int64(i) * 3_600_000)
            let modified = opened.adding(milliseconds: Int64((i * 37) % count) * 60_000)
            commands.append(Command(role: .admin, action: .importTicket(ImportTicket(
                description: "Problem \(i)", category: Category.allCases[(i / 3) % 3], status: status, openedAt: opened,
                modifiedAt: modified, closedAt: status == .closed ? modified : nil))))
        }
        var tickets: [Ticket] = []
        for reply in try await world.worker.store.apply(commands) { tickets.append(try #require(reply.ticket)) }
        // Imports are indexed for search afterwards, as the worker does between commands.
        while try await world.worker.store.indexSearchBacklog(limit: 500) > 0 {}
        return tickets
    }

    /// Every page of `filter` through `list`, following the cursors.
    static func walk(_ reader: TicketReader, _ filter: TicketFilter) async throws -> [TicketID] {
        var f = filter
        var ids: [TicketID] = []
        for _ in 0..<100 {
            let page = try await reader.list(f)
            ids += page.tickets.map(\.id)
            guard let next = page.nextCursor else { return ids }
            #expect(TicketCursor(encoded: next.encoded) == next, "\(next.encoded)")
            f.cursor = TicketCursor(encoded: next.encoded)
        }
        Issue.record("no last page")
        return ids
    }

    /// The row numbers of a list page, in order.
    static func rowIDs(_ html: String) -> [Int] {
        html.components(separatedBy: "<tr><td>#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    // MARK: - The store: orders, cursors, counts

    @Test("every order pages through exactly the tickets in its documented order, with cursors that round-trip", arguments: TicketOrder.allCases)
    func store_EveryOrderPages(_ order: TicketOrder) async throws {
        let world = World()
        let tickets = try await Self.seed(world, count: 40)
        func sorted(_ ts: [Ticket]) -> [TicketID] {
            ts.sorted { a, b in
                switch order {
                case .newest: (a.openedAt, a.id.rawValue) > (b.openedAt, b.id.rawValue)
                case .oldest: (a.openedAt, a.id.rawValue) < (b.openedAt, b.id.rawValue)
                case .priority: (TicketCursor.rank(a.priority), a.openedAt, a.id.rawValue) < (TicketCursor.rank(b.priority), b.openedAt, b.id.rawValue)
                case .number: a.id.rawValue < b.id.rawValue
                case .numberDescending: a.id.rawValue > b.id.rawValue
                case .activity: (a.modifiedAt, a.id.rawValue) > (b.modifiedAt, b.id.rawValue)
                case .activityAscending: (a.modifiedAt, a.id.rawValue) < (b.modifiedAt, b.id.rawValue)
                case .status:
                    TicketOrder.rank(a.status) != TicketOrder.rank(b.status) ? TicketOrder.rank(a.status) < TicketOrder.rank(b.status)
                        : (a.openedAt, a.id.rawValue) > (b.openedAt, b.id.rawValue)
                case .due: (TicketSLA.nextDue(of: a.sla), a.id.rawValue) < (TicketSLA.nextDue(of: b.sla), b.id.rawValue)
                }
            }.map(\.id)
        }
        // Every ticket, then the filters that take the other query shapes: a status and category, a search.
        let all = try await Self.walk(world.reader, TicketFilter(limit: 7, order: order))
        #expect(all == sorted(tickets))
        let it = try await Self.walk(world.reader, TicketFilter(statuses: [.open, .closed], category: .it, limit: 3, order: order))
        #expect(it == sorted(tickets.filter { [.open, .closed].contains($0.status) && $0.category == .it }))
        let search = try await Self.walk(world.reader, TicketFilter(text: "problem", limit: 9, order: order))
        #expect(search == sorted(tickets))
        // The page path (rows read in place) hands out the same cursor as `list`.
        var f = TicketFilter(limit: 7, order: order)
        let page = try await world.reader.list(f)
        f.limit = 7
        let rowsNext = try await world.reader.withListRows(f) { rows in
            try rows.forEach { _ in }
            return rows.nextCursor
        }
        #expect(rowsNext == page.nextCursor)
    }

    @Test("the new cursor forms parse exactly as written; malformed ones are refused")
    func cursor_NewForms() {
        for text in ["o.1767000000000.5", "i.0.12", "d.0.12", "a.1767000000000.3", "s.0.3", "t1.1767000000000.7", "t3.0.1",
                     "u.1767000000000.3", "u.999999999999999999.4"] {
            #expect(TicketCursor(encoded: text)?.encoded == text, "\(text)")
        }
        #expect(TicketCursor(encoded: "t1.5.7")?.order == .status && TicketCursor(encoded: "a.5.7")?.order == .activity)
        #expect(TicketCursor(encoded: "u.5.7") == TicketCursor(order: .due, key: 5, id: TicketID(7)))
        for text in ["t4.1.1", "t0.1.1", "x.1.1", "o.01.1", "oo.1.1", "o..1", "a.1", "T1.1.1"] {
            #expect(TicketCursor(encoded: text) == nil, "\(text)")
        }
    }

    @Test("a status-only count comes from status_counts whatever the cap; any other filter is counted up to the cap")
    func store_Counts() async throws {
        let world = World()
        let tickets = try await Self.seed(world, count: 30)
        let open = tickets.filter { $0.status == .open }.count
        // Status only: exact beyond the cap (from the triggers' counters, not a count of rows).
        var c = try await world.reader.count(TicketFilter(statuses: [.open, .active]), cap: 5)
        #expect(c.total == 20 && c.before == 0)
        c = try await world.reader.count(TicketFilter(), cap: 5)
        #expect(c.total == 30)
        // Other filters: exact up to the cap, nil ("more than") past it.
        c = try await world.reader.count(TicketFilter(statuses: [.open], category: .it), cap: 100)
        #expect(c.total == tickets.filter { $0.status == .open && $0.category == .it }.count)
        c = try await world.reader.count(TicketFilter(category: .it), cap: 5)
        #expect(c.total == nil && c.cap == 5)
        c = try await world.reader.count(TicketFilter(text: "problem"), cap: 1000)
        #expect(c.total == 30)
        // Before a cursor: the rows of the pages already seen, in each order.
        for order in TicketOrder.allCases {
            var f = TicketFilter(statuses: [.open], limit: 4, order: order)
            let first = try await world.reader.list(f)
            f.cursor = first.nextCursor
            c = try await world.reader.count(f, cap: 100)
            #expect(c.before == 4 && c.total == open, "\(order)")
            f.category = .facility
            let firstFacility = try await world.reader.list(TicketFilter(statuses: [.open], category: .facility, limit: 2, order: order))
            f.cursor = firstFacility.nextCursor
            f.limit = 2
            #expect(try await world.reader.count(f, cap: 100).before == 2, "\(order)")
        }
    }

    // MARK: - The page

    @Test("the page says how many match and where it is, page by page; past the cap it says more than")
    func page_CountAndPosition() async throws {
        let world = World()
        let tickets = try await Self.seed(world, count: 120)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let first = await b.get("/tickets?sort=newest").text
        #expect(first.contains("<p id=\"results\" class=\"summary\" tabindex=\"-1\">Tickets 1–50 of 120 · page 1 of 3</p>"))
        let next = try #require(TicketListTriageTests.nextLink(first))
        let second = await b.get("/tickets?" + next).text
        #expect(second.contains("Tickets 51–100 of 120 · page 2 of 3"))
        let third = await b.get("/tickets?" + (try #require(TicketListTriageTests.nextLink(second)))).text
        #expect(third.contains("Tickets 101–120 of 120 · page 3 of 3") && Self.rowIDs(third).count == 20)
        // A filter beside status: counted (40 IT tickets), not summed.
        let it = tickets.filter { $0.category == .it }.count
        let itPage = await b.get("/tickets?category=it&sort=oldest").text
        #expect(it > 1 && itPage.contains("Tickets 1–\(it) of \(it) · page 1 of 1"), "\(it)")
        // The work queue: open and active from the counters.
        #expect(await b.get("/tickets").text.contains("Tickets 1–50 of 80 · page 1 of 2"))
    }

    @Test("staff sort by every order from the form; each page's links keep the order; a bad sort is 400")
    func page_Sorts() async throws {
        let world = World()
        let tickets = try await Self.seed(world, count: 12)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let byNumber = await b.get("/tickets?sort=number&limit=5").text
        #expect(Self.rowIDs(byNumber) == [1, 2, 3, 4, 5])
        #expect(byNumber.contains("<option value=\"number\" selected>Number, lowest first</option>"))
        #expect(byNumber.contains(", by number, lowest first</caption>"))
        let next = try #require(TicketListTriageTests.nextLink(byNumber))
        #expect(next.hasPrefix("sort=number&limit=5&cursor=i.0.5"))
        #expect(Self.rowIDs(await b.get("/tickets?" + next).text) == [6, 7, 8, 9, 10])
        let byStatus = Self.rowIDs(await b.get("/tickets?sort=status").text)
        let expected = tickets.sorted { ($0.status == .open ? 0 : $0.status == .active ? 1 : 2, -$0.openedAt.millisecondsSinceEpoch) < ($1.status == .open ? 0 : $1.status == .active ? 1 : 2, -$1.openedAt.millisecondsSinceEpoch) }
        #expect(byStatus == expected.map { Int($0.id.rawValue) })
        let stale = Self.rowIDs(await b.get("/tickets?sort=activity-asc").text)
        #expect(stale == tickets.sorted { ($0.modifiedAt, $0.id.rawValue) < ($1.modifiedAt, $1.id.rawValue) }.map { Int($0.id.rawValue) })
        #expect(await b.get("/tickets?sort=size").status == .badRequest)
        // Customers choose an order too, but never priority.
        var c = Browser(world.gateway())
        await c.enter(as: .customer)
        let mine = await c.get("/tickets?sort=oldest").text
        #expect(Self.rowIDs(mine).first == 1 && mine.contains("<option value=\"oldest\" selected>Oldest first</option>") && !mine.contains("value=\"priority\""))
    }

    @Test("each row shows its age beside the exact time, counted from the server's clock")
    func page_RelativeAge() async throws {
        let world = World()
        world.clock = FixedClock(instant: Self.base.adding(milliseconds: 3 * 3_600_000 + 59_000))
        _ = try await Self.seed(world, count: 3)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let html = await b.get("/tickets?sort=number").text
        #expect(html.contains("<time datetime=\"2025-12-29T09:20:00.000Z\">"))
        #expect(html.contains("</time><br><span class=\"age\">3 hours ago</span></td></tr>"))
        #expect(html.contains("<br><span class=\"age\">2 hours ago</span>"))
        #expect(html.contains("<br><span class=\"age\">1 hour ago</span>"))
        var line = HTMLBuffer(capacity: 64)
        for (minutes, text) in [(0, "just now"), (-5, "just now"), (1, "1 minute ago"), (59, "59 minutes ago"), (60 * 47, "47 hours ago"),
                                (60 * 48, "2 days ago"), (1440 * 59, "59 days ago"), (1440 * 60, "2 months ago"), (1440 * 800, "2 years ago")] {
            line = HTMLBuffer(capacity: 64)
            line.write(capacity: 64) {
                TicketListPage.age(Timestamp(millisecondsSinceEpoch: 0), now: Timestamp(millisecondsSinceEpoch: Int64(minutes) * 60_000), into: &$0)
            }
            #expect(line.string == "<br><span class=\"age\">\(text)</span>", "\(minutes)")
        }
    }

    @Test("a row's link carries the list query; the ticket's Back link returns to that page, validated and re-encoded")
    func page_BackToTheSameList() async throws {
        let world = World()
        _ = try await Self.seed(world, count: 12)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let list = await b.get("/tickets?category=it&sort=oldest&limit=2").text
        let next = try #require(TicketListTriageTests.nextLink(list))
        let page = await b.get("/tickets?" + next).text
        let id = try #require(Self.rowIDs(page).first)
        let from = FormDecoding.percentEncode(next)
        #expect(page.contains("<a href=\"/tickets/\(id)?from=\(escapeHTML(from))\">"))
        let ticket = await b.get("/tickets/\(id)?from=\(from)").text
        #expect(ticket.contains("<a href=\"/tickets?\(escapeHTML(next))\">Back to the list</a>"))
        // The plain list's links carry nothing.
        let plain = await b.get("/tickets").text
        #expect(plain.contains("<a href=\"/tickets/1\">") || plain.contains("<a href=\"/tickets/2\">"))
        // Anything else is dropped: unknown fields, a refused query, markup.
        let hostile = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode("category=it&done=x&evil=%22%3E%3Cscript%3E")).text
        #expect(hostile.contains("<a href=\"/tickets?category=it\">Back to the list</a>") && !hostile.contains("<script>"))
        let refused = await b.get("/tickets/\(id)?from=" + FormDecoding.percentEncode("status=nope\"><script>")).text
        #expect(refused.contains("<a href=\"/tickets\">Back to the list</a>") && !refused.contains("<script>"))
    }

    @Test("headings say what is shown", arguments: [
        ("/tickets?status=open&category=it", "Open IT tickets"), ("/tickets?q=wifi", "Search: wifi"),
        ("/tickets?q=wifi&status=closed", "Search: wifi (closed tickets)"), ("/tickets?category=facility&priority=P1", "Open and active P1 Facility tickets"),
        ("/tickets?confidence=low&sort=newest", "Tickets filed with low confidence"), ("/tickets?sort=newest", "All tickets"),
        ("/tickets?q=%3Cb%3E", "Search: &lt;b&gt;"),
    ])
    func page_Headings(_ target: String, _ heading: String) async throws {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let html = await b.get(target).text
        #expect(html.contains("<h1>\(heading)</h1>"), "\(target)")
        #expect(HTMLCheck.problems(html) == [])
    }

    @Test("one link per row, and a skip link past the filters to the results")
    func page_OneLinkPerRow() async throws {
        let world = World()
        _ = try await Self.seed(world, count: 50)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let html = await b.get("/tickets?sort=newest").text
        let body = try #require(html.range(of: "<tbody>")).upperBound
        let end = try #require(html.range(of: "</tbody>")).lowerBound
        let rows = html[body..<end]
        #expect(rows.components(separatedBy: "<tr>").count - 1 == 50)
        #expect(rows.components(separatedBy: "<a ").count - 1 == 50)
        #expect(html.contains("<a class=\"skip\" href=\"#results\">Skip to the results</a>") && html.contains("id=\"results\""))
    }

    @Test("the low-confidence filter lists the tickets the classifier filed below the threshold, on the page and in the API")
    func lowConfidence() async throws {
        let world = World()
        let gateway = world.gateway()
        world.classifier.set(0.45)
        let unsure = try #require(try await world.worker.store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "The projector flickers")))])[0].ticket)
        world.classifier.set(0.95)
        let sure = try #require(try await world.worker.store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "Canteen closed early")))])[0].ticket)
        world.classifier.set(0.3)
        let decided = try #require(try await world.worker.store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "Door squeaks")))])[0].ticket)
        _ = try await world.worker.store.apply([Command(role: .agent, action: .setCategory(SetCategory(ticketID: decided.id, category: .facility)))])
        var b = Browser(gateway)
        await b.enter(as: .agent)
        let html = await b.get("/tickets?confidence=low").text
        #expect(Self.rowIDs(html) == [Int(unsure.id.rawValue)], "\(sure.id)")
        #expect(html.contains("<option value=\"low\" selected>Low (check first)</option>"))
        #expect(html.contains("Ticket 1–1 of 1"))
        let api = await APITests.Client(gateway: gateway).call("GET", "/api/tickets?confidence=low")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [String: Any])
        #expect(api.status == .ok && (json["tickets"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(unsure.id.rawValue)])
        #expect(await APITests.Client(gateway: gateway).call("GET", "/api/tickets?confidence=high").status == .badRequest)
        #expect(await b.get("/tickets?confidence=high").status == .badRequest)
    }

    @Test("a search in priority order past the count's cap says that it ranks the newest 1,000 matches")
    func summary_SaysThePriorityWindow() {
        let request = HTTPRequest(method: .get, target: "/tickets", headers: HTTPHeaders([("Cookie", "cd_role=staff")]))
        var m = TicketListPage.Model(visitor: Visitor.from(request, newBrowserID: { "unused" }), csrfToken: "t", text: "projector",
                                     category: nil, status: nil, flash: nil, isContinuation: true, order: .priority)
        m.count = TicketCount(total: nil, before: 50, cap: TicketCount.searchCap)
        func line(_ m: TicketListPage.Model) -> String {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
                var w = DigitWriter(buffer)
                TicketListPage.summaryText(m, into: &w)
                return String(decoding: w.written, as: UTF8.self)
            }
        }
        #expect(line(m) == "Tickets 51–100 of more than 200 · page 2 · the newest 1,000 by priority")
        m.order = .newest
        #expect(line(m) == "Tickets 51–100 of more than 200 · page 2")
        m.order = .priority
        m.text = nil
        #expect(line(m) == "Tickets 51–100 of more than 200 · page 2")
        m.text = "projector"
        m.count = TicketCount(total: 120, before: 50, cap: TicketCount.defaultCap)
        #expect(line(m) == "Tickets 51–100 of 120 · page 2 of 3")
    }
}
