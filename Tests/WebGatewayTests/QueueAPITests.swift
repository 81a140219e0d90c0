import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// The queues of issue 15: `my-tickets`, `assigned-to-me`, `unassigned`, `assigned/{assignee_id}`
/// and `?assigned_to=`, each role on both desks; the router's literal paths before `:id`;
/// `PUT /status` with its `POST` alias; an engineer taking an unassigned ticket.
@Suite(.onDedicatedThreads) struct QueueAPITests {
    /// A network desk with one account per role, a second customer and engineer, and five tickets:
    /// Cy's assigned to Eve and unassigned, Dee's assigned to Fay and a closed unassigned one, Ada's.
    struct Desk {
        let world: AccountsWorld
        let cy: User, dee: User, ada: User, eve: User, fay: User, max: User, root: User
        let cyEve: Ticket, cyOpen: Ticket, deeFay: Ticket, deeClosed: Ticket, adaOpen: Ticket

        init() async throws {
            world = try AccountsWorld()
            cy = try await world.account("Cy", .customer)
            dee = try await world.account("Dee", .customer)
            ada = try await world.account("Ada", .agent)
            eve = try await world.account("Eve", .engineer)
            fay = try await world.account("Fay", .engineer)
            max = try await world.account("Max", .manager)
            root = try await world.account("Root", .admin)
            cyEve = try await world.ticket(by: cy, assignedTo: eve, "Cy's projector flickers")
            cyOpen = try await world.ticket(by: cy, "Cy's chair is broken")
            deeFay = try await world.ticket(by: dee, assignedTo: fay, "Dee's lamp is out")
            deeClosed = try await world.ticket(by: dee, "Dee's door squeaks")
            try await world.apply(ada.actor, .changeStatus(ChangeStatus(ticketID: deeClosed.id, status: .active)))
            try await world.apply(ada.actor, .changeStatus(ChangeStatus(ticketID: deeClosed.id, status: .closed)))
            adaOpen = try await world.ticket(by: ada, "The printer on floor 2 jams")
        }

        func client(_ user: User) async throws -> APIClient { try await APIClient.signedIn(world.gateway, user) }
    }

    static func ids(_ r: HTTPResponse, _ note: Comment? = nil) -> [Int64]? {
        #expect(r.status == .ok, note)
        guard let tickets = r.json?["tickets"] as? [[String: Any]] else { return nil }
        #expect(r.json?.keys.sorted() == ["next_cursor", "tickets"], note)
        return tickets.compactMap { ($0["id"] as? Int).map(Int64.init) }
    }

