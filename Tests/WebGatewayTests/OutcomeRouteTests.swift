import Foundation
import Domain
import HTTPServer
import Testing
@testable import WebGateway

/// Issue 20, findings 1 and 6 through the gateway: the reporter reads the outcome of their own
/// closed ticket (read-only, the whole conversation) and nobody else's; closing asks first; a
/// closed ticket is reopened with a reason by the roles the desk allows, and the reason is in the history.
@Suite struct OutcomeRouteTests {
    static let answer = "The HDMI cable was replaced, reply here if it happens again."

    /// The ticket number in a `/tickets/N?done=...` redirect.
    static func ticketID(_ r: HTTPResponse) throws -> Int64 {
        let location = try #require(r.headers["Location"])
        let digits = location.dropFirst("/tickets/".count).prefix { $0.isNumber }
        return try #require(Int64(digits))
    }

    // MARK: - The campus desk

    @Test("campus desk: the browser that reported a ticket reads it closed with staff's last answer, read-only; another browser gets 404")
    func campusReporterReadsOwnClosedTicket() async throws {
        let world = try AccountsWorld(authMode: .open)
        var reporter = Browser(world.gateway)
        await reporter.enter(as: .customer, name: "Ana")
        _ = await reporter.get("/tickets/new")
        let filed = await reporter.post("/tickets", [("description", "The projector in room 4 shows no picture"), ("location", "Room 4")])
        #expect(filed.status == .seeOther)
        let id = try Self.ticketID(filed)

        var staff = Browser(world.gateway)
        await staff.enter(as: .agent, name: "Pat")
        _ = await staff.get("/tickets/\(id)")
        #expect(await staff.post("/tickets/\(id)/status", [("status", "active"), ("request_id", "s1")]).status == .seeOther)
        _ = await staff.get("/tickets/\(id)")
        #expect(await staff.post("/tickets/\(id)/messages", [("body", Self.answer), ("request_id", "m1")]).status == .seeOther)
        _ = await staff.get("/tickets/\(id)")
        #expect(await staff.post("/tickets/\(id)/status", [("status", "closed"), ("confirm", "yes"), ("request_id", "s2")]).status == .seeOther)
        #expect(try await world.reader.detail(TicketID(id))?.ticket.status == .closed)

        let page = await reporter.get("/tickets/\(id)")
        #expect(page.status == .ok, "\(page.text)")
        #expect(page.text.contains(Self.answer))
        #expect(page.text.contains("This ticket is closed"))
        #expect(page.text.contains("href=\"/tickets/new\">report it again</a>"))
        #expect(!page.text.contains("action=\"/tickets/\(id)/messages\""), "no new message on a closed ticket")
        #expect(!page.text.contains("action=\"/tickets/\(id)/edit\""), "no edit on a closed ticket")
        #expect(!page.text.contains("action=\"/tickets/\(id)/status\""), "no reopen for a simple user")
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        // The same browser in another role or name is still the browser that reported it.
        _ = await reporter.post("/session", [("role", "customer"), ("name", "Someone else")])
        #expect(await reporter.get("/tickets/\(id)").status == .ok)
        // Sending a message anyway: the worker's rule, said on the page.
        let sent = await reporter.post("/tickets/\(id)/messages", [("body", "It is broken again"), ("request_id", "r1")])
        #expect(sent.status == .conflict)
        #expect(sent.text.contains("The ticket is closed"))

        // The list has no closed tickets, but names this browser's closed reports.
        let list = await reporter.get("/tickets")
        #expect(list.text.contains("<h2 id=\"closed-reports-h\">Your closed reports</h2>"))
        #expect(list.text.contains("<li><a href=\"/tickets/\(id)\">#\(id) The projector in room 4 shows no picture</a>"))
        #expect(HTMLCheck.problems(list.text).isEmpty, "\(HTMLCheck.problems(list.text))")

        var other = Browser(world.gateway)
        await other.enter(as: .customer, name: "Ana")
        #expect(!(await other.get("/tickets").text.contains("closed-reports-h")))
        let hidden = await other.get("/tickets/\(id)")
        #expect(hidden.status == .notFound)
        #expect(!hidden.text.contains(Self.answer))
        let before = await world.worker.receivedCount
        let write = await other.post("/tickets/\(id)/messages", [("body", "Hello?"), ("request_id", "o1")])
        #expect(write.status == .notFound)
        #expect(await world.worker.receivedCount == before, "nothing sent for a ticket the browser may not see")
        #expect(try await world.reader.detail(TicketID(id))?.messages.count == 1)
    }

