import Domain
import SpoolBroker
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

@Suite struct APITests {
    struct Client {
        let gateway: Gateway
        var role: String? = "staff"

        func call(_ method: String, _ target: String, json: String? = nil, contentType: String = "application/json", headers: [(String, String)] = []) async -> HTTPResponse {
            var h = HTTPHeaders([("Host", "campusdesk.test")])
            if let role { h.add("X-CampusDesk-Role", role) }
            if json != nil { h.add("Content-Type", contentType) }
            for (n, v) in headers { h.add(n, v) }
            return await gateway.respond(to: HTTPRequest(method: HTTPMethod(rawValue: method)!, target: target, headers: h, body: Array((json ?? "").utf8)))
        }
    }

    static func problem(_ r: HTTPResponse, _ status: Int) {
        #expect(r.status.code == status)
        #expect(r.headers["Content-Type"] == "application/problem+json")
        #expect(r.json?["status"] as? Int == status)
        #expect(r.json?["title"] is String)
        #expect(r.json?["detail"] is String)
        #expect(r.json?["type"] is String)
    }

    @Test func createShowListEditAndMessage() async throws {
        let world = World()
        let c = Client(gateway: world.gateway())
        let created = await c.call("POST", "/api/tickets", json: #"{"description":"Wi-Fi down in the library","location":"Library","reporter":"Sam"}"#)
        #expect(created.status == .created)
        #expect(created.headers["Location"] == "/api/tickets/1")
        #expect(created.headers["Content-Type"] == "application/json")
        let t = try #require(created.json)
        #expect(t["id"] as? Int == 1)
        #expect(t["status"] as? String == "open")
        #expect(t["closed_at"] is NSNull)
        #expect(t["category_source"] as? String == "auto")

        let msg = await c.call("POST", "/api/tickets/1/messages", json: #"{"body":"Looking into it","author_name":"Desk"}"#)
        #expect(msg.status == .created)
        #expect(msg.json?["author_role"] as? String == "agent")

        let detail = try #require(await c.call("GET", "/api/tickets/1").json)
        #expect(detail["description"] as? String == "Wi-Fi down in the library")
        #expect((detail["messages"] as? [[String: Any]])?.first?["body"] as? String == "Looking into it")

        let edited = await c.call("PATCH", "/api/tickets/1", json: #"{"location":"Library, 2nd floor"}"#)
        #expect(edited.status == .ok)
        #expect(edited.json?["location"] as? String == "Library, 2nd floor")
        #expect(edited.json?["description"] as? String == "Wi-Fi down in the library")

        let list = try #require(await c.call("GET", "/api/tickets").json)
        #expect((list["tickets"] as? [Any])?.count == 1)
        #expect(list["next_cursor"] is NSNull)
    }

    @Test func listPagesNewestFirstWithTheCursor() async throws {
        let world = World()
        let c = Client(gateway: world.gateway())
        for i in 1...5 { _ = await c.call("POST", "/api/tickets", json: #"{"description":"problem \#(i)"}"#) }
        let first = try #require(await c.call("GET", "/api/tickets?limit=2").json)
        #expect((first["tickets"] as? [[String: Any]])?.map { $0["id"] as? Int } == [5, 4])
        let cursor = try #require(first["next_cursor"] as? String)
        let second = try #require(await c.call("GET", "/api/tickets?limit=2&cursor=\(cursor)").json)
        #expect((second["tickets"] as? [[String: Any]])?.map { $0["id"] as? Int } == [3, 2])
        let filtered = try #require(await c.call("GET", "/api/tickets?q=problem+3&status=open&category=facility").json)
        #expect((filtered["tickets"] as? [[String: Any]])?.map { $0["id"] as? Int } == [3])
    }

    @Test("bad list queries are 400 problems", arguments: ["limit=0", "limit=501", "limit=abc", "cursor=zzz", "status=pending", "category=food", "q=%ZZ"])
    func badListQueries(_ query: String) async {
        let world = World()
        let c = Client(gateway: world.gateway())
        Self.problem(await c.call("GET", "/api/tickets?\(query)"), 400)
    }

    @Test func roleHeader() async {
        let world = World()
        var c = Client(gateway: world.gateway())
        c.role = "admin"
        Self.problem(await c.call("GET", "/api/tickets"), 401)
        c.role = nil
        #expect(await c.call("GET", "/api/tickets").status == .ok)
        Self.problem(await c.call("GET", "/api/tickets?status=closed"), 403)
    }

    @Test func bodyErrors() async {
        let world = World()
        let c = Client(gateway: world.gateway())
        Self.problem(await c.call("POST", "/api/tickets", json: "description=x", contentType: "application/x-www-form-urlencoded"), 415)
        Self.problem(await c.call("POST", "/api/tickets", json: "{not json"), 400)
        Self.problem(await c.call("POST", "/api/tickets", json: "{}"), 422)
        Self.problem(await c.call("POST", "/api/tickets", json: #"{"description":"   "}"#), 422)
        Self.problem(await c.call("POST", "/api/tickets", json: #"{"description":42}"#), 422)
        let big = String(repeating: "x", count: 70_000)
        Self.problem(await c.call("POST", "/api/tickets", json: #"{"description":"\#(big)"}"#), 413)
        Self.problem(await c.call("GET", "/api/tickets/999"), 404)
        Self.problem(await c.call("GET", "/api/tickets/abc"), 404)
        Self.problem(await c.call("DELETE", "/api/tickets/1"), 405)
        Self.problem(await c.call("GET", "/api/nothing"), 404)
    }

    @Test func statusTransitionsAndRefusalMapping() async {
        let world = World()
        var c = Client(gateway: world.gateway())
        _ = await c.call("POST", "/api/tickets", json: #"{"description":"Door broken"}"#)
        let illegal = await c.call("POST", "/api/tickets/1/status", json: #"{"status":"closed"}"#)
        Self.problem(illegal, 409)
        #expect(illegal.json?["code"] as? String == "invalid_transition")
        Self.problem(await c.call("POST", "/api/tickets/1/status", json: #"{"status":"done"}"#), 422)
        #expect(await c.call("POST", "/api/tickets/1/status", json: #"{"status":"active"}"#).status == .ok)
        #expect(await c.call("PUT", "/api/tickets/1/category", json: #"{"category":"it"}"#).json?["category_source"] as? String == "staff")
        let closed = await c.call("POST", "/api/tickets/1/status", json: #"{"status":"closed"}"#)
        #expect(closed.json?["closed_at"] is String)
        Self.problem(await c.call("POST", "/api/tickets/9/status", json: #"{"status":"active"}"#), 404)
        c.role = "user"
        // A closed ticket this client did not report (no reporter key) does not exist for a simple user.
        let hidden = await c.call("POST", "/api/tickets/1/messages", json: #"{"body":"hello?"}"#)
        Self.problem(hidden, 404)
        #expect(hidden.json?["code"] as? String == "not_found")
        Self.problem(await c.call("POST", "/api/tickets/1/status", json: #"{"status":"active"}"#), 403)
        Self.problem(await c.call("PUT", "/api/tickets/1/category", json: #"{"category":"it"}"#), 403)
    }

    @Test func refusalCodesMapToStatuses() {
        let expected: [RefusalCode: Int] = [.notFound: 404, .forbidden: 403, .invalidTransition: 409, .readOnly: 409, .validation: 422, .conflict: 409, .unauthenticated: 401]
        for code in RefusalCode.allCases { #expect(Problem.status(for: code).code == expected[code]) }
    }

    @Test func queuedAndUnavailable() async {
        let world = World()
        let c = Client(gateway: world.gateway())
        await world.worker.force(.queued)
        let q = await c.call("POST", "/api/tickets", json: #"{"description":"x"}"#, headers: [("Idempotency-Key", "k-1")])
        #expect(q.status == .accepted)
        #expect((q.json?["command_id"] as? String)?.hasPrefix("api:k-1:") == true)
        await world.worker.force(.unavailable(reason: "ENOSPC"))
        let u = await c.call("POST", "/api/tickets", json: #"{"description":"x"}"#)
        Self.problem(u, 503)
        #expect(u.headers["Retry-After"] != nil)
    }

    @Test func idempotencyKeyAppliesARetryOnce() async throws {
        let world = World()
        let c = Client(gateway: world.gateway())
        let a = await c.call("POST", "/api/tickets", json: #"{"description":"Projector dead"}"#, headers: [("Idempotency-Key", "abc-123")])
        let b = await c.call("POST", "/api/tickets", json: #"{"description":"Projector dead"}"#, headers: [("Idempotency-Key", "abc-123")])
        #expect(a.status == .created)
        #expect(a.body == b.body)
        #expect(try await world.reader.list(TicketFilter()).tickets.count == 1)
        Self.problem(await c.call("POST", "/api/tickets", json: #"{"description":"x"}"#, headers: [("Idempotency-Key", String(repeating: "k", count: 101))]), 400)
        Self.problem(await c.call("POST", "/api/tickets", json: #"{"description":"x"}"#, headers: [("Idempotency-Key", "has space")]), 400)
    }

    @Test func analyticsAreStaffOnlyAndValidateThePeriod() async throws {
        let world = World()
        world.analytics.load = .timedOut
        var c = Client(gateway: world.gateway())
        let open = try #require(await c.call("GET", "/api/analytics/open-tickets?days=2").json)
        #expect(open["hours"] as? Int == 48)
        #expect(open["count"] as? Int == 3)
        #expect(open["since"] is String)
        #expect(await c.call("GET", "/api/analytics/resolution-time").json?["months"] is [Any])
        Self.problem(await c.call("GET", "/api/analytics/category-load"), 503)
        for bad in ["hours=", "hours=0", "hours=-1", "hours=abc", "days=366", "hours=8761", "hours=1&hours=2", "hours=1.5", "hours=%ZZ"] {
            Self.problem(await c.call("GET", "/api/analytics/open-tickets?\(bad)"), 400)
        }
        #expect(await c.call("GET", "/api/analytics/open-tickets?days=365").status == .ok)
        c.role = "user"
        Self.problem(await c.call("GET", "/api/analytics/open-tickets?hours=1"), 403)
        Self.problem(await c.call("GET", "/api/analytics/resolution-time"), 403)
    }

    @Test func healthAndReadiness() async {
        let world = World()
        let c = Client(gateway: world.gateway())
        #expect(await c.call("GET", "/healthz").status == .ok)
        #expect(await c.call("GET", "/readyz").json?["ready"] as? Bool == true)
        world.readiness = FixedReadiness(checks: [ReadinessCheck(name: "ticket-worker", ready: true), ReadinessCheck(name: "category-load", ready: false, detail: "no reply")])
        let down = await Client(gateway: world.gateway()).call("GET", "/readyz")
        #expect(down.status == .serviceUnavailable)
        #expect(down.json?["ready"] as? Bool == false)
    }

    @Test func openAPIDocumentIsServedFromItsOneFile() async throws {
        let world = World()
        let c = Client(gateway: world.gateway())
        let r = await c.call("GET", "/api/openapi.yaml")
        #expect(r.status == .ok)
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/WebGateway/Resources/openapi.yaml")
        let file = try String(contentsOf: docs, encoding: .utf8)
        #expect(r.text == file)
        #expect(file.hasPrefix("openapi: 3."))
    }
}
