import HTTPServer
import Testing
@testable import WebGateway

@Suite struct CookieTests {
    @Test func parsesSeveralHeadersAndQuotedValues() {
        let r = HTTPRequest(method: .get, target: "/", headers: HTTPHeaders([("Cookie", "a=1; b=\"two\""), ("cookie", "c=3;a=ignored")]))
        let c = Cookies.parse(r)
        #expect(c == ["a": "1", "b": "two", "c": "3"])
    }

    @Test func setCookieIsHttpOnlyAndLax() {
        let s = Cookies.setCookie("cd_role", "staff")
        #expect(s.hasPrefix("cd_role=staff; "))
        #expect(s.contains("HttpOnly"))
        #expect(s.contains("SameSite=Lax"))
        #expect(s.contains("Path=/"))
        #expect(Cookies.setCookie("x", "", maxAge: 0).contains("Max-Age=0"))
    }

    @Test func enteringKeepsRoleAndNameInCookies() async {
        let world = World()
        var b = Browser(world.gateway())
        let first = await b.get("/")
        #expect(first.headers.values("Set-Cookie").contains { $0.hasPrefix("cd_browser=") && $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        let r = await b.post("/session", [("role", "staff"), ("name", "Ana María")])
        #expect(r.status == .seeOther)
        #expect(r.headers["Location"] == "/tickets")
        let sets = r.headers.values("Set-Cookie")
        #expect(sets.contains { $0.hasPrefix("cd_role=agent;") && $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        #expect(sets.contains { $0.hasPrefix("cd_name=Ana%20Mar%C3%ADa;") })
        let page = await b.get("/tickets")
        #expect(page.text.contains("Acting as <strong>Helpdesk staff</strong> (Ana María)"))
        #expect(page.text.contains("Switch to simple user"))
    }

    @Test func anUnknownRoleCookieMeansSimpleUser() async {
        let world = World()
        var b = Browser(world.gateway())
        b.cookies["cd_role"] = "admin"
        let page = await b.get("/tickets")
        #expect(page.text.contains("Acting as <strong>Simple user</strong>"))
        #expect(!page.text.contains("/dashboard\""))
    }
}
