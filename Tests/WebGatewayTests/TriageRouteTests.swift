import Domain
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

/// Triage through the gateway: `PUT /api/tickets/{id}/triage` by role, the ticket page's form and
/// facts for staff, and the reporter's "Who is affected?".
@Suite struct TriageRouteTests {
    @Test("PUT triage: agents, managers and admins set it; customers and engineers 403; bad values 422")
    func triageAPI() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer)
        let t = try await world.ticket(by: cy)
        for (role, want) in [(Role.customer, 403), (.engineer, 403), (.agent, 200), (.manager, 200), (.admin, 200)] {
            let user = role == .customer ? cy : try await world.account("A-\(role.rawValue)", role)
            let client = try await APIClient.signedIn(world.gateway, user)
            let r = await client.call("PUT", "/api/tickets/\(t.id)/triage", json: #"{"severity": "critical", "impact": "several"}"#,
                                      headers: [("Idempotency-Key", "triage-\(role.rawValue)")])
            #expect(r.status.code == want, "\(role): \(r.text)")
            if want == 200 {
                #expect(r.json?["severity"] as? String == "critical" && r.json?["priority"] as? String == "P1")
                #expect(r.json?["priority_source"] as? String == "auto" && r.json?["impact"] as? String == "several")
            }
        }
        let admin = try await APIClient.signedIn(world.gateway, try await world.account("Root", .admin))
        #expect(await admin.call("PUT", "/api/tickets/\(t.id)/triage", json: #"{"priority": "P5"}"#).status == .unprocessableContent)
        #expect(await admin.call("PUT", "/api/tickets/\(t.id)/triage", json: #"{"severity": "urgent"}"#).status == .unprocessableContent)
        #expect(await admin.call("PUT", "/api/tickets/\(t.id)/triage", json: #"{}"#).status == .unprocessableContent)
        let pinned = await admin.call("PUT", "/api/tickets/\(t.id)/triage", json: #"{"priority": "P4"}"#)
        #expect(pinned.json?["priority"] as? String == "P4" && pinned.json?["priority_source"] as? String == "staff")
        // The customer's view of their ticket carries the fields too (the API is one shape).
        let own = await (try await APIClient.signedIn(world.gateway, cy)).call("GET", "/api/tickets/\(t.id)")
        #expect(own.json?["priority"] as? String == "P4")
    }

    @Test("reporting with impact over the API and the form; an unknown impact is refused")
    func reporterImpact() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer)
        let client = try await APIClient.signedIn(world.gateway, cy)
        let r = await client.call("POST", "/api/tickets", json: #"{"description": "No network in building C", "impact": "many"}"#)
        #expect(r.status == .created && r.json?["impact"] as? String == "many" && r.json?["severity"] is NSNull)
        #expect(await client.call("POST", "/api/tickets", json: #"{"description": "x", "impact": "everyone"}"#).status == .unprocessableContent)
        var b = await Browser.signedIn(world, cy)
        let form = await b.get("/tickets/new")
        #expect(form.text.contains("<label for=\"new-impact\">Who is affected?</label>"))
        let posted = await b.post("/tickets", [("description", "The printer on floor 2 is jammed"), ("impact", "several"), ("request_id", "n1")])
        #expect(posted.status == .seeOther)
        let bad = await b.post("/tickets", [("description", "The printer on floor 3 is jammed"), ("impact", "all"), ("request_id", "n2")])
        #expect(bad.status == .unprocessableContent && bad.text.contains("Please choose who is affected."))
    }

    @Test("the ticket page: staff see severity and priority and the triage form; the customer sees only people affected")
    func triagePage() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let t = try await world.ticket(by: cy)
        var b = await Browser.signedIn(world, ada)
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<dt>Severity</dt><dd><span class=\"muted\">not triaged yet</span>"))
        #expect(page.text.contains("action=\"/tickets/\(t.id)/triage\""))
        #expect(await b.post("/tickets/\(t.id)/triage", [("severity", "medium"), ("impact", "many"), ("priority", "auto"), ("request_id", "t1")]).status == .seeOther)
        let after = await b.get("/tickets/\(t.id)?done=triage")
        #expect(after.text.contains("The triage is saved: severity medium, priority P2."))
        #expect(after.text.contains("<dt>Priority</dt><dd>P2 <span class=\"muted\">(from severity and people affected)</span>"))
        #expect(after.text.contains("(Agent, web): severity <span class=\"muted\">none</span> → <em>Medium</em>"))

        var c = await Browser.signedIn(world, cy)
        let own = await c.get("/tickets/\(t.id)")
        #expect(!own.text.contains("<dt>Severity</dt>") && !own.text.contains("/triage\""))
        #expect(own.text.contains("<dt>People affected</dt><dd>Many people (a building, a whole service)</dd>"))
    }
}
