import Domain
import Credentials
import SpoolBroker
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

/// The list's triage: `sort`, `severity` and `priority` read and refused as documented, the
/// priority order through the API and its queues, and the staff list page's columns and filters.
@Suite struct TicketListTriageTests {
    static func query(_ text: String) throws -> FormFields { try FormDecoding.decodeQuery(text) }

    // MARK: - Reading the query

    @Test("sort, severity and priority read into the filter; priority order means open and active unless status says otherwise")
    func filter_ReadsTriage() throws {
        let staff = Actor(role: .agent)
        var f = try TicketListQuery.filter(from: Self.query("sort=priority"), actor: staff, mode: .open)
        #expect(f.order == .priority && f.statuses == [.open, .active])
        f = try TicketListQuery.filter(from: Self.query("sort=priority&status=closed"), actor: staff, mode: .open)
        #expect(f.order == .priority && f.statuses == [.closed])
        f = try TicketListQuery.filter(from: Self.query(""), actor: staff, mode: .open, defaultOrder: .priority)
        #expect(f.order == .priority && f.statuses == [.open, .active])
        f = try TicketListQuery.filter(from: Self.query("sort=newest"), actor: staff, mode: .open, defaultOrder: .priority)
        #expect(f.order == .newest && f.statuses.isEmpty)
        f = try TicketListQuery.filter(from: Self.query("severity=high,none,low&priority=P1,none"), actor: staff, mode: .open)
        #expect(f.severities == [.high, nil, .low] && f.priorities == [.p1, nil] && f.order == .newest)
        // A customer on the campus desk: open and active either way; the API gives them the same fields.
        f = try TicketListQuery.filter(from: Self.query("sort=priority&priority=P2"), actor: Actor(role: .customer), mode: .open)
        #expect(f.order == .priority && f.statuses == [.open, .active] && f.priorities == [.p2])
    }

    @Test("a cursor carries its order: it continues the list it came from whatever sort says")
    func filter_CursorOrderWins() throws {
        let staff = Actor(role: .agent)
        let p = try TicketListQuery.filter(from: Self.query("cursor=p5.1767607260000.6"), actor: staff, mode: .open)
        #expect(p.order == .priority && p.cursor == TicketCursor(priority: nil, openedAt: Timestamp(millisecondsSinceEpoch: 1_767_607_260_000), id: TicketID(6)))
        #expect(p.statuses == [.open, .active])
        let n = try TicketListQuery.filter(from: Self.query("sort=priority&cursor=1767607260000.6"), actor: staff, mode: .open)
        #expect(n.order == .newest && n.statuses.isEmpty)
    }

