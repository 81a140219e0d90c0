import Domain
import SQLiteKit
import HTTPServer
import Testing
@testable import WebGateway

/// The gateway's router: 405 with `Allow`, refused paths and errors, in each group's own format.
@Suite struct RoutingTests {
    func send(_ world: World, _ method: HTTPMethod, _ target: String) async -> HTTPResponse {
        await world.gateway().respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders([("Host", "campusdesk.test")])))
    }

    @Test("a known API path with another method is a 405 problem with Allow")
    func api405() async {
        let r = await send(World(), .delete, "/api/tickets/1")
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, PATCH")
        #expect(r.headers["Content-Type"] == "application/problem+json")
        #expect(r.text.contains("\"detail\":\"Use GET, HEAD, PATCH.\""))
    }

    @Test("a known page path with another method is a 405 page with Allow")
    func web405() async {
        let r = await send(World(), .put, "/tickets/1/status")
        #expect(r.status == .methodNotAllowed)
        // GET answers too: it leads to the ticket (a form address opened as a page, FeedbackTests).
        #expect(r.headers["Allow"] == "GET, HEAD, POST")
        #expect(r.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(r.text.contains("That action is not available here."))
    }

    @Test("dot segments, encoded slashes and NULs are refused with 400: a problem under /api, a page elsewhere", arguments: [
        "/api/tickets/..", "/api/tickets/%2e%2E", "/api/tickets/1%2Fstatus", "/api/%2e/tickets", "/api/tickets/%00",
        "/tickets/..", "/tickets/.", "/tickets/%2E%2E", "/tickets/1%2fstatus", "/static/..%2Fapp.css",
    ])
    func hostilePath(_ target: String) async {
        let r = await send(World(), .get, target)
        #expect(r.status == .badRequest)
        #expect(r.headers["Content-Type"] == (target.hasPrefix("/api/") ? "application/problem+json" : "text/html; charset=utf-8"))
        #expect(r.headers["Content-Security-Policy"] == SecurityHeaders.contentSecurityPolicy)
    }

    @Test("a thrown Problem becomes its status and document")
    func thrownProblem() async {
        let world = World()
        let r = await world.gateway().respond(to: HTTPRequest(method: .get, target: "/api/tickets", headers: HTTPHeaders([("Host", "x"), ("X-CampusDesk-Role", "root")])))
        #expect(r.status == .unauthorized)
        #expect(r.text.contains("X-CampusDesk-Role must be customer or agent (or user or staff)."))
    }

    @Test("an unknown error is a logged 500 that shows no internals, in both groups")
    func unknownErrorIs500() async throws {
        let world = World()
        try Connection(path: world.directory.appendingPathComponent("tickets.db").path).execute("DROP TABLE messages")
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        _ = await b.post("/tickets", [("description", "The projector in B-12 is broken")])
        let api = await send(world, .get, "/api/tickets/1")
        #expect(api.status == .internalServerError)
        #expect(api.text.contains("Something went wrong on our side."))
        #expect(!api.text.contains("messages") && !api.text.contains("SQLite"))
        let page = await b.get("/tickets/1")
        #expect(page.status == .internalServerError)
        #expect(!page.text.contains("no such table"))
    }
}
