import Testing
@testable import HTTPServer

private struct Teapot: HTTPStatusError { var status: HTTPStatus { HTTPStatus(418, "I'm a teapot") } }
private struct Secret: Error { var detail = "db password is hunter2" }

private func makeRouter() -> Router {
    var router = Router()
    router.get("/") { _ in HTTPResponse(status: .ok, contentType: "text/plain", body: "home") }
    router.get("/tickets/:id") { r in HTTPResponse(status: .ok, contentType: "text/plain", body: "ticket \(r.pathParameters["id"] ?? "?")") }
    router.post("/tickets/:id/messages") { r in HTTPResponse(status: .created, contentType: "text/plain", body: "message on \(r.pathParameters["id"] ?? "?")") }
    router.add("PUT", "/tickets/:id", { _ in HTTPResponse(status: .noContent) })
    router.add("GET", "/teapot", throwing: { _ in throw Teapot() })
    router.add("GET", "/secret", throwing: { _ in throw Secret() })
    return router
}

private func get(_ target: String, method: String = "GET") async -> HTTPResponse {
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
        let r = await get("/tickets/7/messages", method: "POST")
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
        let r = await get("/tickets/1", method: "DELETE")
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, PUT")
    }

    @Test func head_IsServedByGet() async {
        let r = await get("/tickets/9", method: "HEAD")
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
        router.add("GET", "/secret", throwing: { _ in throw Secret() })
        let r = await router.handle(HTTPRequest(method: "GET", target: "/secret"))
        #expect(r.status == .internalServerError)
        #expect(!body(r).contains("hunter2"))
        #expect(!r.closeConnection)
        #expect(events.lines.contains { $0.hasPrefix("error handler failed") && $0.contains("error.type=Secret") })
    }
}
