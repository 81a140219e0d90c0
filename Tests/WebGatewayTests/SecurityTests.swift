import SpoolBroker
import HTTPServer
import Testing
@testable import WebGateway

@Suite struct SecurityTests {
    static let payloads = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "</textarea><svg onload=alert(1)>",
        "a & b <x y=\"z\">",
    ]

    @Test("XSS payloads in every text field come back inert on every page", arguments: payloads)
    func payloadsAreInert(_ payload: String) async throws {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent, name: payload)
        _ = await b.get("/tickets/new")
        let created = await b.post("/tickets", [("description", payload), ("location", payload), ("reporter", payload)])
        let path = String((created.headers["Location"] ?? "").prefix { $0 != "?" })
        _ = await b.get(path)
        _ = await b.post(path + "/messages", [("body", payload), ("author_name", payload)])
        _ = await b.get("/tickets/new")
        let refused = await b.post("/tickets", [("description", ""), ("location", payload), ("reporter", payload)])
        let pages = [await b.get("/"), await b.get("/tickets"), await b.get("/tickets?q=" + FormDecoding.percentEncode(payload)),
                     await b.get(path), await b.get("/tickets/new"), await b.get("/dashboard"), refused]
        for page in pages {
            #expect(!page.text.contains(payload), "raw payload on a page")
            #expect(!page.text.contains("<script>"))
            #expect(!page.text.contains("<img src=x"))
            #expect(!page.text.contains("<svg onload"))
            #expect(HTMLCheck.problems(page.text) == [])
        }
        #expect(await b.get(path).text.contains(escapeHTML(payload)))
    }

    @Test func escapeHTMLCoversTheFiveCharacters() {
        #expect(escapeHTML("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
    }

    @Test func aPostWithoutAValidTokenIsRefusedAndSendsNothing() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        _ = await b.get("/tickets/new")
        let none = await b.post("/tickets", [("description", "x")], token: .some(nil))
        #expect(none.status == .forbidden)
        let wrong = await b.post("/tickets", [("description", "x")], token: "00" + String(repeating: "f", count: 62))
        #expect(wrong.status == .forbidden)
        // A token from another browser does not work with this browser's cookie.
        var other = Browser(world.gateway())
        _ = await other.get("/")
        let foreign = await b.post("/tickets", [("description", "x")], token: other.lastToken)
        #expect(foreign.status == .forbidden)
        // A browser with no cookie at all cannot post.
        var fresh = Browser(world.gateway())
        let cold = await fresh.post("/session", [("role", "staff")], token: b.lastToken)
        #expect(cold.status == .forbidden)
        #expect(await world.worker.receivedCount == 0)
        #expect(fresh.cookies["cd_role"] == nil)
    }

    /// Issue 20, finding 3: a reply typed in a tab rendered for staff, sent after another tab
    /// switched the browser to a simple user, was stored as the user's message under the staff name.
    @Test func aFormRenderedForAnotherRoleOrNameIsExplainedAndSendsNothing() async throws {
        let world = World()
        var staffTab = Browser(world.gateway())
        await staffTab.enter(as: .agent, name: "Ines")
        _ = await staffTab.post("/tickets", [("description", "The projector in B-12 is broken")])
        _ = await staffTab.get("/tickets/1")
        let staffToken = try #require(staffTab.lastToken)
        let before = await world.worker.receivedCount
        // The other tab (same cookies) switches to a simple user named Ana.
        var userTab = staffTab
        await userTab.enter(as: .customer, name: "Ana")
        staffTab.cookies = userTab.cookies
        let reply = await staffTab.post("/tickets/1/messages", [("body", "We replaced the lamp.")], token: staffToken)
        #expect(reply.status == .conflict)
        #expect(reply.text.contains("Nothing was saved"))
        #expect(reply.text.contains("helpdesk staff (Ines)") && reply.text.contains("simple user (Ana)"))
        #expect(await world.worker.receivedCount == before)
        // The same name under another role, and another name under the same role, are refused too.
        var sameName = staffTab
        await sameName.enter(as: .customer, name: "Ines")
        #expect(await sameName.post("/tickets/1/messages", [("body", "x")], token: staffToken).status == .conflict)
        var otherName = staffTab
        await otherName.enter(as: .agent, name: "Jon")
        #expect(await otherName.post("/tickets/1/messages", [("body", "x")], token: staffToken).status == .conflict)
        #expect(await world.worker.receivedCount == before)
        // Reloaded, the page's form acts as who the browser is now.
        _ = await userTab.get("/tickets/1")
        #expect(await userTab.post("/tickets/1/messages", [("body", "Thanks, it works again.")]).status == .seeOther)
        #expect(await world.worker.receivedCount == before + 1)
    }

    @Test func aCrossOriginPostIsRefusedEvenWithAToken() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        _ = await b.get("/tickets/new")
        let r = await b.post("/tickets", [("description", "x")], origin: "https://evil.example")
        #expect(r.status == .forbidden)
        let same = await b.post("/tickets", [("description", "x")], origin: "https://campusdesk.test")
        #expect(same.status == .seeOther)
        #expect(await world.worker.receivedCount == 1)
    }

    @Test func aUsersStatusOrCategoryChangeIsRefusedByTheGateway() async {
        let world = World()
        var (b, path) = await PageTests.seeded(world, role: .customer)
        let before = await world.worker.receivedCount
        _ = await b.get(path)
        let status = await b.post(path + "/status", [("status", "active")])
        #expect(status.status == .forbidden)
        let category = await b.post(path + "/category", [("category", "it")])
        #expect(category.status == .forbidden)
        #expect(await world.worker.receivedCount == before)
        #expect(!(await b.get(path).text.contains("/status\"")))
    }

    @Test func aSimpleUserNeverSeesClosedTickets() async throws {
        let world = World()
        var (staff, path) = await PageTests.seeded(world, role: .agent)
        _ = await staff.post(path + "/status", [("status", "active")])
        _ = await staff.get(path)
        _ = await staff.post(path + "/status", [("status", "closed"), ("confirm", "yes")])
        #expect(await staff.get(path).text.contains("Closed"))
        #expect(await staff.get("/tickets?status=closed").text.contains(path))

        var user = Browser(world.gateway())
        await user.enter(as: .customer)
        #expect(!(await user.get("/tickets").text.contains(path)))
        #expect(await user.get("/tickets?status=closed").status == .forbidden)
        #expect(await user.get(path).status == .notFound)
        let id = path.split(separator: "/").last.map(String.init) ?? ""
        let api = await user.request("GET", "/api/tickets/\(id)")
        #expect(api.status == .notFound)
        let list = await user.request("GET", "/api/tickets")
        #expect((list.json?["tickets"] as? [Any])?.isEmpty == true)
        #expect(await user.request("GET", "/api/tickets?status=closed").status == .forbidden)
    }

    @Test func sameOriginCheckReadsOriginThenReferer() {
        func req(_ h: [(String, String)]) -> HTTPRequest { HTTPRequest(method: .post, target: "/", headers: HTTPHeaders([("Host", "a.test:8080")] + h)) }
        #expect(CSRFProtection.isSameOrigin(req([])))
        #expect(CSRFProtection.isSameOrigin(req([("Origin", "http://a.test:8080")])))
        #expect(!CSRFProtection.isSameOrigin(req([("Origin", "http://a.test")])))
        #expect(!CSRFProtection.isSameOrigin(req([("Origin", "null")])))
        #expect(CSRFProtection.isSameOrigin(req([("Referer", "http://a.test:8080/tickets/1")])))
        #expect(!CSRFProtection.isSameOrigin(req([("Referer", "http://b.test/")])))
        #expect(!CSRFProtection.isSameOrigin(req([("Referer", "http://a.test:8080@b.test/")])))
    }
}
