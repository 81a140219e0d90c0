import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// The network desk's browser side over real HTTP: login, the session cookie, logout, expiry,
/// deactivation, the login limits, registration and the password change.
@Suite(.onDedicatedThreads) struct AccountLoginTests {
    static func formError(_ html: String) -> String? {
        guard let r = html.range(of: "<p class=\"form-error\" role=\"alert\" tabindex=\"-1\" autofocus>") else { return nil }
        let rest = html[r.upperBound...]
        return rest.range(of: "</p>").map { String(rest[..<$0.lowerBound]) }
    }

    @Test("login sets an HttpOnly, SameSite=Lax session cookie for 12 hours and lands on the role's start page")
    func loginSetsTheCookie() async throws {
        let world = try AccountsWorld()
        let agent = try await world.account("Ada", .agent)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            let r = try b.logIn(agent.email)
            #expect(r.status == 303)
            #expect(r.header("Location") == "/tickets?status=open")
            let cookie = try #require(r.headers("Set-Cookie").first { $0.hasPrefix("cd_session=") })
            #expect(cookie.contains("; Path=/") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Max-Age=43200"))
            #expect(!cookie.contains("Secure"), "plain HTTP: no Secure")
            let page = try b.get("/tickets?status=open")
            #expect(page.status == 200)
            #expect(page.text.contains("Signed in as <strong>Ada</strong> (Agent)"))
            #expect(page.text.contains("action=\"/logout\""))
            #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        }
    }

