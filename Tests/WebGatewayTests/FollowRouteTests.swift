import Foundation
import Domain
import HTTPServer
import Testing
@testable import WebGateway

/// "Me too" and merges through the gateway (issue 18): the page after a report offers the open
/// tickets that are probably the same problem with a "Me too" form each; staff merge a duplicate
/// from the ticket page; the API's follow, merge and similar routes by role on both desks.
@Suite struct FollowRouteTests {
    @Test("campus desk: after a report the page offers the same problem; Me too counts the browser once; staff merge the duplicate")
    func campusMeTooAndMerge() async throws {
        let world = try AccountsWorld(authMode: .open)
        var first = Browser(world.gateway)
        await first.enter(as: .customer, name: "Ana")
        _ = await first.get("/tickets/new")
        let filed = await first.post("/tickets", [("description", "The lift is stuck on floor 3"), ("location", "Building C, lift 2")])
        let original = try OutcomeRouteTests.ticketID(filed)
        // The reporter sees the count, and no "Me too" on their own report.
        let own = await first.get("/tickets/\(original)")
        #expect(own.text.contains("<p id=\"affected\">1 person reported this problem.</p>"))
        #expect(!own.text.contains("action=\"/tickets/\(original)/follow\""))

        var second = Browser(world.gateway)
        await second.enter(as: .customer, name: "Ben")
        _ = await second.get("/tickets/new")
        let dup = await second.post("/tickets", [("description", "Lift does not move <b>at all</b>"), ("location", "building c lift 2")])
        let duplicate = try OutcomeRouteTests.ticketID(dup)
        let after = await second.get("/tickets/\(duplicate)?done=created")
        #expect(after.text.contains("Probably the same problem"))
        #expect(after.text.contains("action=\"/tickets/\(original)/follow\""))
        #expect(after.text.contains("<input type=\"hidden\" name=\"back\" value=\"\(duplicate)\">"))
        #expect(!after.text.contains("<b>at all</b>"), "the description is escaped")
        #expect(HTMLCheck.problems(after.text).isEmpty, "\(HTMLCheck.problems(after.text))")
        // Without a CSRF token nothing happens.
        #expect(await second.post("/tickets/\(original)/follow", [("back", "\(duplicate)")], token: .some(nil)).status == .forbidden)
        let followed = await second.post("/tickets/\(original)/follow", [("back", "\(duplicate)"), ("request_id", "f1")])
        #expect(followed.status == .seeOther && followed.headers["Location"] == "/tickets/\(duplicate)?done=followed")
        _ = await second.get("/tickets/\(duplicate)")
        _ = await second.post("/tickets/\(original)/follow", [("request_id", "f2")])
        #expect(try await world.reader.detail(TicketID(original))?.ticket.affected == 2, "following twice counts once")

        // A simple user has no merge form and is refused; staff merge.
        #expect(!after.text.contains("/merge\""))
        _ = await second.get("/tickets/\(duplicate)")
        #expect(await second.post("/tickets/\(duplicate)/merge", [("into", "\(original)"), ("request_id", "m0")]).status == .forbidden)
        var staff = Browser(world.gateway)
        await staff.enter(as: .agent, name: "Pat")
        let page = await staff.get("/tickets/\(duplicate)")
        #expect(page.text.contains("action=\"/tickets/\(duplicate)/merge\""))
        let itself = await staff.post("/tickets/\(duplicate)/merge", [("into", "\(duplicate)"), ("request_id", "m1")])
        #expect(itself.status == .unprocessableContent && itself.text.contains("A ticket cannot be merged into itself."))
        _ = await staff.get("/tickets/\(duplicate)")
        let merged = await staff.post("/tickets/\(duplicate)/merge", [("into", "\(original)"), ("request_id", "m2")])
        #expect(merged.status == .seeOther && merged.headers["Location"] == "/tickets/\(original)?done=merged")
        let survivor = await staff.get("/tickets/\(original)?done=merged")
        #expect(survivor.text.contains("<p id=\"affected\">2 people have this problem"), "Ben followed already: the merge counts him once")
        #expect(survivor.text.contains("The duplicate was merged into this ticket and closed."))
        let closed = await staff.get("/tickets/\(duplicate)")
        #expect(closed.text.contains("This report was merged into <a href=\"/tickets/\(original)\">ticket #\(original)</a>"))
        #expect(closed.text.contains("merged into ticket"), "the history shows it")
    }

    @Test("API on the network desk: any customer follows (a summary, no contact); merge is for who may triage; similar lists the open one")
    func networkDeskAPI() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), dee = try await world.account("Dee", .customer)
        let t = try await world.ticket(by: cy, "Lift 2 in building C is stuck")
        let other = try await world.ticket(by: cy, "The lift is stuck again")
        let deeClient = try await APIClient.signedIn(world.gateway, dee)
        let r = await deeClient.call("POST", "/api/tickets/\(t.id)/follow")
        #expect(r.status == .ok, "\(r.text)")
        #expect(r.json?["affected"] as? Int == 2 && r.json?["contact_email"] == nil && r.json?["reporter"] == nil)
        #expect(await deeClient.call("POST", "/api/tickets/99/follow").status == .notFound)
        #expect(await deeClient.call("GET", "/api/tickets/\(t.id)").status == .notFound, "following does not open the ticket to her")
        for (role, want) in [(Role.customer, 403), (.engineer, 403), (.agent, 200)] {
            let user = role == .customer ? dee : try await world.account("A-\(role.rawValue)", role)
            let client = try await APIClient.signedIn(world.gateway, user)
            let m = await client.call("POST", "/api/tickets/\(other.id)/merge", json: "{\"into\": \(t.id)}")
            #expect(m.status.code == want, "\(role): \(m.text)")
            if want == 200 { #expect(m.json?["merged_into"] as? Int == Int(t.id.rawValue) && m.json?["status"] as? String == "closed") }
        }
        let similar = await deeClient.call("GET", "/api/tickets/similar?location=&text=lift")
        #expect(similar.status == .ok && (similar.json?["tickets"] as? [Any])?.isEmpty == true)
        #expect(await deeClient.call("GET", "/api/tickets/similar?exclude=x").status == .badRequest)
    }

    @Test("network desk pages: the form script's JSON lists the same problem; Me too on another customer's ticket lands on the list")
    func networkDeskPages() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), dee = try await world.account("Dee", .customer)
        let t = try #require(try await world.apply(cy.actor, .createTicket(CreateTicket(description: "Lift 2 is stuck", location: "Building C, lift 2"))).ticket)
        var b = await Browser.signedIn(world, dee)
        let form = await b.get("/tickets/new")
        #expect(form.text.contains("id=\"new-location\"") && form.text.contains("id=\"new-description\""), "the ids forms.js reads")
        let json = await b.get("/tickets/similar?location=building+c+lift+2&text=the+lift+is+stuck")
        #expect(json.status == .ok && json.headers["Content-Type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        let tickets = try #require(body["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["id"] as? Int } == [Int(t.id.rawValue)] && tickets.first?["contact_email"] == nil)
        let followed = await b.post("/tickets/\(t.id)/follow", [("request_id", "f1")])
        #expect(followed.status == .seeOther && followed.headers["Location"] == "/tickets?done=followed")
        #expect(try await world.reader.detail(t.id)?.ticket.affected == 2)
        let script = await b.get("/static/forms.js")
        #expect(String(decoding: script.body, as: UTF8.self).contains("/tickets/similar?"))
    }
}
