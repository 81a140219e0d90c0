import Domain
import HTTPServer
import Testing
@testable import WebGateway

/// The audit trail through the gateway: `GET /api/tickets/{id}/history` and the ticket page's
/// timeline, for staff only, with the channel the gateway stamps on each command (web or API).
@Suite struct HistoryRouteTests {
    @Test("the API gives staff the trail with channel, actor and values; customers 403; unknown tickets 404")
    func historyAPI() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let eve = try await world.account("Eve", .engineer), max = try await world.account("Max", .manager)
        let root = try await world.account("Root", .admin)
        let t = try await world.ticket(by: cy)
        let agent = try await APIClient.signedIn(world.gateway, ada)
        #expect(await agent.call("PUT", "/api/tickets/\(t.id)/assign", json: #"{"assignee_id": \#(eve.id.rawValue)}"#).status == .ok)
        #expect(await agent.call("POST", "/api/tickets/\(t.id)/status", json: #"{"status": "active"}"#).status == .ok)
        for user in [ada, eve, max, root] {
            let r = await (try await APIClient.signedIn(world.gateway, user)).call("GET", "/api/tickets/\(t.id)/history")
            #expect(r.status == .ok, "\(user.role): \(r.text)")
            let rows = try #require(r.json?["history"] as? [[String: Any]])
            #expect(rows.count == 2)
            #expect(rows.map { $0["field"] as? String } == ["assignee", "status"])
            #expect(rows[0]["new_value"] as? String == String(eve.id.rawValue))
            #expect(rows[1]["old_value"] as? String == "open" && rows[1]["new_value"] as? String == "active")
            #expect(rows.allSatisfy { $0["channel"] as? String == "api" && $0["actor_name"] as? String == "Ada" && $0["actor_role"] as? String == "agent" })
        }
        let customer = try await APIClient.signedIn(world.gateway, cy)
        #expect(await customer.call("GET", "/api/tickets/\(t.id)/history").status == .forbidden)
        #expect(await agent.call("GET", "/api/tickets/999999/history").status == .notFound)
        #expect(await APIClient(world.gateway).call("GET", "/api/tickets/\(t.id)/history").status == .unauthorized)
    }

    @Test("the ticket page shows staff the timeline (web channel, names for engineers); customers see none")
    func timelineOnPage() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let eve = try await world.account("Eve", .engineer)
        let t = try await world.ticket(by: cy)
        var b = await Browser.signedIn(world, ada)
        let before = await b.get("/tickets/\(t.id)")
        #expect(before.text.contains("<h2 id=\"history-h\">History</h2>"))
        #expect(before.text.contains("No changes since the ticket was reported."))
        #expect(await b.post("/tickets/\(t.id)/assign", [("assignee_id", String(eve.id.rawValue)), ("request_id", "h1")]).status == .seeOther)
        #expect(await b.post("/tickets/\(t.id)/category", [("category", "services"), ("request_id", "h2")]).status == .seeOther)
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<strong>Ada</strong> (Agent, web): assigned engineer <span class=\"muted\">none</span> → <em>Eve</em>"))
        #expect(page.text.contains("(Agent, web): category <em>"))
        let trail = try await world.reader.history(t.id)
        #expect(trail.allSatisfy { $0.channel == .web && $0.actorID == ada.id })

        var c = await Browser.signedIn(world, cy)
        let own = await c.get("/tickets/\(t.id)")
        #expect(own.status == .ok)
        #expect(!own.text.contains("history-h"))
    }

    @Test("on the campus desk the trail names the visitor by the name they gave on the entry page")
    func campusVisitorName() async throws {
        let world = try AccountsWorld(authMode: .open)
        let t = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "Heating off in the gym"))).ticket)
        var b = Browser(world.gateway)
        _ = await b.get("/")
        _ = await b.post("/session", [("role", "agent"), ("name", "Pat <script>")])
        _ = await b.get("/tickets/\(t.id)")
        #expect(await b.post("/tickets/\(t.id)/status", [("status", "active"), ("request_id", "s1")]).status == .seeOther)
        let row = try #require(try await world.reader.history(t.id).first)
        #expect(row.actorName == "Pat <script>" && row.actorRole == .agent && row.channel == .web && row.actorID == nil)
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<strong>Pat &lt;script&gt;</strong> (Agent, web): status <em>Open</em> → <em>Active</em>"))
    }
}
