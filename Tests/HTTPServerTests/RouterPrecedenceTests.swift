import Testing
@testable import HTTPServer

/// Where a literal path and a capture both match (`/api/tickets/unassigned` and `/api/tickets/:id`),
/// the literal wins, in whatever order the routes were added, for the handler and for the 405.
@Suite("Router precedence")
struct RouterPrecedenceTests {
    static func router(literalFirst: Bool) -> Router {
        var router = Router()
        let literal: (inout Router) -> Void = { r in
            r.get("/tickets/unassigned") { _ in HTTPResponse(status: .ok, contentType: "text/plain", body: "queue") }
            r.get("/tickets/assigned/:who") { q in HTTPResponse(status: .ok, contentType: "text/plain", body: "queue of \(q.pathParameters["who"] ?? "?")") }
        }
        if literalFirst { literal(&router) }
        router.get("/tickets/:id") { r in HTTPResponse(status: .ok, contentType: "text/plain", body: "ticket \(r.pathParameters["id"] ?? "?")") }
        router.patch("/tickets/:id") { _ in HTTPResponse(status: .noContent) }
        router.post("/tickets/:id/status") { _ in HTTPResponse(status: .noContent) }
        if !literalFirst { literal(&router) }
        return router
    }

    static func call(_ router: Router, _ method: HTTPMethod, _ target: String) async -> HTTPResponse {
        await router.handle(HTTPRequest(method: method, target: target))
    }

    @Test("the literal segment wins for GET and HEAD, added before or after the capture")
    func literalOutranksCapture() async {
        for literalFirst in [true, false] {
            let router = Self.router(literalFirst: literalFirst)
            #expect(String(decoding: await Self.call(router, .get, "/tickets/unassigned").body, as: UTF8.self) == "queue")
            #expect(await Self.call(router, .head, "/tickets/unassigned").status == .ok)
            #expect(String(decoding: await Self.call(router, .get, "/tickets/7").body, as: UTF8.self) == "ticket 7")
            #expect(String(decoding: await Self.call(router, .get, "/tickets/assigned/3").body, as: UTF8.self) == "queue of 3")
        }
    }

    @Test("a method only the capture has is 405 on the literal path, Allow naming the literal route's methods")
    func literalPathAllowsOnlyItsMethods() async {
        for literalFirst in [true, false] {
            let router = Self.router(literalFirst: literalFirst)
            let r = await Self.call(router, .patch, "/tickets/unassigned")
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers["Allow"] == "GET, HEAD")
            #expect(await Self.call(router, .patch, "/tickets/7").status == .noContent)
            // Leftmost literal first: "/tickets/assigned/status" is the queue of "status", not a status change.
            #expect(await Self.call(router, .post, "/tickets/assigned/status").status == .methodNotAllowed)
            #expect(await Self.call(router, .post, "/tickets/9/status").status == .noContent)
        }
    }
}
