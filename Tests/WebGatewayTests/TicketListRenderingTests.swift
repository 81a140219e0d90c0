import Domain
import Logging
import SQLiteKit
import SpoolBroker
import TicketStore
import TicketService
import ServiceLifecycle
import Foundation
import HTTPServer
import Credentials
import Testing
@testable import WebGateway

/// The list page rendered from rows read in place equals the page rendered from `Ticket` values.
@Suite struct TicketListRenderingTests {
    static let texts = [
        "Heating in <b>room</b> 4 & \"the\" 'hall' is off",
        "Zürich café: Wi-Fi drops ☕️ every 5 minutes, 😀 👩‍👩‍👧",
        String(repeating: "A long description that goes on and on. ", count: 6),
        String(repeating: "ü", count: 130) + " long non-ASCII",
        String(repeating: "x", count: 116) + "\r\n" + String(repeating: "y", count: 10),
        String(repeating: "z", count: 119) + "é",
        String(repeating: "q", count: 121),
        "Printer jam\u{0}on floor 2",
        "wifi plain",
    ]

    /// Engineers whose names need escaping (ASCII and not), as the operator makes them; by id.
    static func engineers(_ world: World) async throws -> [UserID: String] {
        var names: [UserID: String] = [:]
        for (i, name) in ["Ada <i>Love</i> & 'Co'", "Zoë \"Ö\" Þór"].enumerated() {
            let fields = AccountFields(name: name, email: "engineer\(i)@example.org",
                                       passwordHash: PasswordHash.make(password: "correct horse battery", iterations: 1_000))
            let reply = try await world.worker.store.apply([Command(role: .admin, action: .createUser(CreateUser(account: fields, role: .engineer)))])[0]
            let user = try #require(reply.user, "\(String(describing: reply.refusal))")
            names[user.id] = name
        }
        return names
    }

    /// Imports `count` tickets (NULL and present location, special, long and non-ASCII text, every
    /// severity and priority and none, some assigned) into the world's store; the assignees' names by id.
    @discardableResult
    static func fill(_ world: World, count: Int) async throws -> [UserID: String] {
        let names = try await engineers(world)
        let assignees = names.keys.sorted { $0.rawValue < $1.rawValue }
        let base = Timestamp(millisecondsSinceEpoch: 1_760_000_000_000)
        var batch: [Command] = []
        for i in 0..<count {
            let opened = base.adding(milliseconds: Int64(i / 2) * 3_600_000)
            let status = Status.allCases[i % 3]
            batch.append(Command(role: .agent, action: .importTicket(ImportTicket(
                description: texts[i % texts.count] + " #\(i)",
                location: i % 4 == 0 ? nil : (i % 4 == 1 ? "Bâtiment <A> & Co" : "Building \(i % 9)"),
                reporter: i % 5 == 0 ? nil : "Zoë O'Brien",
                category: Category.allCases[i % 3], status: status, openedAt: opened,
                closedAt: status == .closed ? opened.adding(milliseconds: 5000) : nil,
                severity: i % 5 == 4 ? nil : Severity.allCases[i % 4], impact: Impact.allCases[i % 3],
                priority: i % 7 == 0 ? Priority.allCases[i % 4] : nil, assigneeID: i % 3 == 0 ? nil : assignees[i % 2]))))
        }
        _ = try await world.worker.store.apply(batch)
        return names
    }

    static func model(_ role: Role, _ filter: TicketFilter, flash: Layout.Flash? = nil) -> TicketListPage.Model {
        TicketListPage.Model(
            visitor: Visitor(role: role, name: role == .agent ? "Grace <admin>" : nil, browserID: "0123456789abcdef0123456789abcdef", isNewBrowser: false),
            csrfToken: "token", text: filter.text, category: filter.category,
            status: filter.statuses.count == 1 ? filter.statuses.first : nil, flash: flash, isContinuation: filter.cursor != nil,
            order: filter.order, defaultOrder: TicketListQuery.pageOrder(Actor(role: role)),
            severity: filter.severities.isEmpty ? "" : "high,<none>", priority: filter.priorities.isEmpty ? "" : "P1",
            showsTriage: role.isStaff, workQueue: filter.order == .priority && filter.statuses == [.open, .active])
    }

