import Domain
import HTTPServer
import Testing
@testable import WebGateway

/// The campus desk's staff directory (`CAMPUSDESK_AUTH=open`): helpdesk staff pick themselves on
/// the entry page, act under their own name and role, and find what is assigned to them. The
/// directory's people are accounts the operator made (`campusdesk users add --no-password`).
@Suite struct StaffDirectoryTests {
    /// A campus desk with a directory of an agent, two engineers, a manager, an admin (not listed)
    /// and a deactivated engineer (not listed).
    struct Campus {
        let world: AccountsWorld
        let ana: User, eve: User, fay: User, max: User, root: User, gone: User

        init() async throws {
            world = try AccountsWorld(authMode: .open)
            ana = try await world.account("Ana", .agent)
            eve = try await world.account("Eve", .engineer)
            fay = try await world.account("Fay", .engineer)
            max = try await world.account("Max", .manager)
            root = try await world.account("Root", .admin)
            gone = try await world.account("Gus", .engineer)
            try await world.apply(Actor(role: .admin), .updateUser(UpdateUser(userID: gone.id, active: false)))
        }

        /// A browser that entered as helpdesk staff, as `person` when given.
        func enter(as person: User?) async -> (Browser, HTTPResponse) {
            var b = Browser(world.gateway)
            _ = await b.get("/")
            let r = await b.post("/session", [("role", "agent"), ("name", ""), ("staff_id", person.map { String($0.id.rawValue) } ?? "")])
            return (b, r)
        }
    }

    @Test("the entry page lists active agents, engineers and managers by name, not admins or deactivated people")
    func directoryOnEntryPage() async throws {
        let c = try await Campus()
        var b = Browser(c.world.gateway)
        let page = await b.get("/")
        #expect(page.status == .ok)
        for (person, label) in [(c.ana, "Agent"), (c.eve, "Engineer"), (c.fay, "Engineer"), (c.max, "Manager")] {
            #expect(page.text.contains("<option value=\"\(person.id.rawValue)\">\(person.name) (\(label))</option>"), "\(person.name) listed")
        }
        #expect(!page.text.contains(">Root ("))
        #expect(!page.text.contains(">Gus ("))
        #expect(page.text.contains("<option value=\"\" selected>Nobody in particular</option>"))
    }

