import Domain
import Foundation
import Testing
@testable import HTTPServer
@testable import WebGateway

/// Methods a path does not list are 405 with `Allow`, never a 5xx; the favicon and the dashboard
/// script are served from our origin with validators.
@Suite struct MethodsAndAssetsTests {
    @Test("TRACE, QUERY and CONNECT on a known path are 405 with the path's Allow; on an unknown path 404", arguments: ["TRACE", "QUERY", "CONNECT"])
    func knownButNeverAllowedMethods(method: String) async throws {
        let world = World()
        let gateway = world.gateway()
        var parser = HTTPParser()
        let parsed = try parser.parse(Array("\(method) /api/tickets/1 HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        guard case .request(let request, _) = parsed else { Issue.record("not parsed"); return }
        let r = await gateway.respond(to: request)
        #expect(r.status == HTTPStatus.methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, PATCH")
        #expect(r.headers["Content-Type"] == "application/problem+json")
        let unknown = await gateway.respond(to: HTTPRequest(method: try #require(HTTPMethod(rawValue: method)), target: "/nowhere"))
        #expect(unknown.status == .notFound)
    }

    @Test("CONNECT host:port is parsed and refused with 405 and an empty Allow; an unknown token stays 501")
    func connectAuthorityForm() async throws {
        var parser = HTTPParser()
        guard case .request(let request, _) = try parser.parse(Array("CONNECT example.org:443 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) else {
            Issue.record("not parsed")
            return
        }
        let r = await World().gateway().respond(to: request)
        #expect(r.status == HTTPStatus.methodNotAllowed)
        #expect(r.headers["Allow"] == "")
        var other = HTTPParser()
        #expect(throws: HTTPParseError.unsupportedMethod) { try other.parse(Array("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) }
    }

    @Test("an invalid role header is 401 with a challenge on every API operation")
    func invalidRoleIs401() async {
        let gateway = World().gateway()
        for (method, target) in [(HTTPMethod.get, "/api/tickets"), (.get, "/api/tickets/1"), (.get, "/api/analytics/category-load"), (.post, "/api/tickets/1/status")] {
            let r = await gateway.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders([("X-CampusDesk-Role", "admin")])))
            #expect(r.status == .unauthorized, "\(target)")
            #expect(r.headers["WWW-Authenticate"] == "CampusDesk-Role realm=\"CampusDesk\"")
        }
    }

    @Test("/favicon.ico is a 16×16 ICO, cached and revalidated, and every page links it")
    func favicon() async {
        let world = World()
        var b = Browser(world.gateway())
        let r = await b.get("/favicon.ico")
        #expect(r.status == .ok)
        #expect(r.headers["Content-Type"] == "image/x-icon")
        #expect(Array(r.body.prefix(8)) == [0, 0, 1, 0, 1, 0, 16, 16])
        let expectedSize: Int = 6 + 16 + 40 + 1024 + 64
        #expect(r.body.count == expectedSize)
        let etag = r.headers["ETag"] ?? ""
        #expect(await b.request("GET", "/favicon.ico", headers: [("If-None-Match", etag)]).status == .notModified)
        #expect(await b.get("/").text.contains("<link rel=\"icon\" href=\"/favicon.ico\" sizes=\"16x16\">"))
    }

    @Test("a key reused on a different request is another command; the same request again gets the first answer")
    func idempotencyKeyIsScopedToTheRequest() async throws {
        let world = World()
        let gateway = world.gateway()
        func post(_ target: String, _ json: String) async -> HTTPResponse {
            await gateway.respond(to: HTTPRequest(method: .post, target: target, headers: HTTPHeaders([
                ("Content-Type", "application/json"), ("Idempotency-Key", "same"), ("X-CampusDesk-Role", "staff")]), body: Array(json.utf8)))
        }
        let created = await post("/api/tickets", #"{"description":"Lift stuck"}"#)
        #expect(created.status == .created)
        let message = await post("/api/tickets/1/messages", #"{"body":"On it"}"#)
        #expect(message.status == .created)
        let again = await post("/api/tickets", #"{"description":"Lift stuck"}"#)
        #expect(again.body == created.body)
        #expect(try await world.reader.list(TicketFilter()).tickets.count == 1)
    }

    @Test("API bodies: null, blank and over-long text as sent, and a PATCH that changes nothing, are 422 validation problems")
    func bodyRulesMatchTheDocument() async {
        let gateway = World().gateway()
        func send(_ method: HTTPMethod, _ target: String, _ json: String) async -> HTTPResponse {
            await gateway.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(json.utf8)))
        }
        let longByScalars = String(repeating: "e\u{301}", count: 2_501)  // 2,501 characters, 5,002 code points
        for (method, target, json) in [(HTTPMethod.post, "/api/tickets", #"{"description":"x","location":null}"#),
                                       (.post, "/api/tickets", #"{"description":" \u00a0 "}"#),
                                       (.post, "/api/tickets", "{\"description\":\"\(longByScalars)\"}"),
                                       (.patch, "/api/tickets/1", "{}")] {
            let r = await send(method, target, json)
            #expect(r.status == .unprocessableContent, "\(json.prefix(60))")
            #expect(r.text.contains("\"type\":\"\\/problems\\/validation\""), "\(json.prefix(60))")
        }
    }
}
