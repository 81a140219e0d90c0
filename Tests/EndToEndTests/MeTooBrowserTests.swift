import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// "Me too" and a merge (issue 18) in a real headless Chromium against the real processes: the
    /// report form's script offers the same problem while the second reporter writes, the page after
    /// the report offers it without the script, "Me too" counts that browser, and staff merge.
    @Suite struct MeTooBrowserTests {
        @Test(.enabled(if: WebDriver.isAvailable, "chromedriver is not installed at /usr/bin/chromedriver"))
        func meTooThenMerge() async throws {
            let system = try await GatewaySystem()
            let first = try await WebDriver()
            try await BrowserTests.enter(first, system, as: "customer", name: "Ana")
            try first.click("a[href=\"/tickets/new\"]")
            try first.type("#new-description", "The lift is stuck on floor 3")
            try first.type("#new-location", "Building C, lift 2")
            try first.click("form[action=\"/tickets\"] button[type=submit]")
            try await BrowserTests.waitForURL(first, containing: "done=created")
            let original = try #require(BrowserTests.ticketID(try first.currentURL))

            // Another browser: while it writes, the script shows the open ticket at that place.
            let second = try await WebDriver()
            try await BrowserTests.enter(second, system, as: "customer", name: "Ben")
            try second.click("a[href=\"/tickets/new\"]")
            try second.type("#new-location", "Building C, lift 2")
            try second.type("#new-description", "Lift stuck again")
            try await eventually("the script to offer ticket \(original)") {
                ((try? second.text("#similar-live")) ?? "").contains("#\(original) The lift is stuck on floor 3")
            }
            #expect(try second.findAll("#similar-live button.me-too").count == 1)
            // The script's "Me too" follows and opens the ticket followed.
            try second.click("#similar-live button.me-too")
            try await BrowserTests.waitForURL(second, containing: "/tickets/\(original)?done=followed")
            #expect(try second.text("#affected").hasPrefix("2 people"))
            // Reporting anyway: the page after it offers the same ticket (no script needed); a
            // second "Me too" from this browser counts once.
            try second.navigate(system.baseURL + "/tickets/new")
            try second.type("#new-location", "Building C, lift 2")
            try second.type("#new-description", "Lift stuck again")
            try second.click("form[action=\"/tickets\"] > button[type=submit]")
            try await BrowserTests.waitForURL(second, containing: "done=created")
            let duplicate = try #require(BrowserTests.ticketID(try second.currentURL))
            #expect(try second.pageSource.contains("Probably the same problem"))
            try second.click("#similar-\(original) form.me-too button[type=submit]")
            try await BrowserTests.waitForURL(second, containing: "done=followed")
            #expect(try second.pageSource.contains("you are now counted among the people this problem affects"))

            // Staff merge the duplicate from its page and land on the survivor: two people affected.
            try await BrowserTests.enter(second, system, as: "agent", name: "Pat")
            try second.navigate(system.baseURL + "/tickets/\(duplicate)")
            try second.type("#merge-into", String(original))
            try second.click("form[action=\"/tickets/\(duplicate)/merge\"] button[type=submit]")
            try await BrowserTests.waitForURL(second, containing: "/tickets/\(original)?done=merged")
            #expect(try second.text("#affected").hasPrefix("2 people"))
            try second.navigate(system.baseURL + "/tickets/\(duplicate)")
            #expect(try second.text("#merged-into").contains("ticket #\(original)"))
        }
    }
}
