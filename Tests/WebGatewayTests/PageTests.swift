import Domain
import SpoolBroker
import HTTPServer
import Testing
@testable import WebGateway

@Suite struct PageTests {
    /// A browser in `role` with one ticket that has a message; returns the ticket's page path.
    static func seeded(_ world: World, role: Role) async -> (Browser, String) {
        var b = Browser(world.gateway())
        await b.enter(as: role, name: "Robin")
        _ = await b.get("/tickets/new")
        let created = await b.post("/tickets", [("description", "The lift in building C is stuck"), ("location", "C-2"), ("reporter", "Robin")])
        let path = String((created.headers["Location"] ?? "").prefix { $0 != "?" })
        _ = await b.get(path)
        _ = await b.post(path + "/messages", [("body", "Still stuck today"), ("author_name", "Robin")])
        return (b, path)
    }

    @Test("every page renders as well-formed, labelled HTML for both roles", arguments: Role.openModeRoles)
    func everyPageRenders(role: Role) async throws {
        let world = World()
        let (b0, ticket) = await Self.seeded(world, role: role)
        var b = b0
        for path in ["/", "/tickets", "/tickets?q=lift&category=facility&status=open", "/tickets/new", ticket, "/dashboard"] {
            let r = await b.get(path)
            if path == "/dashboard" && role == .customer {
                #expect(r.status == .forbidden)
            } else {
                #expect(r.status == .ok, "\(path)")
            }
            #expect(r.headers["Content-Type"] == "text/html; charset=utf-8")
            #expect(HTMLCheck.problems(r.text) == [], "\(path) as \(role)")
            #expect(r.headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
            #expect(r.headers["X-Content-Type-Options"] == "nosniff")
            #expect(r.headers["Referrer-Policy"] != nil)
            // Only our own static scripts.
            let ours = r.text.replacingOccurrences(of: "<script src=\"/static/dashboard.js\" defer></script>", with: "")
                .replacingOccurrences(of: "<script src=\"/static/forms.js\" defer></script>", with: "")
            #expect(!ours.contains("<script"), "\(path)")
        }
    }

    @Test func ticketPageShowsFieldsDatesThreadAndTheOneLegalButton() async {
        let world = World(timeZone: "Europe/Berlin")
        var (b, path) = await Self.seeded(world, role: .agent)
        let page = await b.get(path).text
        #expect(page.contains("The lift in building C is stuck"))
        #expect(page.contains("Still stuck today"))
        // Opened at 10:01Z, shown in Berlin winter time with the exact instant.
        #expect(page.contains("<time datetime=\"2026-01-05T10:01:00.000Z\">5 Jan 2026, 11:01 GMT+1</time>") || page.contains("<time datetime=\"2026-01-05T10:01:00.000Z\">5 Jan 2026, 11:01 CET</time>"))
        #expect(page.contains("Start work (mark active)"))
        #expect(!page.contains("Close ticket"))
        _ = await b.post(path + "/status", [("status", "active")])
        let active = await b.get(path).text
        #expect(active.contains("Close ticket"))
        #expect(!active.contains("Start work"))
    }

    @Test func lowConfidenceIsFlaggedForStaffOnly() async {
        let world = World()
        world.classifier.set(0.3)
        var (staff, path) = await Self.seeded(world, role: .agent)
        #expect(await staff.get(path).text.contains("Low confidence (30 %)"))
        var user = Browser(world.gateway())
        await user.enter(as: .customer)
        #expect(!(await user.get(path).text.contains("Low confidence")))
        _ = await staff.get(path)
        _ = await staff.post(path + "/category", [("category", "it")])
        #expect(!(await staff.get(path).text.contains("Low confidence")))
    }

    @Test func afterAnActionTheTicketShowsAFlashFromTheReply() async {
        let world = World()
        var (b, path) = await Self.seeded(world, role: .customer)
        _ = await b.get(path)
        let r = await b.post(path + "/edit", [("description", "Lift fixed?"), ("location", ""), ("reporter", "Robin")])
        #expect(r.status == .seeOther)
        #expect(r.headers["Location"] == path + "?done=edited")
        let page = await b.get(r.headers["Location"] ?? "").text
        #expect(page.contains("role=\"status\">Your changes were saved."))
        #expect(page.contains("Lift fixed?"))
    }

