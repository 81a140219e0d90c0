import Domain
import Logging
import SQLiteKit
import SpoolBroker
import TicketStore
import TicketService
import ServiceLifecycle
import Foundation
import HTTPServer
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

    /// Imports `count` tickets (NULL and present location, special, long and non-ASCII text) into the world's store.
    static func fill(_ world: World, count: Int) async throws {
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
                closedAt: status == .closed ? opened.adding(milliseconds: 5000) : nil))))
        }
        _ = try await world.worker.store.apply(batch)
    }

    static func model(_ role: Role, _ filter: TicketFilter, flash: Layout.Flash? = nil) -> TicketListPage.Model {
        TicketListPage.Model(
            visitor: Visitor(role: role, name: role == .agent ? "Grace <admin>" : nil, browserID: "0123456789abcdef0123456789abcdef", isNewBrowser: false),
            csrfToken: "token", text: filter.text, category: filter.category,
            status: filter.statuses.count == 1 ? filter.statuses.first : nil, flash: flash, isContinuation: filter.cursor != nil)
    }

    static let cases: [(Role, TicketFilter)] = [
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
        try await Self.fill(world, count: 90)
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "Europe/Zurich")))
        let (role, start) = Self.cases[index]
        var filter = start
        var pages = 0
        while true {
            let m = Self.model(role, filter, flash: pages == 1 ? Layout.Flash(text: "Saved <ok>", isError: false) : nil)
            let page = try await world.reader.list(filter)
            let old = TicketListPage.renderBytes(m, page: page, time: time)
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

    @Test("empty database: 'No tickets match.' from both renderers")
    func emptyList() async throws {
        let world = World()
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "UTC")))
        let m = Self.model(.agent, TicketFilter())
        let old = TicketListPage.renderBytes(m, page: try await world.reader.list(TicketFilter()), time: time)
        let new = try await world.reader.withListRows(TicketFilter()) { rows in try TicketListPage.renderBytes(m, rows: &rows, time: time) }
        #expect(new == old)
        #expect(String(decoding: new, as: UTF8.self).contains("<p>No tickets match.</p>"))
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
        try await Self.fill(world, count: 3)
        let db = try Connection(path: world.directory.appendingPathComponent("tickets.db").path)
        try db.execute("UPDATE tickets SET description = CAST(x'41C3284220FF3C' AS TEXT), location = CAST(x'E282' AS TEXT) WHERE id = 2")
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "UTC")))
        let m = Self.model(.agent, TicketFilter())
        let old = TicketListPage.renderBytes(m, page: try await world.reader.list(TicketFilter()), time: time)
        let new = try await world.reader.withListRows(TicketFilter()) { rows in try TicketListPage.renderBytes(m, rows: &rows, time: time) }
        #expect(new == old)
        #expect(String(decoding: new, as: UTF8.self).contains("A\u{FFFD}(B \u{FFFD}&lt;"))
    }

    @Test("GET /tickets through the gateway sends the page rendered from the same Ticket values")
    func gatewayPagesMatch() async throws {
        let world = World(timeZone: "America/New_York")
        try await Self.fill(world, count: 120)
        let gateway = world.gateway()
        /// What the route should send for `target`: the reference rendering from `Ticket` values.
        func expected(_ target: String, _ headers: HTTPHeaders) async throws -> [UInt8] {
            let request = HTTPRequest(method: .get, target: target, headers: headers)
            let v = Visitor.from(request, newBrowserID: { "unused" })
            let q = try FormDecoding.decodeQuery(request.query)
            let filter = try TicketListQuery.filter(from: q, role: v.role)
            let m = TicketListPage.Model(
                visitor: v, csrfToken: gateway.context.csrf.token(forBrowser: v.browserID, identity: FormIdentity(v)), text: filter.text, category: filter.category,
                status: filter.statuses.count == 1 ? filter.statuses.first : nil, flash: q["done"].flatMap(WebRoutes.flash),
                isContinuation: filter.cursor != nil,
                // Staff get the assignee filter (this desk has no engineers to offer).
                assignee: TicketListQuery.seesQueues(v.actor) ? TicketListPage.AssigneeFilter(selected: "", engineers: [], me: nil) : nil)
            return TicketListPage.renderBytes(m, page: try await world.reader.list(filter), time: gateway.context.time)
        }
        for role in ["staff", "user"] {
            var targets = ["/tickets", "/tickets?status=open", "/tickets?category=it&q=wifi", "/tickets?q=%C3%BC&done=edited", "/tickets?q=nosuchword"]
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
                    if let end = rest.firstIndex(of: "\"") {
                        targets.append("/tickets?" + rest[..<end].replacingOccurrences(of: "&amp;", with: "&"))
                    }
                }
            }
            #expect(targets.contains { $0.contains("cursor=") })
        }
    }
}