    @Test("without a directory the entry page has no staff menu and tickets show no assignment")
    func noDirectory() async throws {
        let world = try AccountsWorld(authMode: .open)
        let t = try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "The elevator in block C is stuck"))).ticket)
        var b = Browser(world.gateway)
        #expect(!(await b.get("/")).text.contains("staff_id"))
        _ = await b.post("/session", [("role", "agent"), ("name", "Pat")])
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.status == .ok)
        #expect(!page.text.contains("Assigned to"))
        #expect(!page.text.contains("/assign"))
    }

    @Test("an engineer who picks themselves acts in their own role and name, lands on and finds \"Assigned to me\"")
    func engineerPicksThemselves() async throws {
        let c = try await Campus()
        let reporter = Actor(role: .customer)
        let mine = try #require(try await c.world.apply(reporter, .createTicket(CreateTicket(description: "No Wi-Fi in the library reading room"))).ticket)
        let other = try #require(try await c.world.apply(reporter, .createTicket(CreateTicket(description: "The canteen soup was cold"))).ticket)
        try await c.world.apply(Actor(role: .agent), .assignTicket(AssignTicket(ticketID: mine.id, assigneeID: c.eve.id)))
        var (b, entered) = await c.enter(as: c.eve)
        #expect(entered.status == .seeOther)
        #expect(entered.headers["Location"] == "/tickets?assignee_id=\(c.eve.id.rawValue)")
        #expect(b.cookies["cd_staff"] == String(c.eve.id.rawValue))
        let list = await b.get("/tickets?assignee_id=\(c.eve.id.rawValue)")
        #expect(list.text.contains("<a href=\"/tickets?assignee_id=\(c.eve.id.rawValue)\">Assigned to me</a>"))
        #expect(list.text.contains("Acting as <strong>Eve</strong> (Engineer)"))
        #expect(list.text.contains("<td>#\(mine.id)</td>"))
        #expect(!list.text.contains("<td>#\(other.id)</td>"))

        // Engineers work what is assigned to them: a status change there is applied …
        let page = await b.get("/tickets/\(mine.id)")
        #expect(page.text.contains("<dt>Assigned to</dt><dd>Eve</dd>"))
        #expect(await b.post("/tickets/\(mine.id)/status", [("status", "active"), ("request_id", "s1")]).status == .seeOther)
        #expect(try await c.world.reader.detail(mine.id)?.ticket.status == .active)
        // … on someone else's it is refused, as for an engineer on the network desk.
        _ = await b.get("/tickets/\(other.id)")
        #expect(await b.post("/tickets/\(other.id)/status", [("status", "active"), ("request_id", "s2")]).status == .forbidden)
        #expect(try await c.world.reader.detail(other.id)?.ticket.status == .open)
        // Messages carry the person's name and role.
        #expect(await b.post("/tickets/\(mine.id)/messages", [("body", "On my way with a new access point."), ("request_id", "m1")]).status == .seeOther)
        let thread = try #require(try await c.world.reader.detail(mine.id)).messages
        #expect(thread.last?.authorName == "Eve")
        #expect(thread.last?.authorRole == .engineer)
    }

    @Test("an agent from the directory assigns a ticket to an engineer chosen by name and load")
    func agentAssigns() async throws {
        let c = try await Campus()
        let t = try #require(try await c.world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "Broken window in room B12"))).ticket)
        var (b, entered) = await c.enter(as: c.ana)
        #expect(entered.headers["Location"] == "/tickets?status=open")
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<option value=\"\(c.fay.id.rawValue)\">Fay (0 open)</option>"))
        #expect(!page.text.contains(">Gus ("))
        #expect(await b.post("/tickets/\(t.id)/assign", [("assignee_id", String(c.fay.id.rawValue)), ("request_id", "a1")]).status == .seeOther)
        #expect(try await c.world.reader.detail(t.id)?.ticket.assigneeID == c.fay.id)
    }

    @Test("staff without a name tag still assign (the campus desk trusts its entry page)")
    func anonymousStaffAssigns() async throws {
        let c = try await Campus()
        let t = try #require(try await c.world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "Heating off in the gym"))).ticket)
        var (b, _) = await c.enter(as: nil)
        #expect(b.cookies["cd_staff"] == nil)
        let list = await b.get("/tickets")
        #expect(!list.text.contains("Assigned to me"))
        _ = await b.get("/tickets/\(t.id)")
        #expect(await b.post("/tickets/\(t.id)/assign", [("assignee_id", String(c.eve.id.rawValue)), ("request_id", "a1")]).status == .seeOther)
        #expect(try await c.world.reader.detail(t.id)?.ticket.assigneeID == c.eve.id)
    }

    @Test("picking refuses a simple user, an admin, a deactivated or unknown person and a malformed number, with the reason beside the menu",
          arguments: ["customer", "admin", "gone", "unknown", "malformed"])
    func pickingRefused(_ kind: String) async throws {
        let c = try await Campus()
        var b = Browser(c.world.gateway)
        _ = await b.get("/")
        let fields: [(String, String)] = switch kind {
        case "customer": [("role", "customer"), ("staff_id", String(c.eve.id.rawValue))]
        case "admin": [("role", "agent"), ("staff_id", String(c.root.id.rawValue))]
        case "gone": [("role", "agent"), ("staff_id", String(c.gone.id.rawValue))]
        case "unknown": [("role", "agent"), ("staff_id", "987654")]
        default: [("role", "agent"), ("staff_id", "1; DROP TABLE users")]
        }
        let r = await b.post("/session", fields + [("name", "")])
        #expect(r.status == .unprocessableContent, "\(kind): \(r.status)")
        #expect(r.text.contains("id=\"entry-staff_id-error\""), "\(kind): the error is beside the menu")
        #expect(b.cookies["cd_staff"] == nil)
    }

    @Test("a person deactivated after picking acts as staff without a name tag from the next request on")
    func deactivatedAfterPicking() async throws {
        let c = try await Campus()
        var (b, _) = await c.enter(as: c.eve)
        #expect((await b.get("/tickets")).text.contains("Acting as <strong>Eve</strong>"))
        try await c.world.apply(Actor(role: .admin), .updateUser(UpdateUser(userID: c.eve.id, active: false)))
        let after = await b.get("/tickets")
        #expect(!after.text.contains("Acting as <strong>Eve</strong>"))
        #expect(after.text.contains("Acting as <strong>Helpdesk staff</strong>"))
        #expect(!after.text.contains("Assigned to me"))
    }

    @Test("a simple user's cd_staff cookie is ignored: it cannot borrow a staff member's role")
    func customerCannotBorrowIdentity() async throws {
        let c = try await Campus()
        let t = try #require(try await c.world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: "Projector broken in hall 2"))).ticket)
        var b = Browser(c.world.gateway)
        _ = await b.get("/")
        _ = await b.post("/session", [("role", "customer"), ("name", "Sam")])
        b.cookies["cd_staff"] = String(c.max.id.rawValue)
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("Acting as <strong>Simple user</strong>"))
        #expect(await b.post("/tickets/\(t.id)/status", [("status", "active"), ("request_id", "s1")]).status == .forbidden)
        #expect(try await c.world.reader.detail(t.id)?.ticket.status == .open)
    }
}