    @Test func aRefusalIsShownBesideTheFieldWithTheInputKept() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        _ = await b.get("/tickets/new")
        let r = await b.post("/tickets", [("description", "   "), ("location", "Library <b>2</b>"), ("reporter", "Kim")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("<p class=\"field-error\" id=\"new-description-error\" role=\"alert\">"))
        #expect(r.text.contains("aria-describedby=\"new-description-hint new-description-error\" aria-invalid=\"true\""))
        #expect(r.text.contains("value=\"Library &lt;b&gt;2&lt;/b&gt;\""))
        #expect(HTMLCheck.problems(r.text) == [])
        #expect(await world.worker.receivedCount == 0)
    }

    @Test func aWorkerRefusalIsShownWithItsReason() async {
        let world = World()
        var (b, path) = await Self.seeded(world, role: .agent)
        _ = await b.get(path)
        // A stale form: the ticket is open, closing it is not a legal step.
        let r = await b.post(path + "/status", [("status", "closed"), ("confirm", "yes")])
        #expect(r.status == .conflict)
        #expect(r.text.contains("<p class=\"form-error\" role=\"alert\" tabindex=\"-1\" autofocus>A ticket cannot go from open to closed.</p>"))
    }

    @Test func aQueuedCommandSaysItWillBeApplied() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        _ = await b.get("/tickets/new")
        await world.worker.force(.queued)
        let r = await b.post("/tickets", [("description", "Heating off")])
        #expect(r.status == .accepted)
        #expect(r.text.contains("queued"))
        await world.worker.force(.unavailable(reason: "disk full"))
        _ = await b.get("/tickets/new")
        let u = await b.post("/tickets", [("description", "Heating off")])
        #expect(u.status == .serviceUnavailable)
        #expect(u.text.contains("nothing was saved"))
    }

    @Test func aResubmittedFormIsAppliedOnce() async throws {
        let world = World()
        world.clock = FixedClock()  // the store's clock: a repeat is "within ten minutes of the first being applied"
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        let form = await b.get("/tickets/new").text
        let range = try #require(form.range(of: "name=\"request_id\" value=\""))
        let rid: String? = String(form[range.upperBound...].prefix { $0 != "\"" })
        let first = await b.post("/tickets", [("description", "Printer jam"), ("request_id", rid ?? "")])
        let second = await b.post("/tickets", [("description", "Printer jam"), ("request_id", rid ?? "")])
        // A double click: one ticket, and the second answer says so (RepeatSubmissionTests).
        #expect(first.headers["Location"]?.replacingOccurrences(of: "done=created", with: "done=repeat-report") == second.headers["Location"])
        #expect(try await world.reader.list(TicketFilter()).tickets.count == 1)
    }

    @Test func dashboardRendersTablesAndDegradesOnePanel() async {
        let world = World()
        world.analytics.resolution = .timedOut
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let r = await b.get("/dashboard?period=7&unit=days")
        #expect(r.status == .ok)
        #expect(!r.text.contains("http-equiv=\"refresh\""))
        #expect(r.text.contains("3 tickets opened since"))
        #expect(r.text.contains("The resolution-time service did not answer in time."))
        #expect(r.text.contains("<th scope=\"row\">IT</th><td>2</td>"))
        #expect(r.text.contains("href=\"/dashboard/category-load.csv\""))
        #expect(r.text.contains("value=\"7\""))
        #expect(HTMLCheck.problems(r.text) == [])
        let bad = await b.get("/dashboard?period=0&unit=days")
        #expect(bad.status == .badRequest)
        #expect(bad.text.contains("role=\"alert\">Please enter a whole number"))
        let csv = await b.get("/dashboard/category-load.csv")
        #expect(csv.headers["Content-Type"] == "text/csv; charset=utf-8")
        #expect(csv.text == "category,active,open,closed\r\nfacility,2,1,3\r\nit,2,1,3\r\nservices,2,1,3\r\n")
        #expect(r.text.contains("<svg"))
        #expect(await b.get("/dashboard/resolution-time.csv").status == .serviceUnavailable)
    }

    @Test func stylesheetIsCachedWithAnETag() async throws {
        let world = World()
        var b = Browser(world.gateway())
        let r = await b.get("/static/app.css")
        #expect(r.status == .ok)
        #expect(r.headers["Content-Type"] == "text/css; charset=utf-8")
        #expect(r.headers["Cache-Control"]?.contains("max-age") == true)
        let etag: String = try #require(r.headers["ETag"])
        let again = await b.request("GET", "/static/app.css", headers: [("If-None-Match", etag)])
        #expect(again.status == .notModified)
        #expect(again.body.isEmpty)
    }

    @Test func unknownPathsAndMethodsGetPages() async {
        let world = World()
        var b = Browser(world.gateway())
        #expect(await b.get("/nope").status == .notFound)
        let r = await b.request("DELETE", "/tickets")
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, POST")
    }
}