    static let cases: [(Role, TicketFilter)] = [
        (.agent, TicketFilter(statuses: [.open, .active], limit: 7, order: .priority)),
        (.agent, TicketFilter(statuses: [.closed], limit: 6, order: .priority, priorities: [.p1, .p2, nil])),
        (.agent, TicketFilter(limit: 11, severities: [.critical, .high, nil])),
        (.agent, TicketFilter(text: "zürich", limit: 4, order: .priority)),
        (.customer, TicketFilter(statuses: [.open, .active], limit: 8, order: .priority)),
        (.agent, TicketFilter(limit: 50)),
        (.agent, TicketFilter(limit: 9)),
        (.customer, TicketFilter(statuses: [.open, .active], limit: 8)),
        (.agent, TicketFilter(statuses: [.closed], category: .it, limit: 4)),
        (.customer, TicketFilter(statuses: [.open], category: .services, limit: 3)),
        (.agent, TicketFilter(text: "zürich", limit: 5)),
        (.agent, TicketFilter(text: "heating room", limit: 7)),
        (.agent, TicketFilter(text: "nosuchword", limit: 50)),
    ]

    @Test("rows renderer equals the Ticket renderer on every page of each filter, both roles, in a DST zone",
          arguments: cases.indices)
    func rowsRenderer_EqualsTicketRenderer(_ index: Int) async throws {
        let world = World()
        let names = try await Self.fill(world, count: 90)
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "Europe/Zurich")))
        let (role, start) = Self.cases[index]
        var filter = start
        var pages = 0
        while true {
            let m = Self.model(role, filter, flash: pages == 1 ? Layout.Flash(text: "Saved <ok>", isError: false) : nil)
            let page = try await world.reader.list(filter)
            let old = TicketListPage.renderBytes(m, page: page, assigneeNames: names, time: time)
            let new = try await world.reader.withListRows(filter) { rows in try TicketListPage.renderBytes(m, rows: &rows, time: time) }
            #expect(String(decoding: new, as: UTF8.self) == String(decoding: old, as: UTF8.self))
            #expect(new == old)
            pages += 1
            guard let next = page.nextCursor else { break }
            filter.cursor = next
        }
        #expect(pages >= 1)
    }

    @Test("the static category and status cells say what Words and the status class say")
    func staticCells() {
        for c in Category.allCases { #expect(TicketListPage.categoryCell(c).description == Words.category(c)) }
        for st in Status.allCases {
            #expect(TicketListPage.statusCell(st).description == "<span class=\"status status-\(st.rawValue)\">\(Words.status(st))</span>")
        }
    }

    @Test("the staff's fixed selects write exactly what Field.select writes, for every choice and for a comma list")
    func fixedSelects() {
        for select in [TicketListPage.FixedSelect.priority, .severity, .order] {
            for selected in select.options.map(\.value) + ["P1,none", "high,<b>"] {
                var fast = HTMLBuffer(capacity: 512), slow = HTMLBuffer(capacity: 512)
                select.write(selected: selected, into: &fast)
                let known = select.options.contains { $0.value == selected }
                Field.select(name: select.name, label: select.label, idPrefix: "filter",
                             options: select.options.map { ($0.value, $0.label) } + (known ? [] : [(selected, selected.split(separator: ",").joined(separator: ", "))]),
                             selected: selected, into: &slow)
                #expect(fast.string == slow.string, "\(select.name)=\(selected)")
            }
        }
        #expect(TicketListPage.FixedSelect.severity.options.dropFirst().dropLast().map(\.label) == Severity.allCases.map(Words.severity))
    }

    @Test("empty database: 'No tickets to show.' from both renderers")
    func emptyList() async throws {
        let world = World()
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "UTC")))
        let m = Self.model(.agent, TicketFilter())
        let old = TicketListPage.renderBytes(m, page: try await world.reader.list(TicketFilter()), time: time)
        let new = try await world.reader.withListRows(TicketFilter()) { rows in try TicketListPage.renderBytes(m, rows: &rows, time: time) }
        #expect(new == old)
        #expect(String(decoding: new, as: UTF8.self).contains("<p>No tickets to show.</p>"))
    }

    @Test("descriptions around the 120-character cut: bytes path and String path agree", arguments: texts)
    func descriptionCut(_ text: String) {
        var fromBytes = HTMLBuffer(capacity: 64)
        var t = text
        t.withUTF8 { TicketListPage.appendDescription($0, into: &fromBytes) }
        let long = text.count > 120
        #expect(fromBytes.string == escapeHTML(long ? String(text.prefix(117)) + "…" : text))
    }

    @Test("invalid UTF-8 written by a foreign tool is repaired the same way on both paths")
    func invalidUTF8() async throws {
        let world = World()
        let names = try await Self.fill(world, count: 3)
        let db = try Connection(path: world.directory.appendingPathComponent("tickets.db").path)
        try SearchText.register(on: db)
        try db.execute("UPDATE tickets SET description = CAST(x'41C3284220FF3C' AS TEXT), location = CAST(x'E282' AS TEXT) WHERE id = 2")
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "UTC")))
        let m = Self.model(.agent, TicketFilter())
        let old = TicketListPage.renderBytes(m, page: try await world.reader.list(TicketFilter()), assigneeNames: names, time: time)
        let new = try await world.reader.withListRows(TicketFilter()) { rows in try TicketListPage.renderBytes(m, rows: &rows, time: time) }
        #expect(new == old)
        #expect(String(decoding: new, as: UTF8.self).contains("A\u{FFFD}(B \u{FFFD}&lt;"))
    }

    @Test("GET /tickets through the gateway sends the page rendered from the same Ticket values")
    func gatewayPagesMatch() async throws {
        let world = World(timeZone: "America/New_York")
        let names = try await Self.fill(world, count: 120)
        let gateway = world.gateway()
        /// What the route should send for `target`: the reference rendering from `Ticket` values.
        func expected(_ target: String, _ headers: HTTPHeaders) async throws -> [UInt8] {
            let request = HTTPRequest(method: .get, target: target, headers: headers)
            let v = Visitor.from(request, newBrowserID: { "unused" })
            let q = try FormDecoding.decodeQuery(request.query)
            let order = TicketListQuery.pageOrder(v.actor, query: q)
            let filter = try TicketListQuery.filter(from: q, role: v.role, defaultOrder: order)
            let engineers = try await gateway.context.accounts.activeEngineers()
            #expect(engineers == (try await gateway.context.accounts.engineers().map(\.user)))
            var m = TicketListPage.Model(
                visitor: v, csrfToken: gateway.context.csrf.token(forBrowser: v.browserID, identity: FormIdentity(v)), text: filter.text, category: filter.category,
                status: filter.statuses.count == 1 ? filter.statuses.first : nil, flash: q["done"].flatMap(WebRoutes.flash),
                isContinuation: filter.cursor != nil,
                // Staff get the assignee filter, offering this desk's engineers.
                assignee: TicketListQuery.seesQueues(v.actor) ? TicketListPage.AssigneeFilter(selected: "", engineers: engineers, me: nil) : nil,
                order: filter.order, defaultOrder: order, severity: q["severity"] ?? "", priority: q["priority"] ?? "",
                showsTriage: v.role.isStaff, workQueue: filter.order == .priority && q["status"]?.isEmpty != false)
            // What the route adds: the count, the clock, the size and position.
            m.count = try await world.reader.count(filter)
            m.now = gateway.context.clock.now()
            m.limit = filter.limit
            m.cursor = filter.cursor?.encoded
            m.lowConfidence = filter.lowConfidence
            return TicketListPage.renderBytes(m, page: try await world.reader.list(filter), assigneeNames: names, time: gateway.context.time)
        }
        for role in ["staff", "user"] {
            var targets = ["/tickets", "/tickets?status=open", "/tickets?category=it&q=wifi", "/tickets?q=%C3%BC&done=edited", "/tickets?q=nosuchword",
                           "/tickets?sort=newest", "/tickets?priority=P1,none&severity=high", "/tickets?status=active&sort=priority&severity=low,none"]
            var seen = 0
            while seen < targets.count {
                let target = targets[seen]
                seen += 1
                let headers = HTTPHeaders([("Host", "campusdesk.test"), ("Cookie", "cd_browser=0123456789abcdef0123456789abcdef; cd_role=\(role)")])
                let a = await gateway.respond(to: HTTPRequest(method: .get, target: target, headers: headers))
                #expect(a.status == .ok, "\(role) \(target)")
                #expect(a.body == (try await expected(target, headers)), "\(role) \(target)")
                // Follow the first page's "Next page" link once per start.
                let html = String(decoding: a.body, as: UTF8.self)
                if !target.contains("cursor="), let r = html.range(of: "href=\"/tickets?"), html.contains("rel=\"next\"") {
                    let rest = html[r.upperBound...]
                    if let end = rest.firstIndex(where: { $0 == "\"" || $0 == "#" }) {
                        targets.append("/tickets?" + rest[..<end].replacingOccurrences(of: "&amp;", with: "&"))
                    }
                }
            }
            #expect(targets.contains { $0.contains("cursor=") })
        }
    }
}