    @Test("over HTTPS (X-Forwarded-Proto) the session cookie is Secure")
    func secureCookieOverHTTPS() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            b.https = true
            let r = try b.logIn(customer.email)
            let cookie = try #require(r.headers("Set-Cookie").first { $0.hasPrefix("cd_session=") })
            #expect(cookie.hasSuffix("; Secure"))
        }
    }

    @Test("each role lands on its own start page", arguments: Role.allCases)
    func startPages(_ role: Role) async throws {
        let world = try AccountsWorld()
        let user = try await world.account("Someone", role)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            let r = try b.logIn(user.email)
            let expected = switch role {
            case .customer: "/tickets"
            case .agent: "/tickets?status=open"
            case .engineer: "/tickets?assignee_id=\(user.id.rawValue)"
            case .manager: "/dashboard"
            case .admin: "/admin/users"
            }
            #expect(r.header("Location") == expected)
            let page = try b.get(expected)
            #expect(page.status == 200, "\(expected): \(page.status)")
            #expect(HTMLCheck.problems(page.text).isEmpty, "\(expected): \(HTMLCheck.problems(page.text))")
        }
    }

    @Test("without a session every page but login, registration, assets and probes redirects to /login, and back after login")
    func pagesNeedASession() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        let ticket = try await world.ticket(by: customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            for path in ["/", "/tickets", "/tickets/new", "/tickets/\(ticket.id)", "/dashboard", "/admin/users", "/account/password"] {
                let r = try b.get(path)
                #expect(r.status == 303, "\(path): \(r.status)")
                #expect(r.header("Location")?.hasPrefix("/login") == true, "\(path): \(r.header("Location") ?? "-")")
            }
            #expect(try b.get("/tickets/\(ticket.id)").header("Location") == "/login?next=%2Ftickets%2F\(ticket.id)")
            for path in ["/login", "/register", "/static/app.css", "/favicon.ico", "/healthz", "/readyz"] {
                #expect(try b.get(path).status == 200, "\(path)")
            }
            // The role cookie of the campus desk counts for nothing here.
            b.cookies["cd_role"] = "agent"
            #expect(try b.get("/tickets").status == 303)
            let r = try b.logIn(customer.email, next: "/tickets/\(ticket.id)")
            #expect(r.header("Location") == "/tickets/\(ticket.id)")
            // A next that leaves the site is ignored.
            b.cookies["cd_session"] = nil
            #expect(try b.logIn(customer.email, next: "//evil.example/x").header("Location") == "/tickets")
        }
    }

    @Test("an unknown e-mail and a wrong password get the same answer")
    func unknownAndWrongAnswerAlike() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            let wrong = try b.logIn(customer.email, "not the password")
            let unknown = try b.logIn("nobody@example.org", "not the password")
            #expect(wrong.status == unknown.status)
            #expect(wrong.status == 422)
            #expect(Self.formError(wrong.text) == "E-mail or password is wrong.")
            #expect(Self.formError(unknown.text) == Self.formError(wrong.text))
            #expect(b.cookies["cd_session"] == nil)
            // The password is never written back into the page.
            #expect(!wrong.text.contains("not the password"))
        }
    }

    @Test("logout ends the session on the server: the old cookie no longer works")
    func logout() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            try b.logIn(customer.email)
            let session = try #require(b.cookies["cd_session"])
            _ = try b.get("/tickets")
            let r = try b.post("/logout", [])
            #expect(r.status == 303)
            #expect(r.header("Location") == "/login?done=logout")
            #expect(r.headers("Set-Cookie").contains { $0.hasPrefix("cd_session=;") && $0.contains("Max-Age=0") })
            #expect(b.cookies["cd_session"] == nil)
            #expect(try b.get("/login?done=logout").text.contains("You are logged out."))
            // Someone who kept the cookie is signed out too.
            b.cookies["cd_session"] = session
            #expect(try b.get("/tickets").status == 303)
        }
    }

    @Test("logout without a CSRF token is refused")
    func logoutNeedsTheToken() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            try b.logIn(customer.email)
            b.lastToken = nil
            #expect(try b.post("/logout", []).status == 403)
            #expect(try b.get("/tickets").status == 200)
        }
    }

    @Test("a session expires after 12 hours on the clock")
    func expiry() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            try b.logIn(customer.email)
            world.clock.advance(by: .seconds(12 * 3600 - 1))
            #expect(try b.get("/tickets").status == 200)
            world.clock.advance(by: .seconds(2))
            let r = try b.get("/tickets")
            #expect(r.status == 303)
            #expect(r.header("Location") == "/login?next=%2Ftickets")
        }
    }

    @Test("deactivating an account signs it out on its next request, and it cannot log in again")
    func deactivation() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        let admin = try await world.account("Root", .admin)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            try b.logIn(customer.email)
            #expect(try b.get("/tickets").status == 200)
            let session = try #require(b.cookies["cd_session"])
            try await world.apply(admin.actor, .updateUser(UpdateUser(userID: customer.id, active: false)))
            #expect(try b.get("/tickets").status == 303)
            b.cookies["cd_session"] = nil
            let again = try b.logIn(customer.email)
            #expect(again.status == 403)
            #expect(Self.formError(again.text) == "This account is deactivated. Please ask the helpdesk.")
            #expect(b.cookies["cd_session"] == nil)
            // Reactivated, the old session stays ended (deactivation deleted it); a new login works.
            try await world.apply(admin.actor, .updateUser(UpdateUser(userID: customer.id, active: true)))
            b.cookies["cd_session"] = session
            #expect(try b.get("/tickets").status == 303)
            b.cookies["cd_session"] = nil
            #expect(try b.logIn(customer.email).status == 303)
        }
    }

    @Test("five failures lock the account for everyone: 429, Retry-After and a message that says when")
    func lockoutPerAccount() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            for i in 0..<5 {
                let b = SocketBrowser(port: port, address: "198.51.100.\(i)")
                #expect(try b.logIn(customer.email, "wrong password \(i)").status == 422)
            }
            // Even the right password, from another address, waits.
            let b = SocketBrowser(port: port, address: "198.51.100.77")
            let locked = try b.logIn(customer.email)
            #expect(locked.status == 429)
            #expect(locked.header("Retry-After") == "900")
            #expect(Self.formError(locked.text) == "Too many failed attempts; try again in 15 minutes.")
            #expect(b.cookies["cd_session"] == nil)
            // The API's token endpoint shares the count.
            let (token, _) = await APIClient(world.gateway).requestToken(customer.email)
            #expect(token.status == .tooManyRequests)
            #expect(token.headers["Retry-After"] == "900")
            world.clock.advance(by: .seconds(15 * 60))
            #expect(try b.logIn(customer.email).status == 303)
        }
    }

    @Test("twenty failures from one address lock that address for every account, not others")
    func lockoutPerAddress() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let attacker = SocketBrowser(port: port, address: "203.0.113.5")
            for i in 0..<20 {
                #expect(try attacker.logIn("guess\(i)@example.org", "password \(i)").status == 422)
            }
            let locked = try attacker.logIn(customer.email)
            #expect(locked.status == 429)
            #expect(Int(locked.header("Retry-After") ?? "") ?? 0 > 0)
            #expect(Self.formError(locked.text)?.hasPrefix("Too many failed attempts; try again in ") == true)
            let neighbour = SocketBrowser(port: port, address: "203.0.113.6")
            #expect(try neighbour.logIn(customer.email).status == 303)
        }
    }

    @Test("the login form needs its CSRF token and the same origin")
    func loginFormIsProtected() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            _ = try b.get("/login")
            let token = b.lastToken
            b.lastToken = nil
            #expect(try b.post("/login", [("email", customer.email), ("password", AccountsWorld.password)]).status == 403)
            b.lastToken = token
            let body = FormDecoding.encodeQuery([("email", customer.email), ("password", AccountsWorld.password), ("csrf_token", token)])
            let crossSite = try b.request("POST", "/login", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://evil.example")],
                                          body: Array(body.utf8))
            #expect(crossSite.status == 403)
            #expect(b.cookies["cd_session"] == nil)
        }
    }

    @Test("registration checks its fields, creates a customer and signs them in")
    func registration() async throws {
        let world = try AccountsWorld()
        _ = try await world.account("Taken", .customer)
        try await world.withServer { port in
            let b = SocketBrowser(port: port)
            let form = try b.get("/register")
            #expect(form.status == 200)
            #expect(HTMLCheck.problems(form.text).isEmpty, "\(HTMLCheck.problems(form.text))")
            func register(_ email: String, _ password: String, _ confirmation: String) throws -> RawHTTPClient.Response {
                try b.post("/register", [("name", "Sam Lee"), ("email", email), ("phone", "+41 44 123 45 67"), ("location", "B12"),
                                         ("password", password), ("password_confirmation", confirmation)])
            }
            let short = try register("sam@example.org", "short", "short")
            #expect(short.status == 422)
            #expect(short.text.contains("at least 10 characters"))
            #expect(short.text.contains("value=\"Sam Lee\""), "input kept")
            #expect(try register("sam@example.org", "a long passphrase", "another passphrase").text.contains("The two passwords are not the same."))
            let taken = try register("TAKEN@example.org", "a long passphrase", "a long passphrase")
            #expect(taken.status == 409)
            #expect(taken.text.contains("register-email-error"))
            let ok = try register("Sam@Example.org", "a long passphrase", "a long passphrase")
            #expect(ok.status == 303)
            #expect(ok.header("Location") == "/tickets")
            let mine = try b.get("/tickets")
            #expect(mine.text.contains("<h1>My tickets</h1>"))
            #expect(mine.text.contains("Signed in as <strong>Sam Lee</strong> (Customer)"))
            let user = try #require(try await world.reader.account(email: "sam@example.org"))
            #expect(user.user.role == .customer && user.user.phone == "+41 44 123 45 67")
        }
    }

    @Test("changing the password needs the current one, keeps this session and ends the others")
    func passwordChange() async throws {
        let world = try AccountsWorld()
        let customer = try await world.account("Cy", .customer)
        try await world.withServer { port in
            let here = SocketBrowser(port: port), elsewhere = SocketBrowser(port: port)
            try here.logIn(customer.email)
            try elsewhere.logIn(customer.email)
            let page = try here.get("/account/password")
            #expect(page.status == 200)
            #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
            let wrong = try here.post("/account/password", [("current_password", "not it at all"), ("new_password", "a new long passphrase"),
                                                             ("new_password_confirmation", "a new long passphrase")])
            #expect(wrong.status == 422)
            #expect(wrong.text.contains("The current password is wrong."))
            let ok = try here.post("/account/password", [("current_password", AccountsWorld.password), ("new_password", "a new long passphrase"),
                                                          ("new_password_confirmation", "a new long passphrase")])
            #expect(ok.status == 303)
            #expect(try here.get("/account/password?done=password").text.contains("Your password was changed."))
            #expect(try elsewhere.get("/tickets").status == 303)
            let third = SocketBrowser(port: port)
            #expect(try third.logIn(customer.email).status == 422)
            #expect(try third.logIn(customer.email, "a new long passphrase").status == 303)
        }
    }
}
