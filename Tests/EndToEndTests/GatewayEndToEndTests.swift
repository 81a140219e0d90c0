import Domain
import SpoolBroker
import TicketService
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// The gateway over real HTTP against the real worker processes and the real spool.
    @Suite struct GatewayEndToEndTests {
        /// Creates a ticket through the form as `session` and returns its id.
        static func report(_ s: WebSession, _ description: String, location: String = "Library, room 2.14", reporter: String = "Ada") throws -> Int {
            let form = try s.get("/tickets/new")
            let r = try s.submit("/tickets", on: form.text, [("description", description), ("location", location), ("reporter", reporter)])
            #expect(r.status == 303)
            return try #require(WebSession.ticketID(fromLocation: r.header("Location")))
        }

        @Test("a user and a staff member walk a ticket through create, edit, message, active, closed")
        func bothRolesWalkTheLifecycle() async throws {
            let system = try await GatewaySystem()
            let user = system.session()
            try user.enter(as: "customer", name: "Ada")
            let id = try Self.report(user, "The printer on floor 2 jams on every page")

            var page = try user.get("/tickets/\(id)?done=created")
            #expect(page.status == 200)
            #expect(page.text.contains("The printer on floor 2 jams on every page"))
            #expect(page.text.contains("Thank you: your report was filed."))

            var r = try user.submit("/tickets/\(id)/edit", on: page.text, [("description", "The printer on floor 2 jams on every second page"), ("location", "Library, room 2.15"), ("reporter", "Ada L.")])
            #expect(r.status == 303)
            page = try user.get("/tickets/\(id)")
            #expect(page.text.contains("every second page") && page.text.contains("room 2.15"))

            r = try user.submit("/tickets/\(id)/messages", on: page.text, [("body", "It also smells of burnt toner."), ("author_name", "Ada")])
            #expect(r.status == 303)

            // A user's status change: refused by the gateway, nothing sent.
            r = try user.post("/tickets/\(id)/status", WebSession.hiddenFields(of: "/tickets/\(id)/messages", in: page.text) + [("status", "active")])
            #expect(r.status == 403)

            let staff = system.session()
            try staff.enter(as: "agent", name: "Grace")
            let list = try staff.get("/tickets")
            #expect(list.text.contains("/tickets/\(id)"))
            page = try staff.get("/tickets/\(id)")
            #expect(page.text.contains("burnt toner"))
            r = try staff.submit("/tickets/\(id)/messages", on: page.text, [("body", "A technician is on the way."), ("author_name", "Grace")])
            #expect(r.status == 303)
            page = try staff.get("/tickets/\(id)")
            r = try staff.submit("/tickets/\(id)/status", on: page.text, [])
            #expect(r.status == 303)
            page = try staff.get("/tickets/\(id)")
            #expect(page.text.contains("status-active"))
            r = try staff.submit("/tickets/\(id)/category", on: page.text, [("category", "facility")])
            #expect(r.status == 303)
            page = try staff.get("/tickets/\(id)")
            // Closing asks first: unticked, nothing changes; ticked, the ticket closes.
            r = try staff.submit("/tickets/\(id)/status", on: page.text, [])
            #expect(r.status == 422)
            r = try staff.submit("/tickets/\(id)/status", on: page.text, [("confirm", "yes")])
            #expect(r.status == 303)

            let json = try staff.get("/api/tickets/\(id)", headers: [("X-CampusDesk-Role", "staff")])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
            #expect(object["status"] as? String == "closed")
            #expect(object["category"] as? String == "facility")
            #expect((object["messages"] as? [Any])?.count == 2)

            // The reporter's browser reads the closed ticket, read-only; any other browser does not see it.
            let closedPage = try user.get("/tickets/\(id)")
            #expect(closedPage.status == 200 && closedPage.text.contains("This ticket is closed"))
            #expect(!closedPage.text.contains("action=\"/tickets/\(id)/messages\""))
            let stranger = system.session()
            try stranger.enter(as: "customer", name: "Ada")
            #expect(try stranger.get("/tickets/\(id)").status == 404)

            // The change events reached the analytics workers: the dashboard's load counts the ticket as closed.
            try await eventually("category-load to count the ticket as closed") { lastSeen in
                let a = try? staff.get("/api/analytics/category-load", headers: [("X-CampusDesk-Role", "staff")])
                lastSeen = a.map { "\($0.status) \($0.text)" }
                return a?.status == 200 && (a?.text.contains("\"closed\":1") ?? false)
            }
            #expect(try staff.get("/dashboard").status == 200)
        }

        @Test("a user's status change sent straight to the commands queue is refused by the worker (forbidden)")
        func workerRefusesUserStatusChange() async throws {
            let system = try await GatewaySystem()
            let user = system.session()
            try user.enter(as: "customer", name: "Ada")
            let id = try Self.report(user, "The heating in lecture hall B is off")

            let requester = try RequestClient(broker: try SpoolMessageBroker(root: system.processes.spool.path), processName: "e2e-test")
            defer { requester.close() }
            let command = Command(role: .customer, action: .changeStatus(ChangeStatus(ticketID: TicketID(Int64(id)), status: .active)))
            let reply = try await requester.request(try Envelope(type: "command", body: command, sentAt: SystemClock().now()), to: .commands, timeout: .seconds(20))
            #expect(reply.type == "command_reply")
            let body = try reply.decodeBody(CommandReply.self)
            #expect(body.refusal?.code == .forbidden)
            let json = try user.get("/api/tickets/\(id)")
            #expect(json.text.contains("\"status\":\"open\""))
        }

        @Test("a POST without the CSRF token, or from another origin, is refused with 403 and changes nothing")
        func csrfLessPostIsRefused() async throws {
            let system = try await GatewaySystem()
            let user = system.session()
            try user.enter(as: "customer", name: "Ada")
            let form = try user.get("/tickets/new")
            var r = try user.post("/tickets", [("description", "No token at all")])
            #expect(r.status == 403)
            r = try user.post("/tickets", WebSession.hiddenFields(of: "/tickets", in: form.text) + [("description", "From evil.example")], origin: "https://evil.example")
            #expect(r.status == 403)
            let stranger = system.session()  // a browser that never got a cookie
            r = try stranger.post("/tickets", WebSession.hiddenFields(of: "/tickets", in: form.text) + [("description", "Token of somebody else")])
            #expect(r.status == 403)
            let list = try user.get("/api/tickets")
            #expect(list.text.contains("\"tickets\":[]"))
        }

        static let payloads = [
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "'><svg onload=alert(3)>",
            "javascript:alert(4)", "</textarea><script>alert(5)</script>", "&lt;script&gt;alert(6)",
        ]

        @Test("XSS payloads in every field are inert on every page over real HTTP")
        func xssPayloadsAreInert() async throws {
            let system = try await GatewaySystem()
            let user = system.session()
            let hostile = Self.payloads.joined(separator: " ")
            try user.enter(as: "customer", name: "<script>alert('name')</script>")
            let id = try Self.report(user, "Broken lamp " + hostile, location: hostile, reporter: hostile)
            var page = try user.get("/tickets/\(id)")
            try user.submit("/tickets/\(id)/messages", on: page.text, [("body", hostile), ("author_name", hostile)])
            let staff = system.session()
            try staff.enter(as: "agent", name: hostile)
            page = try staff.get("/tickets/\(id)")
            try staff.submit("/tickets/\(id)/messages", on: page.text, [("body", hostile), ("author_name", hostile)])

            let pages: [(WebSession, String)] = [
                (user, "/"), (user, "/tickets"), (user, "/tickets/\(id)"), (user, "/tickets/new"),
                (user, "/tickets?q=" + WebSession.encode(Self.payloads[0])), (user, "/tickets?status=" + WebSession.encode(Self.payloads[1])),
                (staff, "/tickets"), (staff, "/tickets/\(id)"), (staff, "/dashboard"), (staff, "/dashboard?period=" + WebSession.encode(Self.payloads[0]) + "&unit=hours"),
                (user, "/tickets/" + WebSession.encode(Self.payloads[1])),
            ]
            for (s, path) in pages {
                let r = try s.get(path)
                let html = r.text
                // The dashboard's and the forms' scripts are our own static files; nothing else may open a script.
                let page = html.replacingOccurrences(of: "<script src=\"/static/dashboard.js\" defer></script>", with: "")
                    .replacingOccurrences(of: "<script src=\"/static/forms.js\" defer></script>", with: "")
                for marker in ["<script", "<img src=x", "<svg onload", "</textarea><script"] {
                    #expect(!page.contains(marker), "\(path) carries \(marker) unescaped")
                }
                #expect(r.header("Content-Security-Policy")?.contains("default-src 'none'") == true, "\(path) lacks the CSP")
            }
            // The payload is shown, as text.
            #expect(try staff.get("/tickets/\(id)").text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }

        @Test("with the worker stopped (SIGSTOP) a report is accepted as queued (202), and applied after SIGCONT")
        func stoppedWorkerQueuesThenApplies() async throws {
            let system = try await GatewaySystem()
            let user = system.session()
            try user.enter(as: "customer", name: "Ada")
            try await system.processes.freeze("ticket-worker")
            defer { system.processes.signal("ticket-worker", SIGCONT) }
            let form = try user.get("/tickets/new")
            let r = try user.submit("/tickets", on: form.text, [("description", "The lift in building C is stuck on floor 3")])
            #expect(r.status == 202)
            #expect(r.text.contains("queued"))
            #expect(try user.get("/api/tickets").text.contains("\"tickets\":[]"))
            system.processes.signal("ticket-worker", SIGCONT)
            try await eventually("the queued report to be applied") {
                (try? user.get("/api/tickets"))?.text.contains("stuck on floor 3") ?? false
            }
            // Exactly once: the queued command was applied a single time.
            let list = try user.get("/api/tickets")
            #expect(list.text.components(separatedBy: "stuck on floor 3").count == 2)
            #expect(system.processes.stop("gateway") == 0)
        }

        @Test("started before the ticket worker, the gateway answers 503 with Retry-After, then serves once the store exists")
        func gatewayBeforeWorker() async throws {
            let processes = try CampusDeskProcesses()
            try processes.start("gateway", ["gateway"])
            try await processes.waitForHTTP("/healthz", status: 200)
            let client = RawHTTPClient(port: processes.port)
            let early = try client.request("GET", "/tickets")
            #expect(early.status == 503)
            #expect(early.header("Retry-After") == "5")
            #expect(try client.request("GET", "/api/tickets").status == 503)
            try processes.start("ticket-worker", ["ticket-worker"])
            try await processes.waitForHTTP("/tickets", status: 200)
            #expect(processes.stop("gateway") == 0)
            #expect(processes.log("gateway").contains("http.path=/tickets http.status=503"))
        }
    }
}