    @Test("bad values are 400 naming the field", arguments: [
        ("sort=eldest", "sort", TicketListQuery.sortRule), ("sort=Priority", "sort", TicketListQuery.sortRule),
        ("severity=urgent", "severity", TicketListQuery.severityRule), ("severity=high,", "severity", TicketListQuery.severityRule),
        ("severity=HIGH", "severity", TicketListQuery.severityRule), ("priority=p1", "priority", TicketListQuery.priorityRule),
        ("priority=P5", "priority", TicketListQuery.priorityRule), ("priority=P1,,P2", "priority", TicketListQuery.priorityRule),
        ("priority=null", "priority", TicketListQuery.priorityRule),
        ("cursor=p6.1.1", "cursor", "cursor is not one this server handed out."), ("cursor=p1.01.1", "cursor", "cursor is not one this server handed out."),
        ("cursor=P1.1.1", "cursor", "cursor is not one this server handed out."), ("cursor=p1.1", "cursor", "cursor is not one this server handed out."),
    ])
    func filter_RefusesBadValues(_ text: String, _ field: String, _ detail: String) throws {
        #expect(throws: Problem(status: .badRequest, detail: detail, field: field)) {
            _ = try TicketListQuery.filter(from: Self.query(text), actor: Actor(role: .agent), mode: .open)
        }
    }

    @Test("cursors: both forms round-trip exactly; anything else is refused")
    func cursor_Forms() {
        for c in [TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: 0), id: TicketID(1)),
                  TicketCursor(priority: .p1, openedAt: Timestamp(millisecondsSinceEpoch: 999_999_999_999_999_999), id: TicketID(999_999_999_999_999_999)),
                  TicketCursor(priority: .p4, openedAt: Timestamp(millisecondsSinceEpoch: 17), id: TicketID(3)),
                  TicketCursor(priority: nil, openedAt: Timestamp(millisecondsSinceEpoch: 17), id: TicketID(3))] {
            #expect(TicketCursor(encoded: c.encoded) == c, "\(c.encoded)")
        }
        #expect(TicketCursor(priority: .p3, openedAt: Timestamp(millisecondsSinceEpoch: 17), id: TicketID(3)).encoded == "p3.17.3")
        #expect(TicketCursor(priority: nil, openedAt: Timestamp(millisecondsSinceEpoch: 17), id: TicketID(3)).encoded == "p5.17.3")
        for bad in ["p0.1.1", "p.1.1", "p12.1.1", "x1.1.1", "p1..1", "p1.1.0", "p1.-1.1", "p1.1.1.1", ".p1.1.1", "p1.1.1 ", "p1"] {
            #expect(TicketCursor(encoded: bad) == nil, "\(bad)")
        }
    }

    // MARK: - The API

    /// Tickets with every priority (and none), some in one millisecond, by import as the operator.
    static func seed(_ world: World) async throws -> [Ticket] {
        var tickets: [Ticket] = []
        let base = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        let priorities: [Priority?] = [nil, .p2, .p1, .p4, nil, .p3, .p1, .p2]
        for (i, p) in priorities.enumerated() {
            let reply = try await world.worker.store.apply([Command(role: .admin, action: .importTicket(ImportTicket(
                description: "Problem \(i)", status: i == 7 ? .closed : (i % 2 == 0 ? .open : .active),
                openedAt: base.adding(milliseconds: Int64(i / 2) * 1000), closedAt: i == 7 ? base.adding(milliseconds: 5000) : nil,
                severity: p == nil ? nil : .high, priority: p)))])[0]
            tickets.append(try #require(reply.ticket, "\(String(describing: reply.refusal))"))
        }
        return tickets
    }

    @Test("GET /api/tickets?sort=priority pages the open and active tickets by priority, then oldest, with p-cursors")
    func api_PriorityOrder() async throws {
        let world = World()
        _ = try await Self.seed(world)
        let c = APITests.Client(gateway: world.gateway())
        var ids: [Int] = []
        var target = "/api/tickets?sort=priority&limit=3"
        var cursors: [String] = []
        while true {
            let page = try #require(await c.call("GET", target).json)
            ids += (page["tickets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            guard let next = page["next_cursor"] as? String else { break }
            cursors.append(next)
            target = "/api/tickets?limit=3&cursor=\(next)"
        }
        // P1: 3, 7; P2: 2; P3: 6; P4: 4; none: 1, 5 (8 is closed).
        #expect(ids == [3, 7, 2, 6, 4, 1, 5])
        #expect(cursors.allSatisfy { $0.hasPrefix("p") })
        let p1 = try #require(await c.call("GET", "/api/tickets?sort=priority&priority=P1,none&severity=none").json)
        #expect((p1["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1, 5])
        let queue = try #require(await c.call("GET", "/api/tickets/unassigned?sort=priority&priority=P2,P3").json)
        #expect((queue["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2, 6])
        let closed = try #require(await c.call("GET", "/api/tickets?sort=priority&status=closed").json)
        #expect((closed["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [8])
        // Newest first stays the API's default.
        let newest = try #require(await c.call("GET", "/api/tickets?severity=high&limit=2").json)
        #expect((newest["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [8, 7])
    }

    @Test("the API's 400s name the field: bad, empty and repeated values", arguments: [
        ("sort=random", "sort"), ("sort=", "sort"), ("severity=", "severity"), ("priority=", "priority"),
        ("severity=grave", "severity"), ("priority=P1&priority=P2", "priority"), ("cursor=p9.1.1", "cursor"),
    ])
    func api_BadValues(_ query: String, _ field: String) async throws {
        let world = World()
        let c = APITests.Client(gateway: world.gateway())
        for path in ["/api/tickets", "/api/tickets/unassigned"] {
            let r = await c.call("GET", "\(path)?\(query)")
            APITests.problem(r, 400)
            #expect(r.json?["field"] as? String == field, "\(path)?\(query)")
        }
    }

    // MARK: - The page

    /// An engineer whose name needs escaping, and the seeded tickets, two of them assigned to them.
    static func seedWithAssignee(_ world: World) async throws -> (User, [Ticket]) {
        let fields = AccountFields(name: "Zoë <b>O'Neil</b> & \"Co\"", email: "zoe@example.org",
                                   passwordHash: PasswordHash.make(password: "correct horse battery", iterations: 1_000))
        let reply = try await world.worker.store.apply([Command(role: .admin, action: .createUser(CreateUser(account: fields, role: .engineer)))])[0]
        let engineer = try #require(reply.user, "\(String(describing: reply.refusal))")
        let tickets = try await seed(world)
        for id in [TicketID(3), TicketID(2)] {
            let r = try await world.worker.store.apply([Command(role: .admin, action: .assignTicket(AssignTicket(ticketID: id, assigneeID: engineer.id)))])[0]
            #expect(r.refusal == nil)
        }
        return (engineer, tickets)
    }

    /// The query of the page's "Next page" link, unescaped.
    static func nextLink(_ html: String) -> String? {
        guard let next = html.range(of: "\" rel=\"next\"") else { return nil }
        let before = html[..<next.lowerBound]
        guard let start = before.range(of: "href=\"/tickets?", options: .backwards) else { return nil }
        // Without the fragment (`#results`: the page link lands on the position line).
        return String(before[start.upperBound...].prefix { $0 != "#" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The ticket numbers of a list page's rows, in order.
    static func rowIDs(_ html: String) -> [Int] {
        html.components(separatedBy: "<tr><td>#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test("staff land on the work queue by priority with priority, severity and assignee columns, the name escaped")
    func page_StaffDefault() async throws {
        let world = World()
        _ = try await Self.seedWithAssignee(world)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let r = await b.get("/tickets")
        #expect(r.status == .ok)
        let html = r.text
        #expect(HTMLCheck.problems(html) == [])
        #expect(Self.rowIDs(html) == [3, 7, 2, 6, 4, 1, 5])
        #expect(html.contains("<h1>Open and active tickets</h1>"))
        #expect(html.contains("Open and active tickets, highest priority first, then longest waiting</caption>"))
        #expect(html.contains("<table class=\"tickets triage\">"))
        // The SLA column between priority and severity (TicketListSLATests): the seeded tickets, long past, are breached.
        #expect(html.contains("<th scope=\"col\">Priority</th><th scope=\"col\">SLA</th><th scope=\"col\">Severity</th><th scope=\"col\">Assigned to</th>"))
        #expect(html.contains("<td><strong>P1</strong></td><td><span class=\"sla sla-breached\">breached</span></td><td>High</td><td>Zoë &lt;b&gt;O&#39;Neil&lt;/b&gt; &amp; &quot;Co&quot;</td>"))
        #expect(html.contains("<td class=\"muted\">None</td><td><span class=\"sla sla-breached\">breached</span></td><td class=\"muted\">Not triaged</td><td class=\"muted\">Unassigned</td>"))
        #expect(!html.contains("<b>O'Neil</b>"))
        // The filters and the order, as a form.
        #expect(html.contains("<select id=\"filter-priority\" name=\"priority\">"))
        #expect(html.contains("<select id=\"filter-severity\" name=\"severity\">"))
        #expect(html.contains("<option value=\"priority\" selected>Priority, then longest waiting</option>"))
        #expect(html.contains("<option value=\"\" selected>Open or active</option>"))
    }

    @Test("staff choose newest first, filters and pages; links keep sort, severity and priority")
    func page_StaffFiltersAndPages() async throws {
        let world = World()
        _ = try await Self.seedWithAssignee(world)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let newest = await b.get("/tickets?sort=newest").text
        #expect(Self.rowIDs(newest) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(newest.contains("<h1>All tickets</h1>") && newest.contains("All tickets, newest first</caption>"))
        #expect(newest.contains("<option value=\"newest\" selected>Newest first</option>"))

        let first = await b.get("/tickets?priority=P1,P2&severity=high&sort=newest&limit=2").text
        #expect(Self.rowIDs(first) == [8, 7])
        // The comma list is kept as a choice of its own, so applying the form again keeps it.
        #expect(first.contains("<option value=\"P1,P2\" selected>P1, P2</option>"))
        let link = try #require(Self.nextLink(first))
        #expect(link.hasPrefix("priority=P1%2CP2&severity=high&sort=newest&limit=2&cursor="))
        let second = await b.get("/tickets?" + link).text
        #expect(Self.rowIDs(second) == [3, 2])

        // Priority pages: the cursor continues in priority order.
        let p = await b.get("/tickets?limit=3").text
        let next = try #require(Self.nextLink(p))
        #expect(next.hasPrefix("limit=3&cursor=p2."))
        #expect(Self.rowIDs(await b.get("/tickets?" + next).text) == [6, 4, 1])

        let bad = await b.get("/tickets?priority=urgent")
        #expect(bad.status == .badRequest)
        #expect(bad.text.contains(escapeHTML(TicketListQuery.priorityRule)))
    }

    @Test("a customer's list shows no priority, severity or assignee, and stays newest first")
    func page_CustomerSeesNoTriage() async throws {
        let world = World()
        _ = try await Self.seedWithAssignee(world)
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        let html = await b.get("/tickets").text
        #expect(Self.rowIDs(html) == [7, 6, 5, 4, 3, 2, 1])
        #expect(html.contains("<table class=\"tickets\">") && html.contains(", newest first</caption>"))
        for hidden in ["Priority", "Severity", "Assigned to", "value=\"priority\"", "Zoë", "Not triaged", "<strong>P1"] {
            #expect(!html.contains(hidden), "\(hidden)")
        }
        #expect(HTMLCheck.problems(html) == [])
    }
}
