import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// The network desk's API: register, the bearer token flow, who sees which tickets, the staff
/// directory, the admins' users and the assignment; and the campus desk without any of it.
@Suite struct AccountAPITests {
    static func problem(_ r: HTTPResponse, _ status: Int, _ note: Comment? = nil) {
        #expect(r.status.code == status, note)
        #expect(r.headers["Content-Type"] == "application/problem+json", note)
        #expect(r.json?["detail"] is String, note)
    }

    @Test("register, token, me, a ticket of one's own, logout: the token stops working at once")
    func bearerFlow() async throws {
        let world = try AccountsWorld()
        let anonymous = APIClient(world.gateway)
        let registered = await anonymous.call("POST", "/api/auth/register",
                                              json: #"{"name":"Sam Lee","email":"Sam@Example.org","password":"a long passphrase"}"#)
        #expect(registered.status == .created, "\(registered.text)")
        let user = try #require(registered.json)
        #expect(Set(user.keys) == ["id", "name", "email", "phone", "location", "role", "active", "created_at"])
        #expect(user["email"] as? String == "sam@example.org")
        #expect(user["role"] as? String == "customer")
        #expect(user["phone"] is NSNull)
        #expect(!registered.text.contains("pbkdf2"), "the hash never leaves the store")

        let (granted, token) = await anonymous.requestToken("sam@example.org", "a long passphrase")
        #expect(granted.status == .ok)
        #expect(granted.headers["Cache-Control"] == "no-store")
        #expect(granted.json?["token_type"] as? String == "bearer")
        #expect(granted.json?["expires_in"] as? Int == 3600)
        let grantedToken: String = try #require(token)
        let sam = APIClient(world.gateway, token: grantedToken)

        let me = await sam.call("GET", "/api/auth/me")
        #expect(me.status == .ok)
        #expect(me.json?["name"] as? String == "Sam Lee")
        let id = try #require(me.json?["id"] as? Int)

        let created = await sam.call("POST", "/api/tickets", json: #"{"description":"The lift is stuck"}"#)
        #expect(created.status == .created)
        #expect(created.json?["customer_id"] as? Int == id)
        #expect(created.json?["reporter"] as? String == "Sam Lee", "the account's name by default")

        let out = await sam.call("POST", "/api/auth/logout")
        #expect(out.status == .noContent)
        let after = await sam.call("GET", "/api/auth/me")
        Self.problem(after, 401)
        #expect(after.headers["WWW-Authenticate"] == "Bearer realm=\"CampusDesk\", error=\"invalid_token\"")
    }

    @Test("no token, a malformed one, the role header: 401 with the Bearer challenge; the public operations stay open")
    func unauthenticated() async throws {
        let world = try AccountsWorld()
        let c = APIClient(world.gateway)
        for (method, path) in [("GET", "/api/tickets"), ("POST", "/api/tickets"), ("GET", "/api/tickets/1"), ("GET", "/api/auth/me"),
                               ("GET", "/api/auth/engineers"), ("GET", "/api/users"), ("GET", "/api/analytics/category-load"),
                               ("POST", "/api/auth/logout"), ("PUT", "/api/tickets/1/assign")] {
            let r = await c.call(method, path, json: method == "GET" ? nil : "{}", headers: [("X-CampusDesk-Role", "agent")])
            Self.problem(r, 401, "\(method) \(path)")
            #expect(r.headers["WWW-Authenticate"] == "Bearer realm=\"CampusDesk\"", "\(method) \(path)")
        }
        Self.problem(await APIClient(world.gateway, token: "not-a-token").call("GET", "/api/tickets"), 401)
        #expect(await c.call("GET", "/api/openapi.yaml").status == .ok)
        #expect(await c.call("GET", "/healthz").status == .ok)
    }

    @Test("an unknown e-mail and a wrong password get the same invalid_grant answer")
    func invalidGrant() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        let c = APIClient(world.gateway)
        let (wrong, none) = await c.requestToken(customer.email, "not the password")
        let (unknown, _) = await c.requestToken("nobody@example.org", "not the password")
        #expect(none == nil)
        for r in [wrong, unknown] {
            Self.problem(r, 401)
            #expect(r.json?["error"] as? String == "invalid_grant")
            #expect(r.json?["detail"] as? String == "E-mail or password is wrong.")
            #expect(r.headers["WWW-Authenticate"] == "Bearer realm=\"CampusDesk\"")
        }
        let other = await c.call("POST", "/api/auth/token", form: "grant_type=client_credentials&username=a&password=b")
        Self.problem(other, 400)
        #expect(other.json?["error"] as? String == "unsupported_grant_type")
        Self.problem(await c.call("POST", "/api/auth/token", json: #"{"username":"a","password":"b"}"#), 415)
        let missing = await c.call("POST", "/api/auth/token", form: "username=a")
        #expect(missing.json?["error"] as? String == "invalid_request")
    }

    @Test("a token expires after an hour on the clock")
    func tokenExpiry() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        let c = try await APIClient.signedIn(world.gateway, customer)
        world.clock.advance(by: .seconds(3599))
        #expect(await c.call("GET", "/api/auth/me").status == .ok)
        world.clock.advance(by: .seconds(2))
        Self.problem(await c.call("GET", "/api/auth/me"), 401)
    }

    @Test("a customer lists and reads only their own tickets, in every status; another's is 404")
    func customersSeeTheirOwn() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), dee = try await world.account("Dee", .customer)
        let agent = try await world.account("Ada", .agent)
        let mine = try await world.ticket(by: cy, "Cy's broken chair")
        let theirs = try await world.ticket(by: dee, "Dee's broken lamp")
        try await world.apply(agent.actor, .changeStatus(ChangeStatus(ticketID: mine.id, status: .active)))
        try await world.apply(agent.actor, .changeStatus(ChangeStatus(ticketID: mine.id, status: .closed)))
        let c = try await APIClient.signedIn(world.gateway, cy)
        let list = try #require(await c.call("GET", "/api/tickets").json)
        #expect((list["tickets"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(mine.id.rawValue)])
        // Whatever the query says.
        let asked = try #require(await c.call("GET", "/api/tickets?status=open&q=lamp").json)
        #expect((asked["tickets"] as? [Any])?.isEmpty == true)
        #expect(await c.call("GET", "/api/tickets/\(mine.id)").status == .ok, "their own closed ticket")
        Self.problem(await c.call("GET", "/api/tickets/\(theirs.id)"), 404)
        Self.problem(await c.call("PATCH", "/api/tickets/\(theirs.id)", json: #"{"location":"x"}"#), 404)
        // Staff see both.
        let staff = try await APIClient.signedIn(world.gateway, agent)
        #expect((try #require(await staff.call("GET", "/api/tickets").json)["tickets"] as? [Any])?.count == 2)
    }

    @Test("engineers: the directory for staff, their own list by assignee_id, changes only on what is assigned to them")
    func engineers() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer)
        let eve = try await world.account("Eve", .engineer), fay = try await world.account("Fay", .engineer)
        let manager = try await world.account("Max", .manager)
        let assigned = try await world.ticket(by: cy, assignedTo: eve)
        let other = try await world.ticket(by: cy, assignedTo: fay)
        _ = try await world.ticket(by: cy)
        let e = try await APIClient.signedIn(world.gateway, eve)
        let directory = try #require(await e.call("GET", "/api/auth/engineers").json?["engineers"] as? [[String: Any]])
        #expect(directory.map { $0["name"] as? String } == ["Eve", "Fay"])
        #expect(directory.map { $0["open_assigned"] as? Int } == [1, 1])
        Self.problem(await (try await APIClient.signedIn(world.gateway, cy)).call("GET", "/api/auth/engineers"), 403)

        let own = try #require(await e.call("GET", "/api/tickets?assignee_id=\(eve.id.rawValue)").json?["tickets"] as? [[String: Any]])
        #expect(own.map { $0["id"] as? Int } == [Int(assigned.id.rawValue)])
        #expect(await e.call("GET", "/api/tickets/\(other.id)").status == .ok, "engineers read every ticket")
        #expect(await e.call("POST", "/api/tickets/\(assigned.id)/status", json: #"{"status":"active"}"#).status == .ok)
        Self.problem(await e.call("POST", "/api/tickets/\(other.id)/status", json: #"{"status":"active"}"#), 403)

        // The manager moves the other ticket to Eve (reassigning), then takes it back.
        let m = try await APIClient.signedIn(world.gateway, manager)
        let moved = await m.call("PUT", "/api/tickets/\(other.id)/assign", json: #"{"assignee_id":\#(eve.id.rawValue)}"#)
        #expect(moved.status == .ok, "\(moved.text)")
        #expect(moved.json?["assignee_id"] as? Int == Int(eve.id.rawValue))
        let back = await m.call("PUT", "/api/tickets/\(other.id)/assign", json: #"{"assignee_id":null}"#)
        #expect(back.json?["assignee_id"] is NSNull)
        Self.problem(await m.call("PUT", "/api/tickets/\(other.id)/assign", json: #"{}"#), 422)
    }

    @Test("admins list and change accounts; a deactivated account's token stops at its next request; nobody changes their own")
    func users() async throws {
        let world = try AccountsWorld()
        let root = try await world.account("Root", .admin)
        let cy = try await world.account("Cy", .customer)
        _ = try await world.account("Eve", .engineer)
        let admin = try await APIClient.signedIn(world.gateway, root)
        let engineers = try #require(await admin.call("GET", "/api/users?role=engineer").json)
        #expect((engineers["users"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Eve"])
        #expect(engineers["next_offset"] is NSNull)
        let page = try #require(await admin.call("GET", "/api/users?limit=1").json)
        #expect(page["next_offset"] as? Int == 1)
        Self.problem(await admin.call("GET", "/api/users?active=maybe"), 400)
        Self.problem(await admin.call("GET", "/api/users?role=staff"), 400)

        let customer = try await APIClient.signedIn(world.gateway, cy)
        Self.problem(await customer.call("GET", "/api/users"), 403)
        let promoted = await admin.call("PATCH", "/api/users/\(cy.id)", json: #"{"role":"agent"}"#)
        #expect(promoted.json?["role"] as? String == "agent")
        // The role counts from the next request: the same token now acts as an agent.
        #expect(await customer.call("GET", "/api/analytics/category-load").status == .ok)
        let off = await admin.call("PATCH", "/api/users/\(cy.id)", json: #"{"active":false}"#)
        #expect(off.json?["active"] as? Bool == false)
        Self.problem(await customer.call("GET", "/api/auth/me"), 401)
        let (again, _) = await APIClient(world.gateway).requestToken(cy.email)
        Self.problem(again, 401)
        #expect(again.json?["detail"] as? String == "This account is deactivated. Please ask the helpdesk.")

        Self.problem(await admin.call("PATCH", "/api/users/\(root.id)", json: #"{"active":false}"#), 403)
        Self.problem(await admin.call("PATCH", "/api/users/\(root.id)", json: #"{"role":"agent"}"#), 403)
        Self.problem(await admin.call("PATCH", "/api/users/\(cy.id)", json: #"{}"#), 422)
        Self.problem(await admin.call("PATCH", "/api/users/999", json: #"{"active":true}"#), 404)
    }

    @Test("registering an address twice is 409; a short password 422 naming the field")
    func registrationRules() async throws {
        let world = try AccountsWorld()
        let c = APIClient(world.gateway)
        #expect(await c.call("POST", "/api/auth/register", json: #"{"name":"A","email":"a@example.org","password":"a long passphrase"}"#).status == .created)
        let twice = await c.call("POST", "/api/auth/register", json: #"{"name":"B","email":"A@example.org","password":"a long passphrase"}"#)
        Self.problem(twice, 409)
        #expect(twice.json?["code"] as? String == "conflict")
        let short = await c.call("POST", "/api/auth/register", json: #"{"name":"C","email":"c@example.org","password":"short"}"#)
        Self.problem(short, 422)
        #expect(short.json?["field"] as? String == "password")
        Self.problem(await c.call("POST", "/api/auth/register", json: #"{"name":"D","email":"not an address","password":"a long passphrase"}"#), 422)
    }

    /// Found by schemathesis: a location of 101 letters with a combining mark each is 101
    /// characters but 202 code points, over the document's `maxLength: 200`, and was accepted.
    @Test("registration counts lengths as the document does: code points as sent", arguments: ["name", "location", "phone"])
    func registrationCountsCodePoints(field: String) async throws {
        let world = try AccountsWorld()
        let c = APIClient(world.gateway)
        let long = field == "phone" ? String(repeating: "1\u{301}", count: 21) : String(repeating: "e\u{301}", count: 101)
        var body: [String: String] = ["name": "E", "email": "e@example.org", "password": "a long passphrase"]
        body[field] = long
        let refused = await c.call("POST", "/api/auth/register", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        Self.problem(refused, 422)
        #expect(refused.json?["field"] as? String == field)
        if field == "location" {
            body[field] = String(repeating: "e\u{301}", count: 100)
            #expect(await c.call("POST", "/api/auth/register", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)).status == .created)
        }
    }

    @Test("the campus desk has no accounts: /api/auth and /api/users are 404 problems, the login pages do not exist")
    func openModeHasNoAccounts() async throws {
        let world = World()
        let gateway = world.gateway()
        let c = APIClient(gateway)
        for (method, path) in [("POST", "/api/auth/register"), ("POST", "/api/auth/token"), ("POST", "/api/auth/logout"), ("GET", "/api/auth/me"),
                               ("GET", "/api/auth/engineers"), ("GET", "/api/users"), ("PATCH", "/api/users/1")] {
            let r = await c.call(method, path, json: method == "GET" ? nil : "{}")
            Self.problem(r, 404, "\(method) \(path)")
            #expect(r.json?["type"] as? String == "about:blank")
        }
        var b = Browser(gateway)
        for path in ["/login", "/register", "/account/password", "/admin/users"] {
            #expect(await b.get(path).status == .notFound, "\(path)")
        }
        // And the campus desk works as it did: the role header, no token.
        let staff = await c.call("GET", "/api/tickets", headers: [("X-CampusDesk-Role", "staff")])
        #expect(staff.status == .ok)
    }
}