    static func problem(_ r: HTTPResponse, _ status: Int, code: String? = nil, _ note: Comment? = nil) {
        AccountAPITests.problem(r, status, note)
        if let code { #expect(r.json?["code"] as? String == code, note) }
    }

    @Test("each queue for each role of the network desk: who gets which tickets, who 403, and 401 without a token")
    func queuesByRole() async throws {
        let d = try await Desk()
        let staff = [d.ada, d.eve, d.max, d.root]
        let (cy, dee) = (try await d.client(d.cy), try await d.client(d.dee))
        let ids = { (t: [Ticket]) in t.map(\.id.rawValue) }

        // my-tickets: what the caller reported, every status, newest first.
        #expect(Self.ids(await cy.call("GET", "/api/tickets/my-tickets")) == ids([d.cyOpen, d.cyEve]))
        #expect(Self.ids(await dee.call("GET", "/api/tickets/my-tickets")) == ids([d.deeClosed, d.deeFay]))
        #expect(Self.ids(await (try await d.client(d.ada)).call("GET", "/api/tickets/my-tickets")) == ids([d.adaOpen]))
        for user in [d.eve, d.max, d.root] {
            #expect(Self.ids(await (try await d.client(user)).call("GET", "/api/tickets/my-tickets")) == [], "\(user.name)")
        }

        // assigned-to-me: engineers their own; every other role an empty page, not 403.
        #expect(Self.ids(await (try await d.client(d.eve)).call("GET", "/api/tickets/assigned-to-me")) == ids([d.cyEve]))
        #expect(Self.ids(await (try await d.client(d.fay)).call("GET", "/api/tickets/assigned-to-me")) == ids([d.deeFay]))
        for user in [d.cy, d.ada, d.max, d.root] {
            #expect(Self.ids(await (try await d.client(user)).call("GET", "/api/tickets/assigned-to-me")) == [], "\(user.name)")
        }

        // unassigned, assigned/{id} and ?assigned_to=: staff (view_ticket reach all) only.
        for user in staff {
            let c = try await d.client(user)
            #expect(Self.ids(await c.call("GET", "/api/tickets/unassigned"), "\(user.name)") == ids([d.adaOpen, d.cyOpen]), "\(user.name)")
            #expect(Self.ids(await c.call("GET", "/api/tickets?assigned_to=none")) == ids([d.adaOpen, d.cyOpen]), "\(user.name)")
            #expect(Self.ids(await c.call("GET", "/api/tickets/unassigned?status=closed")) == ids([d.deeClosed]), "\(user.name)")
            #expect(Self.ids(await c.call("GET", "/api/tickets/assigned/\(d.eve.id)")) == ids([d.cyEve]), "\(user.name)")
            #expect(Self.ids(await c.call("GET", "/api/tickets?assigned_to=\(d.fay.id)")) == ids([d.deeFay]), "\(user.name)")
        }
        for path in ["/api/tickets/unassigned", "/api/tickets/assigned/\(d.eve.id)", "/api/tickets?assigned_to=none",
                     "/api/tickets?assigned_to=\(d.eve.id)", "/api/tickets/assigned/999"] {
            Self.problem(await cy.call("GET", path), 403, code: "forbidden", "customer \(path)")
        }

        let anonymous = APIClient(d.world.gateway)
        for path in ["/api/tickets/my-tickets", "/api/tickets/assigned-to-me", "/api/tickets/unassigned", "/api/tickets/assigned/\(d.eve.id)"] {
            let r = await anonymous.call("GET", "\(path)")
            Self.problem(r, 401, "\(path)")
            #expect(r.headers["WWW-Authenticate"] == "Bearer realm=\"CampusDesk\"", "\(path)")
        }
    }

    @Test("queues take the list's filters and pages; malformed ids 400, unknown accounts 404; assignee_id works as before")
    func filtersAndIDs() async throws {
        let d = try await Desk()
        let agent = try await d.client(d.ada)
        #expect(Self.ids(await agent.call("GET", "/api/tickets/unassigned?q=printer")) == [d.adaOpen.id.rawValue])
        #expect(Self.ids(await agent.call("GET", "/api/tickets/assigned/\(d.eve.id)?status=closed")) == [])
        let first = await agent.call("GET", "/api/tickets/unassigned?limit=1")
        #expect(Self.ids(first) == [d.adaOpen.id.rawValue])
        let cursor = try #require(first.json?["next_cursor"] as? String)
        let second = await agent.call("GET", "/api/tickets/unassigned?limit=1&cursor=\(cursor)")
        #expect(Self.ids(second) == [d.cyOpen.id.rawValue])
        #expect(second.json?["next_cursor"] is NSNull)
        // Parameters that are not the page's are ignored by the queues, as unknown fields are.
        #expect(Self.ids(await agent.call("GET", "/api/tickets/unassigned?assignee_id=\(d.eve.id)")) == [d.adaOpen.id.rawValue, d.cyOpen.id.rawValue])

        for path in ["/api/tickets/assigned/abc", "/api/tickets/assigned/0", "/api/tickets/assigned/-3", "/api/tickets/assigned/none",
                     "/api/tickets/assigned/99999999999999999999", "/api/tickets?assigned_to=abc", "/api/tickets?assigned_to=",
                     "/api/tickets?assigned_to=0", "/api/tickets/unassigned?status=lost", "/api/tickets/my-tickets?limit=0",
                     "/api/tickets/assigned/\(d.eve.id)?cursor=x", "/api/tickets/unassigned?limit=1&limit=2"] {
            let c = path.contains("my-tickets") ? try await d.client(d.cy) : agent
            Self.problem(await c.call("GET", path), 400, "\(path)")
        }
        Self.problem(await agent.call("GET", "/api/tickets/assigned/999"), 404, code: "not_found")
        Self.problem(await agent.call("GET", "/api/tickets?assigned_to=999"), 404, code: "not_found")
        // An account that is not an engineer has an empty queue.
        #expect(Self.ids(await agent.call("GET", "/api/tickets/assigned/\(d.cy.id)")) == [])

        #expect(Self.ids(await agent.call("GET", "/api/tickets?assignee_id=\(d.eve.id)")) == [d.cyEve.id.rawValue])
        #expect(Self.ids(await agent.call("GET", "/api/tickets?assignee_id=\(d.eve.id)&assigned_to=\(d.eve.id)")) == [d.cyEve.id.rawValue])
        #expect(Self.ids(await agent.call("GET", "/api/tickets?assignee_id=\(d.eve.id)&assigned_to=\(d.fay.id)")) == [])
        #expect(Self.ids(await agent.call("GET", "/api/tickets?assignee_id=\(d.eve.id)&assigned_to=none")) == [])
    }

    @Test("the queue paths are not ticket ids: literal segments outrank /api/tickets/:id for every method")
    func routePrecedence() async throws {
        let d = try await Desk()
        let agent = try await d.client(d.ada)
        for path in ["/api/tickets/my-tickets", "/api/tickets/assigned-to-me", "/api/tickets/unassigned"] {
            #expect(await agent.call("GET", path).status == .ok, "\(path)")
            #expect(await agent.call("HEAD", path).status == .ok, "HEAD \(path)")
            // Not an edit of ticket "unassigned" (which would be a 404): the path has GET only.
            for method in ["PATCH", "POST", "PUT", "DELETE"] {
                let r = await agent.call(method, path, json: #"{"location":"x"}"#)
                Self.problem(r, 405, "\(method) \(path)")
                #expect(r.headers["Allow"] == "GET, HEAD", "\(method) \(path)")
            }
        }
        let r = await agent.call("DELETE", "/api/tickets/assigned/\(d.eve.id)")
        Self.problem(r, 405)
        #expect(r.headers["Allow"] == "GET, HEAD")
        // The ticket routes are untouched.
        #expect(await agent.call("GET", "/api/tickets/\(d.cyEve.id)").json?["id"] as? Int == Int(d.cyEve.id.rawValue))
        let status = await agent.call("DELETE", "/api/tickets/\(d.cyEve.id)/status")
        #expect(status.headers["Allow"] == "POST, PUT")
    }

    @Test("PUT /status answers as POST does: applied, invalid transition, forbidden, missing ticket, bad body")
    func putStatusIsPost() async throws {
        let d = try await Desk()
        let agent = try await d.client(d.ada)
        let a = try await d.world.ticket(by: d.cy, "First twin"), b = try await d.world.ticket(by: d.cy, "Second twin")
        for (body, expected) in [(#"{"status":"active"}"#, 200), (#"{"status":"open"}"#, 409), (#"{"status":"lost"}"#, 422), ("{}", 422)] {
            let put = await agent.call("PUT", "/api/tickets/\(a.id)/status", json: body)
            let post = await agent.call("POST", "/api/tickets/\(b.id)/status", json: body)
            #expect(put.status.code == expected && post.status.code == expected, "\(body): PUT \(put.status.code), POST \(post.status.code)")
            #expect(put.json?["status"] as? String == post.json?["status"] as? String, "\(body)")
            #expect(put.json?["code"] as? String == post.json?["code"] as? String, "\(body)")
        }
        for method in ["PUT", "POST"] {
            Self.problem(await agent.call(method, "/api/tickets/999/status", json: #"{"status":"active"}"#), 404, "\(method)")
            Self.problem(await (try await d.client(d.cy)).call(method, "/api/tickets/\(a.id)/status", json: #"{"status":"closed"}"#), 403, "\(method)")
            Self.problem(await (try await d.client(d.eve)).call(method, "/api/tickets/\(a.id)/status", json: #"{"status":"closed"}"#), 403, "\(method)")
            Self.problem(await agent.call(method, "/api/tickets/\(a.id)/status", form: "status=closed"), 415, "\(method)")
        }
        let closed = await agent.call("PUT", "/api/tickets/\(a.id)/status", json: #"{"status":"closed"}"#)
        #expect(closed.json?["status"] as? String == "closed")
    }

    @Test("an engineer takes an unassigned ticket for themselves, and only that: not for another, not back, not someone else's")
    func engineerTakes() async throws {
        let d = try await Desk()
        let eve = try await d.client(d.eve)
        let taken = await eve.call("PUT", "/api/tickets/\(d.cyOpen.id)/assign", json: #"{"assignee_id":\#(d.eve.id.rawValue)}"#)
        #expect(taken.status == .ok, "\(taken.text)")
        #expect(taken.json?["assignee_id"] as? Int == Int(d.eve.id.rawValue))
        #expect(Self.ids(await eve.call("GET", "/api/tickets/assigned-to-me")) == [d.cyOpen.id.rawValue, d.cyEve.id.rawValue])
        #expect(Self.ids(await eve.call("GET", "/api/tickets/unassigned")) == [d.adaOpen.id.rawValue])

        Self.problem(await eve.call("PUT", "/api/tickets/\(d.adaOpen.id)/assign", json: #"{"assignee_id":\#(d.fay.id.rawValue)}"#), 403, code: "forbidden")
        Self.problem(await eve.call("PUT", "/api/tickets/\(d.cyEve.id)/assign", json: #"{"assignee_id":null}"#), 403, code: "forbidden")
        Self.problem(await eve.call("PUT", "/api/tickets/\(d.deeFay.id)/assign", json: #"{"assignee_id":\#(d.eve.id.rawValue)}"#), 403, code: "forbidden")
        Self.problem(await eve.call("PUT", "/api/tickets/\(d.deeClosed.id)/assign", json: #"{"assignee_id":\#(d.eve.id.rawValue)}"#), 409, code: "read_only")
        Self.problem(await eve.call("PUT", "/api/tickets/999/assign", json: #"{"assignee_id":\#(d.eve.id.rawValue)}"#), 404)
        // Customers still may not assign at all, even "to themselves".
        Self.problem(await (try await d.client(d.cy)).call("PUT", "/api/tickets/\(d.adaOpen.id)/assign", json: #"{"assignee_id":\#(d.cy.id.rawValue)}"#), 403)
    }

    @Test("the campus desk: no account queues (404 problem), staff see unassigned and the directory's queues, customers 403")
    func campusDesk() async throws {
        let world = try AccountsWorld(authMode: .open)
        let eve = try await world.account("Eve", .engineer)
        let mine = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "The heating is off"))).ticket)
        let free = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "The window is stuck"))).ticket)
        try await world.apply(Actor(role: .agent), .assignTicket(AssignTicket(ticketID: mine.id, assigneeID: eve.id)))
        let c = APIClient(world.gateway)
        for role in ["customer", "agent", "staff", "nobody"] {
            for path in ["/api/tickets/my-tickets", "/api/tickets/assigned-to-me"] {
                let r = await c.call("GET", path, headers: [("X-CampusDesk-Role", role)])
                Self.problem(r, 404, "\(role) \(path)")
                #expect(r.json?["type"] as? String == "about:blank")
                #expect((r.json?["detail"] as? String)?.contains("no accounts") == true)
            }
        }
        let agent = [("X-CampusDesk-Role", "agent")], customer = [("X-CampusDesk-Role", "customer")]
        #expect(Self.ids(await c.call("GET", "/api/tickets/unassigned", headers: agent)) == [free.id.rawValue])
        #expect(Self.ids(await c.call("GET", "/api/tickets?assigned_to=none", headers: agent)) == [free.id.rawValue])
        #expect(Self.ids(await c.call("GET", "/api/tickets/assigned/\(eve.id)", headers: agent)) == [mine.id.rawValue])
        Self.problem(await c.call("GET", "/api/tickets/assigned/999", headers: agent), 404)
        for path in ["/api/tickets/unassigned", "/api/tickets/assigned/\(eve.id)", "/api/tickets?assigned_to=none"] {
            Self.problem(await c.call("GET", path, headers: customer), 403, "\(path)")
            Self.problem(await c.call("GET", path), 403, "no header is a customer: \(path)")
            Self.problem(await c.call("GET", path, headers: [("X-CampusDesk-Role", "nobody")]), 401, "\(path)")
        }
        // PUT status on the campus desk too.
        let put = await c.call("PUT", "/api/tickets/\(free.id)/status", json: #"{"status":"active"}"#, headers: agent)
        #expect(put.json?["status"] as? String == "active")
    }

    @Test("over real HTTP: a queue page, 405 on a queue path, PUT status")
    func overHTTP() async throws {
        let d = try await Desk()
        let token = try #require(try await d.client(d.ada).token)
        try await d.world.withServer { port in
            let http = RawHTTPClient(port: port)
            let auth = [("Authorization", "Bearer \(token)")]
            let page = try http.request("GET", "/api/tickets/unassigned?limit=5", headers: auth)
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "application/json")
            #expect(page.text.contains("\"id\":\(d.cyOpen.id.rawValue)") && !page.text.contains("\"id\":\(d.cyEve.id.rawValue),"))
            let patch = try http.request("PATCH", "/api/tickets/my-tickets", headers: auth + [("Content-Type", "application/json")], text: #"{"location":"x"}"#)
            #expect(patch.status == 405)
            #expect(patch.header("Allow") == "GET, HEAD")
            let put = try http.request("PUT", "/api/tickets/\(d.cyOpen.id)/status", headers: auth + [("Content-Type", "application/json")], text: #"{"status":"active"}"#)
            #expect(put.status == 200)
            #expect(put.text.contains("\"status\":\"active\""))
            let bad = try http.request("GET", "/api/tickets/assigned/abc", headers: auth)
            #expect(bad.status == 400)
            #expect(bad.header("Content-Type") == "application/problem+json")
        }
    }

    @Test("the list page: staff filter by assignee (anyone, unassigned, me, each engineer), labelled; customers have no such filter")
    func listPageFilter() async throws {
        let d = try await Desk()
        func signedIn(_ user: User) async -> Browser {
            var b = Browser(d.world.gateway)
            _ = await b.get("/login")
            _ = await b.post("/login", [("email", user.email), ("password", AccountsWorld.password)])
            return b
        }
        var eve = await signedIn(d.eve)
        let all = await eve.get("/tickets")
        #expect(all.status == .ok)
        #expect(all.text.contains("<label for=\"filter-assigned_to\">Assigned to</label>"))
        for option in ["<option value=\"\" selected>Anyone</option>", "<option value=\"none\">Unassigned</option>",
                       "<option value=\"\(d.eve.id.rawValue)\">Assigned to me</option>", "<option value=\"\(d.fay.id.rawValue)\">Fay</option>"] {
            #expect(all.text.contains(option), "\(option)")
        }
        #expect(!all.text.contains(">Eve</option>"), "the visitor is \"Assigned to me\", not listed twice")
        #expect(HTMLCheck.problems(all.text).isEmpty, "\(HTMLCheck.problems(all.text))")

        let free = await eve.get("/tickets?assigned_to=none")
        #expect(free.text.contains("<h1>Unassigned tickets</h1>"))
        #expect(free.text.contains("<option value=\"none\" selected>Unassigned</option>"))
        #expect(free.text.contains("<td>#\(d.cyOpen.id)</td>") && free.text.contains("<td>#\(d.adaOpen.id)</td>"))
        #expect(!free.text.contains("<td>#\(d.cyEve.id)</td>") && !free.text.contains("<td>#\(d.deeClosed.id)</td>"))
        let fays = await eve.get("/tickets?assigned_to=\(d.fay.id)")
        #expect(fays.text.contains("<td>#\(d.deeFay.id)</td>") && !fays.text.contains("<td>#\(d.cyEve.id)</td>"))
        #expect(await eve.get("/tickets?assigned_to=999").status == .notFound)

        var cy = await signedIn(d.cy)
        let own = await cy.get("/tickets")
        #expect(own.status == .ok)
        #expect(!own.text.contains("assigned_to"))
        #expect(await cy.get("/tickets?assigned_to=none").status == .forbidden)
    }
}
