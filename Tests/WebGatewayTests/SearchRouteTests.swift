import Domain
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

/// Search over HTTP (issue 20, finding 5): `/tickets?q=` and `GET /api/tickets?q=` find tickets by
/// number and by any spelling of a word, within what the visitor may see; an empty result offers
/// the way back.
@Suite struct SearchRouteTests {
    /// Tickets 1-6 on a campus desk, 2 closed: Wi-Fi (1, 4), projectors (2, 3), café (5), a mention of 3 (6).
    static func campus() async -> (World, APITests.Client) {
        let world = World()
        let staff = APITests.Client(gateway: world.gateway())
        for d in ["Wi-Fi drops in the library", "Two projectors missing", "Projector flickers", "wifi slow in hall C", "Café machine broken",
                  "Same as ticket 3"] {
            #expect(await staff.call("POST", "/api/tickets", json: #"{"description":"\#(d)"}"#).status == .created)
        }
        #expect(await staff.call("PUT", "/api/tickets/2/status", json: #"{"status":"active"}"#).status == .ok)
        #expect(await staff.call("PUT", "/api/tickets/2/status", json: #"{"status":"closed"}"#).status == .ok)
        return (world, staff)
    }

    static func ids(_ r: HTTPResponse) -> [Int]? {
        (r.json?["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }
    }

    /// The ticket numbers linked from a list page's rows.
    static func rows(_ html: String) -> [Int] {
        html.components(separatedBy: "<tr><td>#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test("the API finds every spelling, and a ticket number with the tickets that mention it")
    func api_Search() async throws {
        let (_, staff) = await Self.campus()
        for q in ["wifi", "Wi-Fi", "WIFI", "wi%20fi"] { #expect(Self.ids(await staff.call("GET", "/api/tickets?q=\(q)")) == [4, 1], "\(q)") }
        for q in ["projector", "projectors"] { #expect(Self.ids(await staff.call("GET", "/api/tickets?q=\(q)")) == [3, 2], "\(q)") }
        #expect(Self.ids(await staff.call("GET", "/api/tickets?q=cafe")) == [5])
        for q in ["3", "%233", "ticket+3", "Ticket%20%233"] { #expect(Self.ids(await staff.call("GET", "/api/tickets?q=\(q)")) == [6, 3], "\(q)") }
        #expect(Self.ids(await staff.call("GET", "/api/tickets?q=%232")) == [2])
        // The work queue's order and the queues take the same q.
        #expect(Self.ids(await staff.call("GET", "/api/tickets?q=wifi&sort=priority")) == [1, 4])
        #expect(Self.ids(await staff.call("GET", "/api/tickets/unassigned?q=%231")) == [1])
    }

    @Test("a simple user never finds a closed ticket, not by its number either")
    func api_NumberWithinTheRole() async throws {
        let (world, _) = await Self.campus()
        let user = APITests.Client(gateway: world.gateway(), role: "user")
        #expect(Self.ids(await user.call("GET", "/api/tickets?q=%232")) == [])
        #expect(Self.ids(await user.call("GET", "/api/tickets?q=projectors")) == [3])
        #expect(Self.ids(await user.call("GET", "/api/tickets?q=%233")) == [6, 3])
    }

    @Test("a customer finds only their own ticket by number; staff find any")
    func api_NumberWithinTheirOwn() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), dee = try await world.account("Dee", .customer)
        let agent = try await world.account("Ada", .agent)
        let mine = try await world.ticket(by: cy, "Cy's broken chair")
        let theirs = try await world.ticket(by: dee, "Dee's broken lamp")
        let c = try await APIClient.signedIn(world.gateway, cy)
        #expect(Self.ids(await c.call("GET", "/api/tickets?q=%23\(theirs.id.rawValue)")) == [])
        #expect(Self.ids(await c.call("GET", "/api/tickets?q=%23\(mine.id.rawValue)")) == [Int(mine.id.rawValue)])
        let staff = try await APIClient.signedIn(world.gateway, agent)
        #expect(Self.ids(await staff.call("GET", "/api/tickets?q=%23\(theirs.id.rawValue)")) == [Int(theirs.id.rawValue)])
    }

    @Test("docs/api.md's list example finds its Wi-Fi ticket with q=wifi")
    func api_DocumentedExample() async throws {
        let text = try String(contentsOf: APIDocumentDriftTests.root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.hasPrefix("GET /api/tickets?") && $0.contains("q=wifi") })
        let target = String(lines[at].dropFirst(4))
        let role = try #require(lines[at + 1].components(separatedBy: "X-CampusDesk-Role: ").last)
        let answer = lines[(at + 2)...].prefix { !$0.hasPrefix("```") }.joined(separator: "\n")
        let description = try #require(answer.components(separatedBy: #""description": ""#).dropFirst().first?.prefix { $0 != "\"" })
        let world = World()
        let staff = APITests.Client(gateway: world.gateway())
        _ = await staff.call("POST", "/api/tickets", json: #"{"description":"Heating off"}"#)
        _ = await staff.call("POST", "/api/tickets", json: #"{"description":"\#(description)","location":"B12","reporter":"Sam"}"#)
        let r = await APITests.Client(gateway: world.gateway(), role: role).call("GET", target)
        #expect(r.status == .ok)
        let tickets = try #require(r.json?["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["description"] as? String } == [String(description)])
        #expect(tickets.first?["category"] as? String == "it")
    }

    @Test("the list page finds by number and by any spelling, within what the visitor sees")
    func page_Search() async throws {
        let (world, _) = await Self.campus()
        var staff = Browser(world.gateway())
        await staff.enter(as: .agent)
        #expect(Self.rows(await staff.get("/tickets?q=wifi&sort=newest").text) == [4, 1])
        #expect(Self.rows(await staff.get("/tickets?q=Projectors&sort=newest&status=").text) == [3, 2])
        #expect(Self.rows(await staff.get("/tickets?q=%232&status=closed").text) == [2])
        #expect(Self.rows(await staff.get("/tickets?q=ticket+%233&sort=newest").text) == [6, 3])
        var user = Browser(world.gateway())
        await user.enter(as: .customer)
        #expect(Self.rows(await user.get("/tickets?q=caf%C3%A9").text) == [5])
        #expect(Self.rows(await user.get("/tickets?q=projector").text) == [3])
        let closed = await user.get("/tickets?q=%232")
        #expect(closed.status == .ok && Self.rows(closed.text) == [])
        #expect(closed.text.contains("No tickets match the search “#2”."))
    }

    @Test("an empty result says nothing matched and links to the list without the search and the filters", arguments: [
        ("/tickets?q=nosuchword&category=it", "No tickets match the search “nosuchword” with these filters.", "Clear the search and filters"),
        ("/tickets?q=%3Cb%3Enope", "No tickets match the search “&lt;b&gt;nope”.", "Clear the search"),
        ("/tickets?category=services&status=active", "No tickets match these filters.", "Clear the filters"),
    ])
    func page_EmptyResult(_ target: String, _ message: String, _ link: String) async throws {
        let (world, _) = await Self.campus()
        var staff = Browser(world.gateway())
        await staff.enter(as: .agent)
        let page = await staff.get(target)
        #expect(page.status == .ok)
        #expect(Self.rows(page.text).isEmpty)
        #expect(page.text.contains("<p>\(message)</p>"), "\(page.text)")
        #expect(page.text.contains("<a href=\"/tickets\">\(link)</a>"))
        #expect(!page.text.contains("<b>"))
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        // With both a search and filters, the search alone is offered too, and it finds what the filters hid.
        if target.contains("q=nosuchword") {
            #expect(page.text.contains("<a href=\"/tickets?q=nosuchword\">search all tickets for “nosuchword”</a>"))
            let wifi = await staff.get("/tickets?q=wifi&category=services")
            #expect(wifi.text.contains("<a href=\"/tickets?q=wifi\">search all tickets for “wifi”</a>"))
            #expect(Self.rows(await staff.get("/tickets?q=wifi&sort=newest").text) == [4, 1])
        }
        // The link's target lists tickets again.
        #expect(!Self.rows(await staff.get("/tickets").text).isEmpty)
    }
}
