import Testing
@testable import HTTPServer

private struct Teapot: HTTPStatusError { var status: HTTPStatus { HTTPStatus(418, "I'm a teapot") } }
private struct Secret: Error { var detail = "db password is hunter2" }

private func makeRouter() -> Router {
    var router = Router()
    router.get("/") { _ in HTTPResponse(status: .ok, contentType: "text/plain", body: "home") }
    router.get("/tickets/:id") { r in HTTPResponse(status: .ok, contentType: "text/plain", body: "ticket \(r.pathParameters["id"] ?? "?")") }
    router.post("/tickets/:id/messages") { r in HTTPResponse(status: .created, contentType: "text/plain", body: "message on \(r.pathParameters["id"] ?? "?")") }
    router.put("/tickets/:id") { _ in HTTPResponse(status: .noContent) }
    router.get("/teapot") { _ in throw Teapot() }
    router.get("/secret") { _ in throw Secret() }
    router.group("/api", errors: { _, error in HTTPResponse(status: error.status, contentType: "application/problem+json", body: "{\"status\":\(error.status.code)}") }) { api in
        api.get("/tickets/:id") { r in HTTPResponse(status: .ok, contentType: "application/json", body: "{\"id\":\"\(r.pathParameters["id"] ?? "?")\"}") }
        api.patch("/tickets/:id") { _ in HTTPResponse(status: .ok) }
        api.get("/teapot") { _ in throw Teapot() }
    }
    return router
}

private func get(_ target: String, method: HTTPMethod = .get) async -> HTTPResponse {
    await makeRouter().handle(HTTPRequest(method: method, target: target))
}

private func body(_ r: HTTPResponse) -> String { String(decoding: r.body, as: UTF8.self) }

@Suite("Router")
struct RouterTests {
    @Test func literalRoute_IsMatched() async {
        let r = await get("/")
        #expect(r.status == .ok)
        #expect(body(r) == "home")
    }

    @Test func parameter_IsCapturedAndPercentDecoded() async {
        #expect(body(await get("/tickets/42")) == "ticket 42")
        #expect(body(await get("/tickets/caf%C3%A9%20x?q=1")) == "ticket café x")
    }

    @Test func nestedRoute_MatchesMethodAndPath() async {
        let r = await get("/tickets/7/messages", method: .post)
        #expect(r.status == .created)
        #expect(body(r) == "message on 7")
    }

    @Test func unknownPath_Is404() async {
        #expect(await get("/nope").status == .notFound)
        #expect(await get("/tickets").status == .notFound)
        #expect(await get("/tickets/").status == .notFound)
        #expect(await get("/tickets/1/").status == .notFound)
    }

    @Test func wrongMethod_Is405WithAllow() async {
        let r = await get("/tickets/1", method: .delete)
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, PUT")
    }

    @Test func head_IsServedByGet() async {
        let r = await get("/tickets/9", method: .head)
        #expect(r.status == .ok)
        #expect(body(r) == "ticket 9")  // the serializer drops it on the wire
    }

    @Test(arguments: ["/tickets/a%2Fb", "/tickets/a%2fb", "/tickets/..", "/tickets/%2E%2E", "/tickets/.", "/tickets/%00", "/tickets/%zz", "/tickets/%4", "/tickets/%FF", "/../tickets/1"])
    func hostilePath_Is400(_ target: String) async {
        #expect(await get(target).status == .badRequest)
    }

    @Test func statusError_BecomesItsStatus() async {
        #expect(await get("/teapot").status.code == 418)
    }

    @Test func unknownError_Becomes500WithoutInternals() async {
        let events = LogSink()
        var router = Router(log: events.handler)
        router.get("/secret") { _ in throw Secret() }
        let r = await router.handle(HTTPRequest(method: .get, target: "/secret"))
        #expect(r.status == .internalServerError)
        #expect(!body(r).contains("hunter2"))
        #expect(!r.closeConnection)
        #expect(events.lines.contains { $0.hasPrefix("error handler failed") && $0.contains("error.type=Secret") })
    }

    // MARK: - Groups

    @Test func group_RoutesUnderItsPrefixWithParameters() async {
        let r = await get("/api/tickets/5")
        #expect(r.status == .ok)
        #expect(body(r) == "{\"id\":\"5\"}")
    }

    @Test func group_RendersItsOwnErrors_RootKeepsPlainText() async {
        let api = await get("/api/nope")
        #expect(api.status == .notFound)
        #expect(api.headers["Content-Type"] == "application/problem+json")
        #expect(body(api) == "{\"status\":404}")
        let web = await get("/nope")
        #expect(web.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(body(await get("/api/teapot")) == "{\"status\":418}")
    }

    @Test func group_WrongMethod_Is405WithAllowInItsFormat() async {
        let r = await get("/api/tickets/5", method: .post)
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, PATCH")
        #expect(body(r) == "{\"status\":405}")
        #expect(await get("/api/tickets/5", method: .options).headers["Allow"] == "GET, HEAD, PATCH")
    }

    @Test(arguments: ["/api/tickets/..", "/api/tickets/%2e", "/api/tickets/a%2Fb", "/api/%2E%2E/x"])
    func group_HostilePath_Is400InItsFormat(_ target: String) async {
        let r = await get(target)
        #expect(r.status == .badRequest)
        #expect(r.headers["Content-Type"] == "application/problem+json")
    }

    // MARK: - Middleware

    @Test func routeMiddleware_WrapsRoutingAndItsErrorsAreRenderedByTheGroup() async {
        struct Closed: HTTPStatusError {
            var status: HTTPStatus { .serviceUnavailable }
            var headers: HTTPHeaders { HTTPHeaders([("Retry-After", "5")]) }
        }
        var router = makeRouter()
        router.use { next in
            { r in
                if r.path.hasSuffix("/closed") { throw Closed() }
                return try await next(r)
            }
        }
        let api = await router.handle(HTTPRequest(method: .get, target: "/api/closed"))
        #expect(api.status == .serviceUnavailable && api.headers["Retry-After"] == "5" && body(api) == "{\"status\":503}")
        #expect(await router.handle(HTTPRequest(method: .get, target: "/tickets/1")).status == .ok)
    }

    @Test func chain_AppliesMiddlewareFirstOutermost() async {
        let tag: (String) -> Middleware = { name in { next in { r in
            var response = await next(r)
            response.headers.add("X-Order", name)
            return response
        } } }
        let handler = chain([tag("outer"), tag("inner")], makeRouter().handler)
        let r = await handler(HTTPRequest(method: .get, target: "/"))
        #expect(r.headers.values("X-Order") == ["inner", "outer"])
    }
}