    @Test("campus API: the reporter key of the report reads the closed ticket; another key, none, or a bad one does not")
    func campusReporterKeyInTheAPI() async throws {
        let world = try AccountsWorld(authMode: .open)
        let api = APIClient(world.gateway)
        let key = "7b0c2f4e-58d1-4c1e-9a63-2f1b9d0e4a77", otherKey = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"
        let created = await api.call("POST", "/api/tickets", json: #"{"description": "Printer on floor 2 jams"}"#,
                                     headers: [("X-CampusDesk-Reporter-Key", key)])
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.json?["id"] as? Int)
        let staff: [(String, String)] = [("X-CampusDesk-Role", "agent")]
        #expect(await api.call("PUT", "/api/tickets/\(id)/status", json: #"{"status": "active"}"#, headers: staff).status == .ok)
        #expect(await api.call("POST", "/api/tickets/\(id)/messages", json: #"{"body": "\#(Self.answer)"}"#, headers: staff).status == .created)
        #expect(await api.call("PUT", "/api/tickets/\(id)/status", json: #"{"status": "closed"}"#, headers: staff).status == .ok)

        let own = await api.call("GET", "/api/tickets/\(id)", headers: [("X-CampusDesk-Reporter-Key", key)])
        #expect(own.status == .ok, "\(own.text)")
        #expect(own.json?["status"] as? String == "closed")
        let messages = try #require(own.json?["messages"] as? [[String: Any]])
        #expect(messages.last?["body"] as? String == Self.answer && messages.last?["author_role"] as? String == "agent")

        for headers in [[("X-CampusDesk-Reporter-Key", otherKey)], []] {
            let r = await api.call("GET", "/api/tickets/\(id)", headers: headers)
            #expect(r.status == .notFound)
            #expect(!r.text.contains(Self.answer))
            #expect(await api.call("POST", "/api/tickets/\(id)/messages", json: #"{"body": "again"}"#, headers: headers).status == .notFound)
            #expect(await api.call("PATCH", "/api/tickets/\(id)", json: #"{"location": "x"}"#, headers: headers).status == .notFound)
        }
        #expect(await api.call("GET", "/api/tickets/\(id)/history", headers: [("X-CampusDesk-Reporter-Key", key)]).status == .forbidden)
        // The reporter's own closed ticket is read-only: a clear 409, nothing stored.
        let again = await api.call("POST", "/api/tickets/\(id)/messages", json: #"{"body": "again"}"#, headers: [("X-CampusDesk-Reporter-Key", key)])
        #expect(again.status == .conflict && again.json?["code"] as? String == "read_only")
        #expect(await api.call("GET", "/api/tickets/\(id)", headers: [("X-CampusDesk-Reporter-Key", "short")]).status == .badRequest)
    }

