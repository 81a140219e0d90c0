import Domain
import Foundation
import HTTPServer
import Logging
import ServiceLifecycle
import SpoolBroker
import Testing
import TestSupport
import TicketStore
@testable import WebGateway

/// Issue 20, finding 7: every outcome names what changed, errors take focus, a form's address is
/// never a dead end, the queued page links to what it concerns, and limits show before they bite.
@Suite struct FeedbackTests {
    /// A staff browser on a world with one ticket (#1); the path of that ticket.
    static func staffOnATicket(_ world: World) async throws -> Browser {
        var user = Browser(world.gateway())
        await user.enter(as: .customer, name: "Ada")
        _ = await user.get("/tickets/new")
        #expect(await user.post("/tickets", [("description", "The heating in B12 is off"), ("request_id", "r1")]).headers["Location"] == "/tickets/1?done=created")
        var staff = Browser(world.gateway())
        await staff.enter(as: .agent, name: "Grace")
        _ = await staff.get("/tickets/1")
        return staff
    }

    @Test("the notice after a change says what the ticket is now")
    func outcomesNameTheChange() async throws {
        let world = World()
        var b = try await Self.staffOnATicket(world)
        let status = await b.post("/tickets/1/status", [("status", "active"), ("request_id", "s1")])
        #expect(status.headers["Location"] == "/tickets/1?done=status")
        #expect(await b.get("/tickets/1?done=status").text.contains("The ticket is now active."))
        #expect(await b.post("/tickets/1/category", [("category", "services"), ("request_id", "c1")]).status == .seeOther)
        #expect(await b.get("/tickets/1?done=category").text.contains("The category is now Services."))
        #expect(await b.get("/tickets/1?done=assigned").text.contains("The ticket is now unassigned."))
        // An unknown `done` shows nothing made up.
        #expect(!(await b.get("/tickets/1?done=bogus").text.contains("class=\"flash")))
    }

    @Test("a refused field takes focus, and so does a form-wide error")
    func errorsTakeFocus() async throws {
        let world = World()
        var b = try await Self.staffOnATicket(world)
        let blank = await b.post("/tickets/1/messages", [("body", "   "), ("request_id", "m1")])
        #expect(blank.status == .unprocessableContent || blank.status.code == 422)
        #expect(blank.text.contains("id=\"message-body\" name=\"body\" required data-limit=\"5000\" data-count=\"message-body-count\" aria-describedby=\"message-body-hint message-body-error\" aria-invalid=\"true\" autofocus"),
                "\(blank.text)")
        // Only the refused field takes focus.
        #expect(blank.text.components(separatedBy: " autofocus").count == 2)
        var state = FormState()
        state.general = "Nothing was saved."
        var h = HTMLBuffer(capacity: 256)
        Field.general(state, into: &h)
        #expect(String(decoding: h.bytes, as: UTF8.self).contains("role=\"alert\" tabindex=\"-1\" autofocus"))
    }

    @Test("a form's address opened as a page leads to the ticket, not to 405")
    func formAddressesRedirect() async throws {
        let world = World()
        var b = try await Self.staffOnATicket(world)
        for form in ["edit", "status", "messages", "category", "issue-type", "triage", "assign"] {
            let r = await b.get("/tickets/1/\(form)")
            #expect(r.status == .seeOther && r.headers["Location"] == "/tickets/1", "\(form): \(r.status)")
        }
        #expect(await b.get("/tickets/x/messages").status == .notFound)
        #expect(await b.get("/session").headers["Location"] == "/")
    }

    @Test("a long text field says its limit and counts instead of cutting a paste; over the limit is refused with the text kept")
    func limitsShowBeforeTheyBite() async throws {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer, name: "Ada")
        let form = await b.get("/tickets/new")
        #expect(form.text.contains("Up to 5,000 characters."))
        #expect(form.text.contains("data-limit=\"5000\""))
        #expect(!form.text.contains("maxlength=\"5000\""), "a maxlength cuts a long paste without a word")
        #expect(form.text.contains("<script src=\"/static/forms.js\" defer></script>"))
        let script = await b.get("/static/forms.js")
        #expect(script.status == .ok && script.headers["Content-Type"]?.hasPrefix("text/javascript") == true)
        let pasted = String(repeating: "the lift is stuck again ", count: 834)  // 20,016 characters
        let refused = await b.post("/tickets", [("description", pasted), ("request_id", "r1")])
        #expect(refused.status.code == 422)
        #expect(refused.text.contains("at most 5000 characters"), "\(refused.text.prefix(200))")
        #expect(refused.text.contains(String(pasted.prefix(2_000))), "the text is kept")
        #expect(try await world.reader.counts()[.open] == 0)
        #expect(Field.grouped(5_000) == "5,000" && Field.grouped(200) == "200" && Field.grouped(1_234_567) == "1,234,567")
    }

    @Test("queued: the page names the ticket a change concerns and links to it")
    func queuedPageLinksToTheTicket() async throws {
        let world = try SpoolWorld()
        try await world.seedTicket("The heating is off in B12")
        let gateway = try world.gateway()
        var b = Browser(gateway)
        await b.enter(as: .customer, name: "Ada")
        _ = await b.get("/tickets/1")
        let message = await b.post("/tickets/1/messages", [("body", "Still cold."), ("request_id", "m1")])
        #expect(message.status == .accepted)
        #expect(message.text.contains("your message will appear under ticket #1 shortly"))
        #expect(message.text.contains("<a href=\"/tickets/1\">Back to ticket #1</a>"))
        _ = await b.get("/tickets/new")
        let report = await b.post("/tickets", [("description", "The door of B12 sticks"), ("request_id", "r2")])
        #expect(report.status == .accepted)
        #expect(report.text.contains("your report will be filed shortly"))
    }
}
