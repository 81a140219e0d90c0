import Foundation
import TestSupport
import Testing

extension SystemTests {
    /// The network desk (`CAMPUSDESK_AUTH=accounts`) as real processes: the gateway and the ticket
    /// worker agree on accounts and sessions through the spool and `tickets.db`.
    @Suite struct NetworkDeskEndToEndTests {
        @Test("register, report a problem, read it through the API with a bearer token, log out")
        func registerReportAndLogOut() async throws {
            let system = try await GatewaySystem(environment: ["CAMPUSDESK_AUTH": "accounts"])
            let s = system.session()
            let away = try s.get("/tickets")
            #expect(away.status == 303)
            #expect(away.header("Location") == "/login?next=%2Ftickets")

            let form = try s.get("/register")
            var r = try s.submit("/register", on: form.text, [("name", "Sam Lee"), ("email", "sam@example.org"),
                                                              ("password", "a long passphrase"), ("password_confirmation", "a long passphrase")])
            #expect(r.status == 303, "\(r.text)")
            #expect(r.header("Location") == "/tickets")
            #expect(s.cookies["cd_session"] != nil)

            let new = try s.get("/tickets/new")
            r = try s.submit("/tickets", on: new.text, [("description", "The lift in building C is stuck"), ("location", "Building C")])
            #expect(r.status == 303)
            let id = try #require(WebSession.ticketID(fromLocation: r.header("Location")))
            let mine = try s.get("/tickets")
            #expect(mine.text.contains("<h1>My tickets</h1>") && mine.text.contains("/tickets/\(id)"))

            let api = RawHTTPClient(port: system.port)
            let token = try api.request("POST", "/api/auth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        text: "grant_type=password&username=sam%40example.org&password=a+long+passphrase")
            #expect(token.status == 200, "\(token.text)")
            let bearer = try #require((try JSONSerialization.jsonObject(with: Data(token.body)) as? [String: Any])?["access_token"] as? String)
            let list = try api.request("GET", "/api/tickets", headers: [("Authorization", "Bearer \(bearer)")])
            #expect(list.status == 200)
            #expect(list.text.contains("\"id\":\(id)"))
            #expect(try api.request("GET", "/api/tickets").status == 401)

            let page = try s.get("/tickets")
            r = try s.submit("/logout", on: page.text, [])
            #expect(r.status == 303)
            #expect(r.header("Location") == "/login?done=logout")
            #expect(try s.get("/tickets").status == 303)
        }
    }
}
