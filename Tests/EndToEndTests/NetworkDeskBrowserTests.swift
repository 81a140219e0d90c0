import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// The network desk (`CAMPUSDESK_AUTH=accounts`) in a real headless Chromium against the real
    /// processes: a customer registers, logs in, reports and logs out; the first admin (made by the
    /// operator's `campusdesk users add`) creates an engineer and changes a role.
    ///
    /// Skipped only when chromedriver is not installed (CI installs it).
    @Suite struct NetworkDeskBrowserTests {
        static let password = "correct horse battery staple"

        static func logIn(_ d: WebDriver, _ system: GatewaySystem, email: String, password: String) throws {
            try d.navigate(system.baseURL + "/login")
            try d.type("#login-email", email)
            try d.type("#login-password", password)
            try d.click("form[action=\"/login\"] button[type=submit]")
        }

        static func logOut(_ d: WebDriver) async throws {
            try d.click("form[action=\"/logout\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "/login")
        }

        @Test(.enabled(if: WebDriver.isAvailable, "chromedriver is not installed at /usr/bin/chromedriver"))
        func registerReportLogOut_AdminCreatesAnEngineerAndChangesARole() async throws {
            let system = try await GatewaySystem(environment: ["CAMPUSDESK_AUTH": "accounts"])
            let admin = try system.processes.run(["users", "add", "--role", "admin", "--email", "root@desk.example", "--name", "Rita Root"],
                                                 input: Self.password + "\n")
            #expect(admin.status == 0, "\(admin.stderr)")
            let d = try await WebDriver()

            // A customer: the list is behind the login; register, which logs in, then report.
            try d.navigate(system.baseURL + "/tickets")
            try await BrowserTests.waitForURL(d, containing: "/login")
            try d.navigate(system.baseURL + "/register")
            try d.type("#register-name", "Cora Customer")
            try d.type("#register-email", "cora@example.org")
            try d.type("#register-password", Self.password)
            try d.type("#register-password_confirmation", Self.password)
            try d.click("form[action=\"/register\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "/tickets")
            #expect(try d.pageSource.contains("Cora Customer"))
            try await Self.logOut(d)

            try Self.logIn(d, system, email: "cora@example.org", password: Self.password)
            try await BrowserTests.waitForURL(d, containing: "/tickets")
            try d.click("a[href=\"/tickets/new\"]")
            try d.type("#new-description", "Mobile data drops in the whole of Elm Street since this morning")
            try d.type("#new-location", "Elm Street 12")
            try d.click("form[action=\"/tickets\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "done=created")
            let id = try #require(BrowserTests.ticketID(try d.currentURL))
            try d.navigate(system.baseURL + "/tickets")
            #expect(try d.pageSource.contains("/tickets/\(id)"))
            try await Self.logOut(d)
            // Logged out: the ticket list is behind the login again.
            try d.navigate(system.baseURL + "/tickets")
            try await BrowserTests.waitForURL(d, containing: "/login")

            // A wrong password is refused with the one message for every failed login.
            try Self.logIn(d, system, email: "cora@example.org", password: "not the password")
            try await eventually("the login page to say the e-mail or password is wrong") { lastSeen in
                let page = (try? d.pageSource) ?? ""
                lastSeen = String(page.suffix(300))
                return page.contains("E-mail or password is wrong.")
            }

            // The admin: lands on the users page, creates an engineer, then makes them a manager.
            try Self.logIn(d, system, email: "root@desk.example", password: Self.password)
            try await BrowserTests.waitForURL(d, containing: "/admin/users")
            try d.type("#create-name", "Eli Engineer")
            try d.type("#create-email", "eli@desk.example")
            _ = try d.execute("document.getElementById('create-role').value = 'engineer'")
            try d.type("#create-password", "an initial password")
            try d.click("form[method=\"post\"][action=\"/admin/users\"] button[type=submit]")
            try await eventually("the users page to list the new engineer") { lastSeen in
                let page = (try? d.pageSource) ?? ""
                lastSeen = String(page.suffix(300))
                return page.contains("eli@desk.example")
            }
            let directory = try await BrowserTests.apiJSON(system, "/api/users?q=eli", asUserWithPassword: ("root@desk.example", Self.password))
            let eli = try #require((directory["users"] as? [[String: Any]])?.first)
            #expect(eli["role"] as? String == "engineer")
            let eliID = try #require(eli["id"] as? Int)
            _ = try d.execute("document.getElementById('user-\(eliID)-role').value = 'manager'")
            try d.click("form[action=\"/admin/users/\(eliID)/role\"] button[type=submit]")
            try await eventually("Eli to be a manager") { lastSeen in
                let again = try await BrowserTests.apiJSON(system, "/api/users?q=eli", asUserWithPassword: ("root@desk.example", Self.password))
                let role = (again["users"] as? [[String: Any]])?.first?["role"] as? String
                lastSeen = role ?? "no user"
                return role == "manager"
            }
            try await Self.logOut(d)
        }
    }
}

extension SystemTests.BrowserTests {
    /// GET `path` from the API with a bearer token fetched for this account.
    static func apiJSON(_ system: GatewaySystem, _ path: String, asUserWithPassword account: (String, String)) async throws -> [String: Any] {
        let api = RawHTTPClient(port: system.port)
        let form = "grant_type=password&username=\(FormEncoding.encode(account.0))&password=\(FormEncoding.encode(account.1))"
        let token = try api.request("POST", "/api/auth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")], text: form)
        let bearer = try #require((try JSONSerialization.jsonObject(with: Data(token.body)) as? [String: Any])?["access_token"] as? String,
                                  "no token: \(token.text)")
        let r = try api.request("GET", path, headers: [("Authorization", "Bearer \(bearer)")])
        return try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r.status) \(r.text)")
    }
}

/// application/x-www-form-urlencoded values for the tests' hand-made forms.
enum FormEncoding {
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
