import Domain
import SpoolBroker
import Analytics
import TicketService
import Supervisor
import Foundation
import TestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Attacks over real HTTP against the real processes (`campusdesk up`): stored XSS, CSRF, role
/// bypass (also on the queue itself), path traversal, oversized and malformed input, slowloris and
/// idle connections. Unit-level variants live in WebGatewayTests/SecurityTests and
/// HTTPServerTests/HostileRequests; these prove the same holds for the assembled system.
extension SystemTests {
    @Suite("Attacks", .serialized)
    struct AttackTests {
        static let xss = [
            #"<script>alert("x1")</script>"#,
            #""><img src=x onerror=alert(2)>"#,
            #"'><svg onload=alert(3)>"#,
            #"</textarea></title><iframe src=javascript:alert(4)>"#,
        ]
        /// Tag openers that must never come back unescaped.
        static let dangerous = ["<script>alert", "<img src=x", "<svg onload", "<iframe src=javascript"]
        static let formula = #"=HYPERLINK("http://evil.example/","x")"#

        /// A browser: its own `cd_browser` cookie, a role and a name, and the CSRF token pages give it.
        struct Browser {
            var id = (0..<32).map { _ in String("0123456789abcdef".randomElement() ?? "0") }.joined()
            var role: String
            var name: String?
            var cookie: String {
                var c = "cd_browser=\(id); cd_role=\(role)"
                if let name { c += "; cd_name=\(FormDecodingTestEncoding.percent(name))" }
                return c
            }
            func token(_ port: UInt16) throws -> String {
                let page = try RawHTTPClient(port: port).request("GET", "/tickets/new", headers: [("Cookie", cookie)])
                guard let r = page.text.range(of: #"name="csrf_token" value=""#) else { throw CampusDeskProcesses.Failure(description: "no token in \(page.text.prefix(300))") }
                return String(page.text[r.upperBound...].prefix { $0 != "\"" })
            }
            func post(_ port: UInt16, _ path: String, _ fields: [(String, String)], token: String?, extra: [(String, String)] = [],
                      contentType: String = "application/x-www-form-urlencoded") throws -> RawHTTPClient.Response {
                var all = fields
                if let token { all.append(("csrf_token", token)) }
                let body = all.map { "\($0.0)=\(FormDecodingTestEncoding.percent($0.1))" }.joined(separator: "&")
                return try RawHTTPClient(port: port).request("POST", path, headers: [("Cookie", cookie), ("Content-Type", contentType)] + extra, text: body)
            }
            func get(_ port: UInt16, _ path: String) throws -> RawHTTPClient.Response {
                try RawHTTPClient(port: port).request("GET", path, headers: [("Cookie", cookie)])
            }
        }

        static func api(_ port: UInt16, _ method: String, _ path: String, json: String, role: String = "user", contentType: String = "application/json") throws -> RawHTTPClient.Response {
            try RawHTTPClient(port: port).request(method, path, headers: [("Content-Type", contentType), ("X-CampusDesk-Role", role)], text: json)
        }

        static func jsonString(_ s: String) -> String {
            String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
        }

