import Domain
import SpoolBroker
import TicketService
import Operations
import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// Takes the manual's screenshots from the real system in a real headless Chromium.
    ///
    /// Off by default (it writes into the source tree). Re-run with:
    /// `CAMPUSDESK_SCREENSHOTS=1 swift test --filter ScreenshotsTests` (writes docs/screenshots/),
    /// or set CAMPUSDESK_SCREENSHOTS to another directory to write there instead.
    @Suite struct ScreenshotsTests {
        static var outputDirectory: URL? {
            guard let v = ProcessInfo.processInfo.environment["CAMPUSDESK_SCREENSHOTS"], !v.isEmpty else { return nil }
            if v != "1" { return URL(fileURLWithPath: v) }
            var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                dir.deleteLastPathComponent()
            }
            return dir.appendingPathComponent("docs/screenshots")
        }

        @Test(.enabled(if: ScreenshotsTests.outputDirectory != nil && WebDriver.isAvailable, "set CAMPUSDESK_SCREENSHOTS=1 (needs chromedriver)"))
        func takeScreenshots() async throws {
            let out = try #require(Self.outputDirectory)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let system = try await GatewaySystem(environment: ["CAMPUSDESK_TZ": "Europe/Berlin"])

            // Demo-like history: 18 months of imported tickets, as an operator's import would send them.
            let spool = try Spool(root: system.processes.spool.path)
            let commands = try spool.queue(.commands)
            let history = DemoHistory.generate(count: 400, seed: 42, now: SystemClock().now())
            var envelopes = try history.map { try Envelope(type: "command", body: Command(role: .agent, action: .importTicket($0)), sentAt: SystemClock().now()) }
            // The staff directory: two engineers the operator listed (no password: nobody logs in here).
            for (name, email) in [("Lin Okafor", "lin@campus.example"), ("Sam Reyes", "sam@campus.example")] {
                let account = AccountFields(name: name, email: email, passwordHash: "pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2g=")
                envelopes.append(try Envelope(type: "command", body: Command(role: .admin, action: .createUser(CreateUser(account: account, role: .engineer))),
                                              sentAt: SystemClock().now()))
            }
            try commands.send(batch: envelopes)
            let client = system.session()
            try await eventually("the demo history to reach the analytics workers", within: .seconds(60)) {
                let a = try? client.get("/api/analytics/category-load", headers: [("X-CampusDesk-Role", "staff")])
                guard let a, a.status == 200, let json = try? JSONSerialization.jsonObject(with: Data(a.body)) as? [String: Any],
                      let cats = json["categories"] as? [[String: Any]] else { return false }
                return cats.reduce(0) { $0 + ($1["open"] as? Int ?? 0) + ($1["active"] as? Int ?? 0) + ($1["closed"] as? Int ?? 0) } == history.count
            }

            let d = try await WebDriver(windowWidth: 1280, windowHeight: 860)
            func shot(_ name: String) throws {
                try d.screenshot().write(to: out.appendingPathComponent("\(name).png"))
            }
            try d.navigate(system.baseURL + "/")
            try shot("entry")

            try await BrowserTests.enter(d, system, as: "customer", name: "Ada Student")
            try d.navigate(system.baseURL + "/tickets/new")
            try d.type("#new-description", "   ")
            try d.type("#new-location", "Physics building, room 0.12")
            try d.click("form[action=\"/tickets\"] button[type=submit]")
            // Best effort: the screenshot is taken either way.
            _ = try? await eventually("the field error on the page", within: .seconds(10)) { ((try? d.pageSource) ?? "").contains("field-error") }
            try shot("new-ticket-error")
            try d.type("#new-description", "The projector in room 0.12 shows no picture from the HDMI cable")
            try d.click("form[action=\"/tickets\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "done=created")
            let id = try #require(BrowserTests.ticketID(try d.currentURL))
            try d.type("#message-body", "The lecture starts at 14:00; any help before then is welcome.")
            try d.click("form[action=\"/tickets/\(id)/messages\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "done=message")
            try shot("ticket-user")

            try await BrowserTests.enter(d, system, as: "agent", name: "Grace Helpdesk")
            try shot("list")
            try d.navigate(system.baseURL + "/tickets/\(id)")
            try d.type("#message-body", "A technician is on the way with a spare adapter.")
            try d.click("form[action=\"/tickets/\(id)/messages\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "done=message")
            try d.click("form[action=\"/tickets/\(id)/status\"] button[type=submit]")
            try await BrowserTests.waitForURL(d, containing: "done=status")
            try shot("ticket-staff")
            try d.navigate(system.baseURL + "/tickets/\(id)#history-h")
            try shot("ticket-history")
            try d.navigate(system.baseURL + "/dashboard")
            try shot("dashboard")
            try d.navigate(system.baseURL + "/dashboard/service-levels")
            try shot("service-levels")
            let origin = system.baseURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try d.navigate(system.baseURL + "/posters?location=Building%20C%2C%20lift%202&origin=" + origin)
            try shot("poster")

            try d.setWindowSize(width: 390, height: 844)
            try d.navigate(system.baseURL + "/tickets")
            try shot("phone-list")
            try d.navigate(system.baseURL + "/tickets/\(id)")
            try shot("phone-ticket")
        }
    }
}