    @Test("closing asks first: without the ticked box nothing is sent and the ticket stays active; the form has a required checkbox")
    func closingAsksFirst() async throws {
        let world = try AccountsWorld(authMode: .open)
        let t = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "Heating off in hall C"))).ticket)
        try await world.apply(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        var staff = Browser(world.gateway)
        await staff.enter(as: .agent)
        let page = await staff.get("/tickets/\(t.id)")
        #expect(page.text.contains("<input type=\"checkbox\" id=\"status-confirm\" name=\"confirm\" value=\"yes\" required>"))
        #expect(page.text.contains("<label for=\"status-confirm\">Yes, close this ticket"))
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")

        let before = await world.worker.receivedCount
        for fields in [[("status", "closed"), ("request_id", "c1")], [("status", "closed"), ("confirm", ""), ("request_id", "c2")]] {
            let r = await staff.post("/tickets/\(t.id)/status", fields)
            #expect(r.status == .unprocessableContent)
            #expect(r.text.contains("id=\"status-confirm-error\" role=\"alert\">Nothing was changed"))
            #expect(r.text.contains("aria-invalid=\"true\""))
        }
        #expect(await world.worker.receivedCount == before, "no command without confirmation")
        #expect(try await world.reader.detail(t.id)?.ticket.status == .active)

        let closed = await staff.post("/tickets/\(t.id)/status", [("status", "closed"), ("confirm", "yes"), ("request_id", "c3")])
        #expect(closed.status == .seeOther)
        #expect(try await world.reader.detail(t.id)?.ticket.status == .closed)
    }

    @Test("campus desk: helpdesk staff reopen with a reason (none: 422, nothing sent); the page's history shows it")
    func campusStaffReopen() async throws {
        let world = try AccountsWorld(authMode: .open)
        let t = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "No Wi-Fi in the library"))).ticket)
        try await world.apply(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        try await world.apply(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        var staff = Browser(world.gateway)
        await staff.enter(as: .agent, name: "Pat")
        let page = await staff.get("/tickets/\(t.id)")
        #expect(page.text.contains("<h3>Reopen this ticket</h3>"))
        #expect(page.text.contains("id=\"reopen-reason\" name=\"reason\" required data-limit=\"500\""))
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")

        let before = await world.worker.receivedCount
        let blank = await staff.post("/tickets/\(t.id)/status", [("status", "active"), ("reason", "  "), ("request_id", "o1")])
        #expect(blank.status == .conflict)
        #expect(blank.text.contains("id=\"reopen-reason-error\" role=\"alert\">Say why the ticket is reopened"))
        #expect(await world.worker.receivedCount == before)

        let reopened = await staff.post("/tickets/\(t.id)/status", [("status", "active"), ("reason", "Still no Wi-Fi on floor 2"), ("request_id", "o2")])
        #expect(reopened.status == .seeOther)
        #expect(reopened.headers["Location"] == "/tickets/\(t.id)?done=reopened")
        #expect(try await world.reader.detail(t.id)?.ticket.status == .active)
        let after = await staff.get("/tickets/\(t.id)?done=reopened")
        #expect(after.text.contains("The ticket was reopened"))
        #expect(after.text.contains("<strong>Pat</strong> (Agent, web): status <em>Closed</em> → <em>Active</em> <span class=\"reason\">(reopened: Still no Wi-Fi on floor 2)</span>"))
        // A simple user may not reopen.
        var user = Browser(world.gateway)
        await user.enter(as: .customer)
        #expect(await user.post("/tickets/\(t.id)/status", [("status", "active"), ("reason", "x"), ("request_id", "u1")]).status == .forbidden)
    }

    // MARK: - The network desk

    @Test("network desk: a customer reads their own closed ticket (web and API) with the last answer; another customer gets 404")
    func accountsReporterReadsOwnClosedTicket() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), di = try await world.account("Di", .customer)
        let ada = try await world.account("Ada", .agent)
        let t = try await world.ticket(by: cy)
        try await world.apply(ada.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        try await world.apply(ada.actor, .postMessage(PostMessage(ticketID: t.id, body: Self.answer, authorName: "Ada")))
        try await world.apply(ada.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))

        var own = await Browser.signedIn(world, cy)
        let page = await own.get("/tickets/\(t.id)")
        #expect(page.status == .ok)
        #expect(page.text.contains(Self.answer) && page.text.contains("This ticket is closed"))
        #expect(!page.text.contains("action=\"/tickets/\(t.id)/messages\"") && !page.text.contains("action=\"/tickets/\(t.id)/edit\""))
        let api = try await APIClient.signedIn(world.gateway, cy)
        let read = await api.call("GET", "/api/tickets/\(t.id)")
        #expect(read.status == .ok)
        #expect((read.json?["messages"] as? [[String: Any]])?.last?["body"] as? String == Self.answer)

        var other = await Browser.signedIn(world, di)
        #expect(await other.get("/tickets/\(t.id)").status == .notFound)
        let otherAPI = try await APIClient.signedIn(world.gateway, di)
        #expect(await otherAPI.call("GET", "/api/tickets/\(t.id)").status == .notFound)
        #expect(await otherAPI.call("POST", "/api/tickets/\(t.id)/messages", json: #"{"body": "hi"}"#).status == .notFound)
    }

    @Test("network desk API: reopen is a manager's or an admin's, with a reason; agents and engineers 403 before anything is sent; in the history")
    func accountsReopenThroughTheAPI() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let eve = try await world.account("Eve", .engineer), max = try await world.account("Max", .manager)
        let t = try await world.ticket(by: cy, assignedTo: eve)
        try await world.apply(eve.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        try await world.apply(eve.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        let path = "/api/tickets/\(t.id)/status"
        let body = #"{"status": "active", "reason": "The cable failed again"}"#

        let clients = [try await APIClient.signedIn(world.gateway, ada), try await APIClient.signedIn(world.gateway, eve),
                       try await APIClient.signedIn(world.gateway, cy)]
        let manager = try await APIClient.signedIn(world.gateway, max)
        let before = await world.worker.receivedCount
        for (user, client) in zip([ada, eve, cy], clients) {
            let r = await client.call("PUT", path, json: body)
            #expect(r.status == .forbidden, "\(user.role): \(r.text)")
            #expect(r.json?["code"] as? String == "forbidden")
        }
        #expect(await world.worker.receivedCount == before, "the gateway refused them without a command")

        for bad in [#"{"status": "active"}"#, #"{"status": "active", "reason": ""}"#, #"{"status": "active", "reason": " "}"#] {
            let r = await manager.call("PUT", path, json: bad)
            #expect(r.status == .conflict, "\(bad): \(r.text)")
            #expect(r.json?["code"] as? String == "invalid_transition" && r.json?["field"] as? String == "reason")
            #expect((r.json?["detail"] as? String)?.contains("reopened only with a reason") == true)
        }
        let long = await manager.call("PUT", path, json: #"{"status": "active", "reason": "\#(String(repeating: "r", count: 501))"}"#)
        #expect(long.status == .unprocessableContent)
        // 300 characters, 600 code points: over the document's maxLength, which counts code points.
        let marks = await manager.call("PUT", path, json: #"{"status": "active", "reason": "\#(String(repeating: #"e\u0301"#, count: 300))"}"#)
        #expect(marks.status == .unprocessableContent, "\(marks.text)")
        let toOpen = await manager.call("PUT", path, json: #"{"status": "open", "reason": "x"}"#)
        #expect(toOpen.status == .conflict && toOpen.json?["code"] as? String == "invalid_transition")
        #expect(await manager.call("PUT", path, json: #"{"status": "active", "reason": null}"#).status == .unprocessableContent)
        #expect(await world.worker.receivedCount == before)

        let done = await manager.call("PUT", path, json: body)
        #expect(done.status == .ok, "\(done.text)")
        #expect(done.json?["status"] as? String == "active" && done.json?["closed_at"] is NSNull)
        let history = await manager.call("GET", "/api/tickets/\(t.id)/history")
        let rows = try #require(history.json?["history"] as? [[String: Any]])
        let last = try #require(rows.last)
        #expect(last["field"] as? String == "status" && last["old_value"] as? String == "closed" && last["new_value"] as? String == "active")
        #expect(last["reason"] as? String == "The cable failed again" && last["actor_name"] as? String == "Max" && last["actor_role"] as? String == "manager")
        #expect(rows.dropLast().allSatisfy { $0["reason"] is NSNull }, "every row has the member, null without a reason")
    }
}