        static func createTicket(_ port: UInt16, description: String, location: String? = nil, reporter: String? = nil) throws -> Int {
            var fields = [#""description":\#(jsonString(description))"#]
            if let location { fields.append(#""location":\#(jsonString(location))"#) }
            if let reporter { fields.append(#""reporter":\#(jsonString(reporter))"#) }
            let r = try api(port, "POST", "/api/tickets", json: "{\(fields.joined(separator: ","))}")
            guard r.status == 201, let id = ((try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any])?["id"] as? Int else {
                throw CampusDeskProcesses.Failure(description: "create answered \(r.status): \(r.text)")
            }
            return id
        }

        // MARK: - Stored XSS

        @Test("stored XSS in every field is inert on every page, the dashboard and the CSV exports")
        func attack_StoredXSS_IsInertEverywhere() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            let payload = Self.xss.joined(separator: " ")
            let id = try Self.createTicket(port, description: "\(Self.formula) \(payload)", location: Self.xss[1], reporter: Self.xss[0])
            #expect(try Self.api(port, "POST", "/api/tickets/\(id)/messages", json: #"{"body":\#(Self.jsonString(payload)),"author_name":\#(Self.jsonString(Self.xss[2]))}"#).status == 201)
            // Through the web form too, with a hostile name cookie as the author.
            let staff = Browser(role: "staff", name: Self.xss[3])
            let token = try staff.token(port)
            let posted = try staff.post(port, "/tickets/\(id)/messages", [("body", Self.xss[1])], token: token)
            #expect(posted.status == 303, "web message answered \(posted.status)")
            let created = try staff.post(port, "/tickets", [("description", payload), ("location", Self.xss[2]), ("reporter", Self.formula)], token: token)
            #expect(created.status == 303)
            let user = Browser(role: "user", name: Self.xss[0])

            var pages: [(String, RawHTTPClient.Response)] = []
            for (who, b) in [("staff", staff), ("user", user)] {
                for path in ["/", "/tickets", "/tickets/new", "/tickets/\(id)", "/tickets?q=\(FormDecodingTestEncoding.percent(Self.xss[0]))",
                             "/tickets?status=\(FormDecodingTestEncoding.percent(Self.xss[1]))", "/dashboard", "/dashboard?period=\(FormDecodingTestEncoding.percent(Self.xss[2]))&unit=days"] {
                    pages.append(("\(who) \(path)", try b.get(port, path)))
                }
            }
            for (name, page) in pages {
                for d in Self.dangerous { #expect(!page.text.contains(d), "\(name) (\(page.status)) contains \(d)") }
                if page.header("Content-Type")?.hasPrefix("text/html") == true {
                    #expect(page.header("Content-Security-Policy")?.contains("script-src") == true || page.header("Content-Security-Policy")?.contains("default-src") == true, "\(name): no CSP")
                }
            }
            // The payload was rendered (escaped), not merely absent.
            let detail = try staff.get(port, "/tickets/\(id)")
            #expect(detail.status == 200 && detail.text.contains("&lt;script&gt;alert"), "the detail page does not show the escaped payload")
            let list = try staff.get(port, "/tickets")
            #expect(list.text.contains("&lt;img src=x"))

            for csv in ["/dashboard/open-tickets.csv?hours=24", "/dashboard/resolution-time.csv", "/dashboard/category-load.csv"] {
                let r = try staff.get(port, csv)
                #expect(r.status == 200, "\(csv) answered \(r.status)")
                for d in Self.dangerous { #expect(!r.text.contains(d)) }
                #expect(r.header("Content-Type")?.hasPrefix("text/csv") == true, "\(csv): \(r.header("Content-Type") ?? "-")")
            }
            let export = try system.processes.run(["export"])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.contains("'=HYPERLINK"), "the formula was not neutralised")
            for line in export.stdout.split(separator: "\n") {
                for cell in line.split(separator: ",", omittingEmptySubsequences: false) {
                    let bare = cell.hasPrefix("\"") ? cell.dropFirst() : cell[...]
                    #expect(!bare.hasPrefix("=") && !bare.hasPrefix("@") && !bare.hasPrefix("+"), "live formula cell: \(cell)")
                }
            }
        }

        // MARK: - CSRF

        @Test("CSRF: every state-changing route refuses a forged request and saves nothing")
        func attack_CSRF_RefusedOnEveryStateChangingRoute() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            let id = try Self.createTicket(port, description: "the window in B12 does not close")
            let db = try system.openTickets()
            func snapshot() throws -> [String] {
                try db.prepare("SELECT id || '|' || description || '|' || coalesce(location,'') || '|' || status || '|' || category || '|' || modified_at FROM tickets ORDER BY id").query([]) { $0.text(at: 0) }
                    + db.prepare("SELECT count(*) FROM messages").query([]) { String($0.int64(at: 0)) }
            }
            let before = try snapshot()
            let victim = Browser(role: "staff", name: "Victim")
            let good = try victim.token(port)
            let other = try Browser(role: "staff").token(port)  // a valid token, but of another browser
            let routes: [(String, [(String, String)])] = [
                ("/tickets", [("description", "forged ticket"), ("request_id", "forged-1")]),
                ("/tickets/\(id)/edit", [("description", "forged edit"), ("location", "forged")]),
                ("/tickets/\(id)/status", [("status", "closed")]),
                ("/tickets/\(id)/messages", [("body", "forged message")]),
                ("/tickets/\(id)/category", [("category", "services")]),
                ("/session", [("role", "user"), ("name", "forged")]),
            ]
            for (path, fields) in routes {
                let none = try victim.post(port, path, fields, token: nil)
                #expect(none.status == 403, "\(path) without a token: \(none.status)")
                let foreign = try victim.post(port, path, fields, token: other)
                #expect(foreign.status == 403, "\(path) with another browser's token: \(foreign.status)")
                let crossSite = try victim.post(port, path, fields, token: good, extra: [("Origin", "http://evil.example")])
                #expect(crossSite.status == 403, "\(path) from another origin: \(crossSite.status)")
                let nullOrigin = try victim.post(port, path, fields, token: good, extra: [("Origin", "null")])
                #expect(nullOrigin.status == 403, "\(path) from a sandboxed origin: \(nullOrigin.status)")
                let refererOnly = try victim.post(port, path, fields, token: good, extra: [("Referer", "https://evil.example/page")])
                #expect(refererOnly.status == 403, "\(path) with a foreign Referer: \(refererOnly.status)")
                let plain = try victim.post(port, path, fields, token: good, contentType: "text/plain")
                #expect(plain.status == 415, "\(path) as text/plain: \(plain.status)")
                #expect(none.headers("Set-Cookie").allSatisfy { !$0.contains("cd_role") }, "\(path) changed the role cookie")
            }
            // The JSON API: what a cross-site form or a simple fetch can send (no preflight) is refused.
            let apiRoutes: [(String, String, String)] = [
                ("POST", "/api/tickets", #"{"description":"forged api ticket"}"#),
                ("PATCH", "/api/tickets/\(id)", #"{"description":"forged api edit"}"#),
                ("POST", "/api/tickets/\(id)/status", #"{"status":"closed"}"#),
                ("POST", "/api/tickets/\(id)/messages", #"{"body":"forged api message"}"#),
                ("PUT", "/api/tickets/\(id)/category", #"{"category":"services"}"#),
            ]
            for (method, path, json) in apiRoutes {
                for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                    let r = try RawHTTPClient(port: port).request(method, path, headers: [("Content-Type", type), ("X-CampusDesk-Role", "staff"), ("Origin", "http://evil.example")], text: json)
                    #expect(r.status == 415, "\(method) \(path) as \(type): \(r.status)")
                }
            }
            #expect(try snapshot() == before, "a forged request changed something")
            // The control: the same browser with its token, same origin, gets through.
            #expect(try victim.post(port, "/tickets/\(id)/messages", [("body", "real message")], token: good).status == 303)
        }

        // MARK: - Role bypass

        @Test("role bypass: a user cannot act as staff on any route, nor on the queue directly")
        func attack_RoleBypass_RefusedEverywhere() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            let id = try Self.createTicket(port, description: "the printer on floor 3 jams")
            let closed = try Self.createTicket(port, description: "a closed ticket nobody but staff sees")
            #expect(try Self.api(port, "POST", "/api/tickets/\(closed)/status", json: #"{"status":"active"}"#, role: "staff").status == 200)
            #expect(try Self.api(port, "POST", "/api/tickets/\(closed)/status", json: #"{"status":"closed"}"#, role: "staff").status == 200)
            let db = try system.openTickets()
            func state() throws -> String? { try db.prepare("SELECT status || '|' || category || '|' || category_source FROM tickets WHERE id = ?").queryFirst([.integer(Int64(id))]) { $0.text(at: 0) } }
            let before = try state()

            let user = Browser(role: "user", name: "Mallory")
            let token = try user.token(port)
            for (path, fields) in [("/tickets/\(id)/status", [("status", "closed")]), ("/tickets/\(id)/category", [("category", "services")])] {
                let r = try user.post(port, path, fields, token: token)
                #expect(r.status == 403, "web \(path) as user: \(r.status)")
            }
            for path in ["/dashboard", "/dashboard/open-tickets.csv?hours=24", "/dashboard/resolution-time.csv", "/dashboard/category-load.csv"] {
                #expect(try user.get(port, path).status == 403, "\(path) as user")
            }
            #expect(try user.get(port, "/tickets/\(closed)").status == 404, "a user sees a closed ticket")
            #expect(!(try user.get(port, "/tickets?status=closed").text.contains("a closed ticket nobody")))
            // A forged role cookie value is no role at all (falls back to user).
            let forged = Browser(role: "staff%00", name: nil)
            #expect(try forged.get(port, "/dashboard").status == 403)

            for (method, path, json) in [("POST", "/api/tickets/\(id)/status", #"{"status":"closed"}"#), ("PUT", "/api/tickets/\(id)/category", #"{"category":"services"}"#)] {
                #expect(try Self.api(port, method, path, json: json).status == 403, "API \(path) as user")
                #expect(try Self.api(port, method, path, json: json, role: "admin").status == 401, "API \(path) as admin")
                #expect(try Self.api(port, method, path, json: json, role: "Staff").status == 401, "API \(path) as Staff")
            }
            for path in ["/api/analytics/open-tickets?hours=24", "/api/analytics/resolution-time", "/api/analytics/category-load"] {
                #expect(try RawHTTPClient(port: port).request("GET", path).status == 403, "\(path) as user")
            }
            #expect(try RawHTTPClient(port: port).request("GET", "/api/tickets/\(closed)").status == 404)
            let listed = try RawHTTPClient(port: port).request("GET", "/api/tickets?status=closed")
            #expect(!listed.text.contains("a closed ticket nobody"), "the API lists a closed ticket to a user")

            // Straight onto the commands queue, past the gateway: the worker checks the role itself.
            let requester = try RequestClient(broker: try SpoolMessageBroker(root: system.spoolPath), processName: "attacker")
            defer { requester.close() }
            for action in [CommandAction.changeStatus(ChangeStatus(ticketID: TicketID(Int64(id)), status: .closed)),
                           .setCategory(SetCategory(ticketID: TicketID(Int64(id)), category: .services))] {
                let envelope = try Envelope(type: "command", body: Command(role: .customer, action: action), sentAt: SystemClock().now())
                let reply = try await requester.request(envelope, to: .commands, timeout: .seconds(30))
                let answer = try reply.decodeBody(CommandReply.self)
                #expect(answer.refusal?.code == .forbidden, "the worker applied a user's staff command: \(answer)")
            }
            #expect(try state() == before, "the ticket changed")
        }

        // MARK: - Path traversal

        @Test("path traversal in path parameters, queue names and file names reaches nothing outside")
        func attack_PathTraversal_ReachesNothing() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            _ = try Self.createTicket(port, description: "the door of room 7 squeaks")
            let staff = Browser(role: "staff")
            let paths = [
                "/tickets/..%2F..%2F..%2Fetc%2Fpasswd", "/tickets/../../../etc/passwd", "/static/../../Package.swift",
                "/static/..%2f..%2fPackage.swift", "/static/app.css/../../data/tickets.db", "/api/tickets/%2e%2e%2f1",
                "/api/tickets/1%00", "/api/tickets/1%2F..%2F2", "/tickets/1;/etc/passwd", "/dashboard/..%2f..%2fdata%2ftickets.db",
                "/api/tickets/-1", "/api/tickets/0x1", "/api/tickets/99999999999999999999999", "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                "/dashboard/open-tickets.csv/../../../../etc/passwd",
            ]
            for path in paths {
                let r = try staff.get(port, path)
                #expect([400, 404, 405].contains(r.status), "\(path) answered \(r.status)")
                #expect(!r.text.contains("root:x:0") && !r.text.contains("SQLite format") && !r.text.contains("swift-tools-version"), "\(path) leaked a file")
                let a = try RawHTTPClient(port: port).request("GET", path, headers: [("X-CampusDesk-Role", "staff")])
                #expect(!a.text.contains("root:x:0") && !a.text.contains("SQLite format"))
            }

            // Queue names and file names in the operator CLI.
            let outside = system.root.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: outside.appendingPathComponent("dead"), withIntermediateDirectories: true)
            let sentinel = outside.appendingPathComponent("dead/sentinel.json")
            try Data("{}".utf8).write(to: sentinel)
            for args in [["queue", "peek", "../../outside"], ["queue", "dead", "../outside"], ["queue", "purge", "../../outside", "--dead"],
                         ["queue", "retry", "commands", "../../../outside/dead/sentinel.json"], ["queue", "retry", "../../outside", "sentinel.json"],
                         ["queue", "peek", "commands/../../.."], ["queue", "list", "--spool", "/etc/../etc"]] {
                let r = try system.processes.run(args)
                if args.contains(where: { $0.contains("..") && !$0.hasPrefix("/etc") }) {
                    #expect(r.status != 0, "\(args) succeeded: \(r.stdout)")
                }
                #expect(!r.stdout.contains("root:x:0"))
            }
            #expect(FileManager.default.fileExists(atPath: sentinel.path), "a CLI call moved or deleted a file outside the spool")
            #expect(!FileManager.default.fileExists(atPath: "/etc/queues"), "queue list --spool /etc made a spool of /etc")

            // A message that names a traversing reply queue: dead-lettered, nothing written outside.
            let newDir = system.spoolPath + "/queues/commands/new"
            let name = String(format: "%013lld-%010d-%d-evil.json", Int64(Date().timeIntervalSince1970 * 1000), 1, getpid())
            let envelope = #"{"v":1,"id":"3f2a0d4e-0000-4000-8000-000000000001","type":"command","sent_at":"2026-11-22T10:00:00.000Z","attempts":0,"reply_to":"../../../escaped","correlation_id":"x","body":{}}"#
            try Data((envelope + "\n").utf8).write(to: URL(fileURLWithPath: system.spoolPath + "/queues/commands/tmp/\(name)"))
            rename(system.spoolPath + "/queues/commands/tmp/\(name)", "\(newDir)/\(name)")
            try await eventually("the hostile message to be dead-lettered") { !system.spoolLeftovers().dead.isEmpty }
            let escaped = ["escaped", "../escaped", "../../escaped"].map { (system.spoolPath as NSString).appendingPathComponent($0) }
            #expect(escaped.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "a reply escaped the spool")
        }

        // MARK: - Oversized and malformed

        @Test("oversized and malformed requests are refused and the gateway keeps serving")
        func attack_OversizedAndMalformed_Refused() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            let gateway = system.currentPIDs()["gateway"]
            let id = try Self.createTicket(port, description: "the tap in the kitchen drips")
            func raw(_ bytes: [UInt8]) -> Int {
                let c = RawHTTPClient(port: port)
                defer { c.close() }
                guard (try? c.sendRaw(bytes)) != nil, let r = try? c.readResponse() else { return -1 }
                return r.status
            }
            let cases: [(String, [UInt8], Set<Int>)] = [
                ("huge header", Array("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n".utf8), [400, 431, -1]),
                ("many headers", Array(("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<2000).map { "X-\($0): y\r\n" }.joined() + "\r\n").utf8), [400, 431, -1]),
                ("huge body announced", Array("POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n".utf8), [413, -1]),
                ("garbage request line", Array("\u{1}\u{2}GARBAGE\r\n\r\n".utf8), [400, -1]),
                ("bad content length", Array("POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".utf8), [400]),
                ("two content lengths", Array("POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".utf8), [400]),
                ("chunked smuggling", Array("POST /api/tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nzzzz\r\n".utf8), [400, 501]),
                ("HTTP/0.9", Array("GET /\r\n\r\n".utf8), [400, 505, -1]),
                ("NUL in path", Array("GET /tickets\u{0}/x HTTP/1.1\r\nHost: x\r\n\r\n".utf8), [400, 404]),
            ]
            for (name, bytes, allowed) in cases {
                let status = raw(bytes)
                #expect(allowed.contains(status), "\(name): \(status)")
            }
            let jsonCases: [(String, String, [UInt8], Set<Int>)] = [
                ("POST", "/api/tickets", Array("{\"description\":".utf8), [400]),
                ("POST", "/api/tickets", [0x7B, 0x22, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], [400, 422]),
                ("POST", "/api/tickets", Array(#"{"description":"\#(String(repeating: "x", count: 300_000))"}"#.utf8), [413, 422]),
                ("POST", "/api/tickets", Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8), [400, 413]),
                ("POST", "/api/tickets", Array(#"{"description":42}"#.utf8), [422]),
                ("POST", "/api/tickets", Array(#"{"description":""}"#.utf8), [422]),
                ("POST", "/api/tickets/\(id)/messages", Array(#"{"body":"\#(String(repeating: "y", count: 100_000))"}"#.utf8), [413, 422]),
                ("PATCH", "/api/tickets/\(id)", Array(#"{"location":"\#(String(repeating: "z", count: 10_000))"}"#.utf8), [413, 422]),
            ]
            for (method, path, body, allowed) in jsonCases {
                let r = try RawHTTPClient(port: port).request(method, path, headers: [("Content-Type", "application/json")], body: body)
                #expect(allowed.contains(r.status), "\(method) \(path) with \(body.count) bytes: \(r.status) \(r.text.prefix(200))")
            }
            let badKey = try RawHTTPClient(port: port).request("POST", "/api/tickets", headers: [("Content-Type", "application/json"), ("Idempotency-Key", String(repeating: "k", count: 500))], text: #"{"description":"x y z"}"#)
            #expect(badKey.status == 400)
            for q in ["hours=-1", "hours=1e9", "hours=99999999999999", "days=366", "hours=1&hours=1", "hours=%ZZ"] {
                #expect(try RawHTTPClient(port: port).request("GET", "/api/analytics/open-tickets?\(q)", headers: [("X-CampusDesk-Role", "staff")]).status == 400, "\(q)")
            }
            let staff = Browser(role: "staff")
            let token = try staff.token(port)
            let hugeForm = try staff.post(port, "/tickets", [("description", String(repeating: "w", count: 300_000))], token: token)
            #expect([413, 422].contains(hugeForm.status), "huge form: \(hugeForm.status)")
            let badForm = try RawHTTPClient(port: port).request("POST", "/tickets", headers: [("Cookie", staff.cookie), ("Content-Type", "application/x-www-form-urlencoded")], text: "description=%E0%A4%A&csrf_token=\(token)")
            #expect(badForm.status == 400, "malformed form: \(badForm.status)")

            let tickets = try system.openTickets().prepare("SELECT count(*) FROM tickets").queryFirst([]) { Int($0.int64(at: 0)) }
            #expect(tickets == 1, "a malformed request created a ticket")
            #expect(system.currentPIDs()["gateway"] == gateway && system.isAlive("gateway"), "the gateway died")
            #expect(try RawHTTPClient(port: port).request("GET", "/healthz").status == 200)
        }

        // MARK: - Slowloris and idle connections

        @Test("slowloris and hundreds of idle connections do not starve a normal client")
        func attack_SlowlorisAndIdleConnections_NormalClientServed() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let port = system.port
            var idle: [RawHTTPClient] = []
            for _ in 0..<300 {
                let c = RawHTTPClient(port: port)
                try c.connect()
                idle.append(c)
            }
            let stop = Atomic<Bool>(false)
            let group = DispatchGroup()
            let dribblers = 20
            let closedByServer = Atomic<Int>(0)
            for i in 0..<dribblers {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let c = RawHTTPClient(port: port)
                    let bytes = Array("GET /tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-\(i): ".utf8) + [UInt8](repeating: 97, count: 400)
                    for b in bytes {
                        if stop.load(ordering: .relaxed) { return }
                        if (try? c.sendRaw([b])) == nil { closedByServer.add(1, ordering: .relaxed); return }
                        Thread.sleep(forTimeInterval: 0.1)  // sleep-ok: slowloris, one byte every 100 ms on purpose
                    }
                }
            }
            var served = 0, tried = 0
            for i in 0..<40 {
                tried += 1
                let c = RawHTTPClient(port: port)
                if i % 4 == 0 {
                    if (try? Self.api(port, "POST", "/api/tickets", json: #"{"description":"served during slowloris \#(i)"}"#))?.status == 201 { served += 1 }
                } else if (try? c.request("GET", "/api/tickets"))?.status == 200 { served += 1 }
                c.close()
                try await Task.sleep(for: .milliseconds(50))  // sleep-ok: paces the normal client's 40 requests across the attack
            }
            #expect(served == tried, "normal client served \(served) of \(tried)")
            // The server drops the dribblers (header deadline) and the idle sockets (idle timeout).
            await #expect(throws: Never.self) {
                try await eventually("the server to drop every slowloris connection", within: .seconds(30)) { lastSeen in
                    lastSeen = "\(dribblers - closedByServer.load(ordering: .relaxed)) still open"
                    return closedByServer.load(ordering: .relaxed) == dribblers
                }
            }
            stop.store(true, ordering: .relaxed)
            #expect(group.wait(timeout: .now() + 30) == .success)
            #expect(idle.prefix(20).allSatisfy { (try? $0.waitForClose(within: .seconds(15))) != nil }, "idle connections were never closed")
            idle.forEach { $0.close() }
            #expect(try RawHTTPClient(port: port).request("GET", "/healthz").status == 200)
        }
    }
}

/// Percent-encoding for form bodies and cookies built by the attack tests.
enum FormDecodingTestEncoding {
    static func percent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 46 || b == 95 || b == 126 {
                out.append(Character(UnicodeScalar(b)))
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
