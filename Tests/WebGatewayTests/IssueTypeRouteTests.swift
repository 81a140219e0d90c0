import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// Issue types through the gateway: `GET /api/categories` over a real socket, the admins' API,
/// choosing a type when reporting and changing it on a ticket, the admin page and the forms.
@Suite(.onDedicatedThreads) struct IssueTypeRouteTests {
    static let printing = 10, lift = 1, transport = 15

    @Test("GET /api/categories over HTTP: three categories in order, each with its offered types; include_retired for admins only")
    func categoriesOverHTTP() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), root = try await world.account("Root", .admin)
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(Int64(Self.lift)))))
        let customerToken = try #require(await APIClient(world.gateway).requestToken(cy.email).1)
        let adminToken = try #require(await APIClient(world.gateway).requestToken(root.email).1)
        try await world.withServer { port in
            let client = RawHTTPClient(port: port)
            let r = try client.request("GET", "/api/categories", headers: [("Authorization", "Bearer \(customerToken)")])
            #expect(r.status == 200 && r.header("Content-Type") == "application/json")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
            let categories = try #require(body["categories"] as? [[String: Any]])
            #expect(categories.map { $0["category"] as? String } == ["facility", "it", "services"])
            let facility = try #require(categories[0]["issue_types"] as? [[String: Any]])
            #expect(facility.count == 6, "the lift is retired")
            let first = try #require(facility.first)
            #expect(Set(first.keys) == ["id", "category", "name", "created_at", "retired_at"])
            #expect(first["id"] as? Int == 2 && first["name"] as? String == "Heating or cooling" && first["category"] as? String == "facility")
            #expect(first["retired_at"] is NSNull)
            let it = try #require(categories[1]["issue_types"] as? [[String: Any]])
            #expect(it.map { $0["name"] as? String } == ["Wi-Fi / network", "Account / password", "Printing", "Classroom / lab computers",
                                                          "Software / licences", "Email"])
            // Retired ones: admins only.
            let denied = try client.request("GET", "/api/categories?include_retired=true",
                                            headers: [("Authorization", "Bearer \(customerToken)")])
            #expect(denied.status == 403 && denied.header("Content-Type") == "application/problem+json")
            let all = try client.request("GET", "/api/categories?include_retired=true",
                                         headers: [("Authorization", "Bearer \(adminToken)")])
            #expect(all.status == 200)
            let allBody = try #require(try JSONSerialization.jsonObject(with: Data(all.body)) as? [String: Any])
            let allFacility = try #require((allBody["categories"] as? [[String: Any]])?.first?["issue_types"] as? [[String: Any]])
            #expect(allFacility.count == 7 && allFacility[0]["retired_at"] is String)
            #expect(try client.request("GET", "/api/categories?include_retired=yes",
                                       headers: [("Authorization", "Bearer \(adminToken)")]).status == 400)
            #expect(try client.request("GET", "/api/categories").status == 401)
        }
    }

    @Test("the admins' API: add 201, a taken name 409, a bad name or category 422, rename, retire twice; 403 for others before 404")
    func adminAPI() async throws {
        let world = try AccountsWorld()
        let admin = try await APIClient.signedIn(world.gateway, try await world.account("Root", .admin))
        let added = await admin.call("POST", "/api/issue-types", json: #"{"category": "it", "name": " Projector / AV "}"#)
        #expect(added.status == .created, "\(added.text)")
        #expect(added.json?["name"] as? String == "Projector / AV" && added.json?["category"] as? String == "it" && added.json?["retired_at"] is NSNull)
        let id = try #require(added.json?["id"] as? Int)
        let taken = await admin.call("POST", "/api/issue-types", json: #"{"category": "it", "name": "PRINTING"}"#)
        #expect(taken.status == .conflict && taken.json?["type"] as? String == "/problems/conflict" && taken.json?["field"] as? String == "name")
        for bad in [#"{"category": "it", "name": "  "}"#, #"{"category": "it", "name": "a\tb"}"#, #"{"category": "it"}"#,
                    #"{"category": "it", "name": null}"#, #"{"category": "canteen", "name": "Prices"}"#,
                    "{\"category\": \"it\", \"name\": \"\(String(repeating: "x", count: 81))\"}"] {
            let r = await admin.call("POST", "/api/issue-types", json: bad)
            #expect(r.status == .unprocessableContent, "\(bad): \(r.text)")
        }
        #expect(await admin.call("POST", "/api/issue-types", form: "category=it&name=x").status == .unsupportedMediaType)
        let renamed = await admin.call("PATCH", "/api/issue-types/\(id)", json: #"{"name": "Projector / sound"}"#)
        #expect(renamed.status == .ok && renamed.json?["name"] as? String == "Projector / sound")
        #expect(await admin.call("PATCH", "/api/issue-types/\(id)", json: #"{"name": "email"}"#).status == .conflict)
        #expect(await admin.call("PATCH", "/api/issue-types/999", json: #"{"name": "x"}"#).status == .notFound)
        #expect(await admin.call("PATCH", "/api/issue-types/abc", json: #"{"name": "x"}"#).status == .notFound)
        let retired = await admin.call("POST", "/api/issue-types/\(id)/retire")
        #expect(retired.status == .ok && retired.json?["retired_at"] is String)
        let again = await admin.call("POST", "/api/issue-types/\(id)/retire")
        #expect(again.status == .ok && again.json?["retired_at"] as? String == retired.json?["retired_at"] as? String)
        #expect(await admin.call("POST", "/api/issue-types/999/retire").status == .notFound)

        // Everyone else: 403, before the id or the body is looked at.
        for role in [Role.customer, .agent, .engineer, .manager] {
            let c = try await APIClient.signedIn(world.gateway, try await world.account("R-\(role.rawValue)", role))
            #expect(await c.call("POST", "/api/issue-types", json: #"{"category": "it", "name": "Mine"}"#).status == .forbidden, "\(role)")
            #expect(await c.call("PATCH", "/api/issue-types/999", json: "not json").status == .forbidden, "\(role)")
            #expect(await c.call("POST", "/api/issue-types/abc/retire").status == .forbidden, "\(role)")
        }
        #expect(try await world.reader.issueTypes(includingRetired: true).count == 20)
    }

    @Test("the campus desk: anyone reads the categories; nobody there manages the list (403)")
    func campusDesk() async throws {
        let world = World()
        let gateway = world.gateway()
        func call(_ method: String, _ path: String, role: String, json: String? = nil) async -> HTTPResponse {
            var headers = HTTPHeaders([("Host", "campusdesk.test"), ("X-CampusDesk-Role", role)])
            if json != nil { headers.add("Content-Type", "application/json") }
            return await gateway.respond(to: HTTPRequest(method: HTTPMethod(rawValue: method)!, target: path, headers: headers, body: Array((json ?? "").utf8)))
        }
        #expect(await call("GET", "/api/categories", role: "customer").status == .ok)
        #expect(await call("GET", "/api/categories?include_retired=true", role: "agent").status == .forbidden)
        #expect(await call("POST", "/api/issue-types", role: "agent", json: #"{"category": "it", "name": "x"}"#).status == .forbidden)
        var b = Browser(gateway)
        await b.enter(as: .agent)
        #expect(await b.get("/admin/issue-types").status == .forbidden)
        // Reporting with a type works here too.
        let r = await call("POST", "/api/tickets", role: "customer", json: #"{"description": "Bus late", "issue_type_id": 15}"#)
        #expect(r.status == .created && r.json?["category"] as? String == "services" && r.json?["category_source"] as? String == "issue_type")
    }

    @Test("reporting with issue_type_id: the category follows; unknown 404, retired 409, null or not a number 422; without it the classifier decides")
    func reportingWithAType() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), root = try await world.account("Root", .admin)
        let c = try await APIClient.signedIn(world.gateway, cy)
        let r = await c.call("POST", "/api/tickets", json: #"{"description": "The lift is stuck", "issue_type_id": 10}"#)
        #expect(r.status == .created, "\(r.text)")
        #expect(r.json?["category"] as? String == "it" && r.json?["category_source"] as? String == "issue_type")
        #expect(r.json?["issue_type_id"] as? Int == 10 && r.json?["issue_type"] as? String == "Printing" && r.json?["category_confidence"] is NSNull)
        let plain = await c.call("POST", "/api/tickets", json: #"{"description": "The lift is stuck"}"#)
        #expect(plain.json?["category_source"] as? String == "auto" && plain.json?["issue_type_id"] is NSNull && plain.json?["issue_type"] is NSNull)
        let unknown = await c.call("POST", "/api/tickets", json: #"{"description": "x", "issue_type_id": 999}"#)
        #expect(unknown.status == .notFound && unknown.json?["field"] as? String == "issue_type_id")
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(10))))
        let retired = await c.call("POST", "/api/tickets", json: #"{"description": "x", "issue_type_id": 10}"#)
        #expect(retired.status == .conflict && retired.json?["detail"] as? String == "\u{201C}Printing\u{201D} is no longer offered; please choose another issue type.")
        for bad in [#"{"description": "x", "issue_type_id": null}"#, #"{"description": "x", "issue_type_id": "10"}"#,
                    #"{"description": "x", "issue_type_id": 0}"#] {
            #expect(await c.call("POST", "/api/tickets", json: bad).status == .unprocessableContent, "\(bad)")
        }
        // The ticket keeps its retired type, in the list and in detail.
        let id = try #require(r.json?["id"] as? Int)
        let detail = await c.call("GET", "/api/tickets/\(id)")
        #expect(detail.json?["issue_type"] as? String == "Printing" && detail.json?["issue_type_id"] as? Int == 10)
        let list = await c.call("GET", "/api/tickets")
        let row = (list.json?["tickets"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
        #expect(row?["issue_type"] as? String == "Printing")
    }

    @Test("PUT /api/tickets/{id}/issue-type: staff change it (audited); own retired type again is fine, another 409, unknown 404; customers 403")
    func changingATicketsType() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent), root = try await world.account("Root", .admin)
        let t = try #require(try await world.apply(cy.actor, .createTicket(CreateTicket(description: "Printer jam", issueTypeID: IssueTypeID(10)))).ticket)
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(10))))
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(11))))
        let agent = try await APIClient.signedIn(world.gateway, ada)
        #expect(await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": 10}"#).status == .ok, "its own, retired since")
        #expect(await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": 11}"#).status == .conflict)
        #expect(await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": 999}"#).status == .notFound)
        #expect(await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{}"#).status == .unprocessableContent)
        #expect(await agent.call("PUT", "/api/tickets/999999/issue-type", json: #"{"issue_type_id": 15}"#).status == .notFound)
        let moved = await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": 15}"#)
        #expect(moved.status == .ok && moved.json?["category"] as? String == "services" && moved.json?["issue_type"] as? String == "Transport / shuttle")
        let off = await agent.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": null}"#)
        #expect(off.status == .ok && off.json?["issue_type_id"] is NSNull && off.json?["category"] as? String == "services"
                && off.json?["category_source"] as? String == "staff")
        let customer = try await APIClient.signedIn(world.gateway, cy)
        #expect(await customer.call("PUT", "/api/tickets/\(t.id)/issue-type", json: #"{"issue_type_id": 15}"#).status == .forbidden)
        // The audit trail names who and through what.
        let history = await agent.call("GET", "/api/tickets/\(t.id)/history")
        let rows = try #require(history.json?["history"] as? [[String: Any]])
        #expect(rows.map { "\($0["field"] as? String ?? ""):\($0["old_value"] as? String ?? "-")>\($0["new_value"] as? String ?? "-")" }
                == ["category:it>services", "issue_type:10>15", "issue_type:15>-"])
        #expect(rows.allSatisfy { $0["actor_id"] as? Int == Int(ada.id.rawValue) && $0["channel"] as? String == "api" })
    }

    @Test("the report form offers the types grouped by category, 'Not sure' first and chosen; a chosen type files the report")
    func reportForm() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), root = try await world.account("Root", .admin)
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(13))))
        try await world.apply(root.actor, .addIssueType(AddIssueType(category: .it, name: "<b>Beamer</b> & \"AV\"")))
        var b = await Browser.signedIn(world, cy)
        let form = await b.get("/tickets/new")
        #expect(form.status == .ok && HTMLCheck.problems(form.text).isEmpty, "\(HTMLCheck.problems(form.text))")
        #expect(form.text.contains("<select id=\"new-issue_type_id\" name=\"issue_type_id\" aria-describedby=\"new-issue_type_id-hint\">\n"
                                   + "<option value=\"\" selected>Not sure \u{2014} let the system decide</option>\n<optgroup label=\"Facility\">\n"))
        #expect(form.text.contains("<optgroup label=\"IT\">") && form.text.contains("<optgroup label=\"Services\">"))
        #expect(form.text.contains("<option value=\"10\">Printing</option>"))
        #expect(!form.text.contains(">Email</option>"), "retired types are not offered")
        #expect(form.text.contains(">&lt;b&gt;Beamer&lt;/b&gt; &amp; &quot;AV&quot;</option>") && !form.text.contains("<b>Beamer"))
        let posted = await b.post("/tickets", [("description", "The door will not close"), ("issue_type_id", "15"), ("request_id", "r1")])
        #expect(posted.status == .seeOther)
        let id = try #require(posted.headers["Location"]?.split(separator: "/").last?.split(separator: "?").first.flatMap { Int64($0) })
        let t = try #require(try await world.reader.detail(TicketID(id))?.ticket)
        #expect(t.category == .services && t.categorySource == .issueType && t.issueTypeName == "Transport / shuttle")
        let page = await b.get("/tickets/\(id)")
        #expect(page.text.contains("<dt>Issue type</dt><dd>Transport / shuttle</dd>") && page.text.contains("(from the issue type)"))
        // A retired or malformed choice comes back beside the field, the input kept.
        let retired = await b.post("/tickets", [("description", "Mail down"), ("issue_type_id", "13"), ("request_id", "r2")])
        #expect(retired.status == .unprocessableContent && retired.text.contains("id=\"new-issue_type_id-error\" role=\"alert\">\u{201C}Email\u{201D} is no longer offered"))
        #expect(retired.text.contains(">Mail down</textarea>"))
        let junk = await b.post("/tickets", [("description", "Mail down"), ("issue_type_id", "x"), ("request_id", "r3")])
        #expect(junk.status == .unprocessableContent && junk.text.contains("Please choose an issue type from the list."))
        let none = await b.post("/tickets", [("description", "wifi down"), ("issue_type_id", ""), ("request_id", "r4")])
        #expect(none.status == .seeOther)
    }

    @Test("the ticket page: staff change the type (the current retired one listed as such), the trail names types; customers see the name only")
    func ticketPage() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent), root = try await world.account("Root", .admin)
        let t = try #require(try await world.apply(cy.actor, .createTicket(CreateTicket(description: "Printer jam", issueTypeID: IssueTypeID(10)))).ticket)
        try await world.apply(root.actor, .retireIssueType(RetireIssueType(issueTypeID: IssueTypeID(10))))
        var b = await Browser.signedIn(world, ada)
        let page = await b.get("/tickets/\(t.id)")
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        #expect(page.text.contains("<dt>Issue type</dt><dd>Printing <span class=\"muted\">(no longer offered)</span></dd>"))
        #expect(page.text.contains("action=\"/tickets/\(t.id)/issue-type\""))
        #expect(page.text.contains("<option value=\"10\" selected>Printing (no longer offered)</option>"))
        #expect(page.text.contains("<option value=\"\">No issue type</option>"))
        let posted = await b.post("/tickets/\(t.id)/issue-type", [("issue_type_id", "1"), ("request_id", "s1")])
        #expect(posted.status == .seeOther && posted.headers["Location"] == "/tickets/\(t.id)?done=issue-type")
        let after = await b.get("/tickets/\(t.id)?done=issue-type")
        #expect(after.text.contains("The issue type is now Elevator / lift."))
        #expect(after.text.contains("issue type <em>Printing</em> → <em>Elevator / lift</em>"))
        #expect(after.text.contains("category <em>IT</em> → <em>Facility</em>"))
        #expect(!after.text.contains(">Printing (no longer offered)</option>"), "a retired type is offered only while it is the ticket's")
        let refused = await b.post("/tickets/\(t.id)/issue-type", [("issue_type_id", "10"), ("request_id", "s2")])
        #expect(refused.status == .unprocessableContent && refused.text.contains("id=\"issue-type-issue_type_id-error\""))
        // The reporter sees the type's name and no form.
        var c = await Browser.signedIn(world, cy)
        let own = await c.get("/tickets/\(t.id)")
        #expect(own.text.contains("<dt>Issue type</dt><dd>Elevator / lift</dd>") && !own.text.contains("/issue-type\""))
        #expect(await c.post("/tickets/\(t.id)/issue-type", [("issue_type_id", "2"), ("request_id", "s3")]).status == .forbidden)
    }

    @Test("the admin page: listed per category, escaped, linked from the admin's menu only; add, rename and retire with CSRF; refusals shown")
    func adminPage() async throws {
        let world = try AccountsWorld()
        let root = try await world.account("Root", .admin), ada = try await world.account("Ada", .agent)
        var b = await Browser.signedIn(world, root)
        let start = await b.get("/tickets")
        #expect(start.text.contains("<li><a href=\"/admin/issue-types\">Issue types</a></li>"))
        let added = await b.post("/admin/issue-types", [("category", "it"), ("name", "<script>alert(1)</script> & co"), ("request_id", "a1")])
        #expect(added.status == .seeOther && added.headers["Location"] == "/admin/issue-types?done=added")
        let page = await b.get("/admin/issue-types?done=added")
        #expect(page.status == .ok && HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        #expect(page.text.contains("The issue type was added."))
        #expect(!page.text.contains("<script>alert(1)</script>"))
        #expect(page.text.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</td>"))
        #expect(page.text.contains("<h2 id=\"types-facility\">Facility</h2>") && page.text.contains("<h2 id=\"types-services\">Services</h2>"))
        let id = try #require(try await world.reader.issueTypes().first { $0.name.hasPrefix("<script>") }?.id)
        #expect(page.text.contains("action=\"/admin/issue-types/\(id)/retire\""))
        // A taken name comes back beside the add form's field.
        let taken = await b.post("/admin/issue-types", [("category", "it"), ("name", "printing"), ("request_id", "a2")])
        #expect(taken.status == .conflict && taken.text.contains("id=\"add-name-error\" role=\"alert\">IT already has an issue type called \u{201C}Printing\u{201D}."))
        #expect(await b.post("/admin/issue-types", [("category", "kitchen"), ("name", "x"), ("request_id", "a3")]).status == .unprocessableContent)
        #expect(await b.post("/admin/issue-types/\(id)/rename", [("name", "Projector"), ("request_id", "r1")]).status == .seeOther)
        let dup = await b.post("/admin/issue-types/\(id)/rename", [("name", "Email"), ("request_id", "r2")])
        #expect(dup.status == .conflict && dup.text.contains("<p class=\"flash error\" role=\"alert\">IT already has an issue type called"))
        #expect(await b.post("/admin/issue-types/\(id)/retire", [("request_id", "t1")]).status == .seeOther)
        let retired = await b.get("/admin/issue-types?done=retired")
        #expect(retired.text.contains("The issue type was retired; tickets that have it keep it."))
        #expect(retired.text.contains("<td>Projector</td><td><strong>Retired</strong> "))
        #expect(!retired.text.contains("action=\"/admin/issue-types/\(id)/retire\""), "no retire button once retired")
        #expect(await b.post("/admin/issue-types/999/retire", [("request_id", "t2")]).status == .notFound)
        // Without the page's token, nothing happens.
        #expect(await b.post("/admin/issue-types", [("category", "it"), ("name", "Forged"), ("request_id", "f1")], token: .some(nil)).status == .forbidden)
        #expect(await b.post("/admin/issue-types", [("category", "it"), ("name", "Forged"), ("request_id", "f2")], token: "bogus").status == .forbidden)
        #expect(try await world.reader.issueTypes().contains { $0.name == "Forged" } == false)

        // An agent: no menu entry, 403 for the page and every form.
        var a = await Browser.signedIn(world, ada)
        #expect(!(await a.get("/tickets")).text.contains("/admin/issue-types"))
        #expect(await a.get("/admin/issue-types").status == .forbidden)
        #expect(await a.post("/admin/issue-types", [("category", "it"), ("name", "Mine"), ("request_id", "x1")]).status == .forbidden)
        #expect(await a.post("/admin/issue-types/2/rename", [("name", "Mine"), ("request_id", "x2")]).status == .forbidden)
        #expect(await a.post("/admin/issue-types/2/retire", [("request_id", "x3")]).status == .forbidden)
    }
}
