import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// The gateway's side of the permission table, cell by cell: for each role, every permission the
/// gateway routes, on a ticket the actor reported, one assigned (to them when they are the
/// engineer), and one of somebody else's; the answer must be what `Permissions` says (success,
/// 403, or 404 for a ticket the role may not even see), and the worker must agree.
@Suite struct PermissionRouteTests {
    /// Who is who in one role's world.
    struct Cast {
        var me: User
        var customer: User
        var engineer: User
        var otherEngineer: User
    }

    static func cast(_ world: AccountsWorld, _ role: Role) async throws -> Cast {
        let me = try await world.account("Me", role)
        return Cast(me: me,
                    customer: try await world.account("Cy", .customer),
                    engineer: role == .engineer ? me : try await world.account("Eve", .engineer),
                    otherEngineer: try await world.account("Fay", .engineer))
    }

    /// The three kinds of ticket each cell is tried on.
    enum Kind: CaseIterable, CustomStringConvertible {
        case reportedByMe, assigned, somebodyElses
        var description: String {
            switch self {
            case .reportedByMe: "reported by the actor"
            case .assigned: "assigned (to the actor if an engineer)"
            case .somebodyElses: "another customer's, unassigned"
            }
        }
    }

    static func ticket(_ kind: Kind, _ world: AccountsWorld, _ cast: Cast) async throws -> Ticket {
        switch kind {
        case .reportedByMe: try await world.ticket(by: cast.me)
        case .assigned: try await world.ticket(by: cast.customer, assignedTo: cast.engineer)
        case .somebodyElses: try await world.ticket(by: cast.customer)
        }
    }

    /// What the table says the gateway answers.
    static func expected(_ actor: Actor, _ permission: Permission, _ parties: TicketParties, success: Int) -> Int {
        if Permissions.reach(actor.role, permission) == .none { return 403 }
        if !Permissions.allows(actor, .viewTicket, on: parties) { return 404 }
        return Permissions.allows(actor, permission, on: parties) ? success : 403
    }

    @Test("API: ticket permissions × ticket kinds", arguments: Role.allCases)
    func ticketCells(_ role: Role) async throws {
        let world = try AccountsWorld()
        let cast = try await Self.cast(world, role)
        let c = try await APIClient.signedIn(world.gateway, cast.me)
        for kind in Kind.allCases {
            // (permission, method, path suffix, body, success status); a fresh ticket each.
            let cells: [(Permission, String, String, String?, Int)] = [
                (.viewTicket, "GET", "", nil, 200),
                (.editTicket, "PATCH", "", #"{"location":"Room 5"}"#, 200),
                (.changeStatus, "POST", "/status", #"{"status":"active"}"#, 200),
                (.postMessage, "POST", "/messages", #"{"body":"Any news?"}"#, 201),
                (.setCategory, "PUT", "/category", #"{"category":"it"}"#, 200),
                (.setCategory, "PUT", "/issue-type", #"{"issue_type_id":8}"#, 200),
            ]
            for (permission, method, suffix, body, success) in cells {
                let t = try await Self.ticket(kind, world, cast)
                let r = await c.call(method, "/api/tickets/\(t.id)\(suffix)", json: body)
                let want = Self.expected(cast.me.actor, permission, t.parties, success: success)
                #expect(r.status.code == want, "\(role) \(permission) on a ticket \(kind): \(r.status.code) \(r.text)")
            }
            // Assigning: an unassigned ticket to an engineer, or (assigned) to another engineer, or back to nobody.
            let t = try await Self.ticket(kind, world, cast)
            if t.assigneeID == nil {
                let r = await c.call("PUT", "/api/tickets/\(t.id)/assign", json: #"{"assignee_id":\#(cast.engineer.id.rawValue)}"#)
                // Assigning, or taking when the engineer is the caller (`take_ticket`).
                let needed = Permissions.assignmentPermission(cast.me.actor, on: t.parties, to: cast.engineer.id)
                #expect(r.status.code == Self.expected(cast.me.actor, needed, t.parties, success: 200), "\(role) assign on \(kind): \(r.text)")
            } else {
                let moved = await c.call("PUT", "/api/tickets/\(t.id)/assign", json: #"{"assignee_id":\#(cast.otherEngineer.id.rawValue)}"#)
                #expect(moved.status.code == Self.expected(cast.me.actor, .reassignTicket, t.parties, success: 200), "\(role) reassign: \(moved.text)")
                let t2 = try await Self.ticket(kind, world, cast)
                let back = await c.call("PUT", "/api/tickets/\(t2.id)/assign", json: #"{"assignee_id":null}"#)
                #expect(back.status.code == Self.expected(cast.me.actor, .assignTicket, t2.parties, success: 200), "\(role) unassign: \(back.text)")
            }
        }
    }

    @Test("API: permissions that are not about one ticket", arguments: Role.allCases)
    func otherCells(_ role: Role) async throws {
        let world = try AccountsWorld()
        let cast = try await Self.cast(world, role)
        let c = try await APIClient.signedIn(world.gateway, cast.me)
        func want(_ p: Permission, _ success: Int) -> Int { Permissions.mayEver(cast.me.actor, p) ? success : 403 }
        let report = await c.call("POST", "/api/tickets", json: #"{"description":"The door is stuck"}"#)
        #expect(report.status.code == want(.reportTicket, 201), "\(role) report: \(report.text)")
        for path in ["/api/analytics/open-tickets", "/api/analytics/resolution-time", "/api/analytics/category-load"] {
            #expect(await c.call("GET", path).status.code == want(.viewDashboard, 200), "\(role) \(path)")
        }
        #expect(await c.call("GET", "/api/analytics/service-levels").status.code == want(.viewServiceLevels, 200), "\(role) service levels")
        #expect(await c.call("GET", "/api/auth/engineers").status.code == want(.listEngineers, 200), "\(role) engineers")
        #expect(await c.call("GET", "/api/users").status.code == want(.manageUsers, 200), "\(role) users")
        let patch = await c.call("PATCH", "/api/users/\(cast.customer.id)", json: #"{"active":true}"#)
        #expect(patch.status.code == want(.manageUsers, 200), "\(role) patch user: \(patch.text)")
        // The issue types: everyone who reports reads them; the list and its retired part are the admins'.
        #expect(await c.call("GET", "/api/categories").status.code == want(.reportTicket, 200), "\(role) categories")
        #expect(await c.call("GET", "/api/categories?include_retired=true").status.code == want(.manageCategories, 200), "\(role) retired types")
        let added = await c.call("POST", "/api/issue-types", json: #"{"category":"services","name":"Parking \#(role.rawValue)"}"#)
        #expect(added.status.code == want(.manageCategories, 201), "\(role) add issue type: \(added.text)")
        let renamed = await c.call("PATCH", "/api/issue-types/16", json: #"{"name":"Fees and finance"}"#)
        #expect(renamed.status.code == want(.manageCategories, 200), "\(role) rename issue type: \(renamed.text)")
        let retired = await c.call("POST", "/api/issue-types/17/retire")
        #expect(retired.status.code == want(.manageCategories, 200), "\(role) retire issue type: \(retired.text)")
    }

    @Test("pages: menus show what the role may do, forbidden pages and forms answer 403", arguments: Role.allCases)
    func pageCells(_ role: Role) async throws {
        let world = try AccountsWorld()
        let cast = try await Self.cast(world, role)
        var b = Browser(world.gateway)
        _ = await b.get("/login")
        #expect(await b.post("/login", [("email", cast.me.email), ("password", AccountsWorld.password)]).status == .seeOther)
        let actor = cast.me.actor

        let start = await b.get("/tickets")
        #expect(start.status == .ok)
        let nav = String(start.text[start.text.range(of: "<nav aria-label=\"Main\">")!.lowerBound...].prefix(800))
        #expect(nav.contains(">Dashboard</a>") == Permissions.mayEver(actor, .viewDashboard), "\(role) menu: \(nav)")
        #expect(nav.contains(">Service levels</a>") == Permissions.mayEver(actor, .viewServiceLevels), "\(role) menu: \(nav)")
        #expect(nav.contains(">Users</a>") == Permissions.mayEver(actor, .manageUsers), "\(role) menu")
        #expect(nav.contains(">Issue types</a>") == Permissions.mayEver(actor, .manageCategories), "\(role) menu")
        #expect(nav.contains(">Report a problem</a>") == Permissions.mayEver(actor, .reportTicket), "\(role) menu")
        #expect(nav.contains(">Assigned to me</a>") == (Permissions.reach(role, .changeStatus) == .assigned), "\(role) menu")
        #expect(nav.contains(">My tickets</a>") == (Permissions.reach(role, .viewTicket) == .own), "\(role) menu")

        #expect(await b.get("/dashboard").status == (Permissions.mayEver(actor, .viewDashboard) ? .ok : .forbidden), "\(role) dashboard")
        #expect(await b.get("/dashboard/category-load.csv").status == (Permissions.mayEver(actor, .viewDashboard) ? .ok : .forbidden))
        for path in ["/dashboard/service-levels", "/dashboard/service-levels/compliance.csv", "/dashboard/service-levels/current.csv",
                     "/dashboard/service-levels/workload.csv"] {
            #expect(await b.get(path).status == (Permissions.mayEver(actor, .viewServiceLevels) ? .ok : .forbidden), "\(role) \(path)")
        }
        #expect(await b.get("/admin/users").status == (Permissions.mayEver(actor, .manageUsers) ? .ok : .forbidden), "\(role) users page")
        #expect(await b.get("/admin/issue-types").status == (Permissions.mayEver(actor, .manageCategories) ? .ok : .forbidden), "\(role) issue types page")

        for kind in Kind.allCases {
            let t = try await Self.ticket(kind, world, cast)
            let page = await b.get("/tickets/\(t.id)")
            let view = Self.expected(actor, .viewTicket, t.parties, success: 200)
            #expect(page.status.code == view, "\(role) sees a ticket \(kind)")
            guard view == 200 else { continue }
            #expect(HTMLCheck.problems(page.text).isEmpty, "\(role) \(kind): \(HTMLCheck.problems(page.text))")
            // The page offers exactly the forms the table allows.
            #expect(page.text.contains("/status\"") == Permissions.allows(actor, .changeStatus, on: t.parties), "\(role) status form on \(kind)")
            #expect(page.text.contains("/category\"") == Permissions.allows(actor, .setCategory, on: t.parties), "\(role) category form on \(kind)")
            #expect(page.text.contains("/edit\"") == Permissions.allows(actor, .editTicket, on: t.parties), "\(role) edit form on \(kind)")
            #expect(page.text.contains("/messages\"") == Permissions.allows(actor, .postMessage, on: t.parties), "\(role) message form on \(kind)")
            let mayAssign = t.assigneeID == nil ? Permissions.allows(actor, .assignTicket, on: t.parties)
                : Permissions.allows(actor, .assignTicket, on: t.parties) || Permissions.allows(actor, .reassignTicket, on: t.parties)
            #expect(page.text.contains("/assign\"") == mayAssign, "\(role) assign form on \(kind)")
            let mayChoose = t.assigneeID == nil ? mayAssign : Permissions.allows(actor, .reassignTicket, on: t.parties)
            #expect(page.text.contains("id=\"assign-assignee_id\"") == mayChoose, "\(role) engineer choice on \(kind)")
            // And the form itself, posted anyway, is answered as the table says.
            let posted = await b.post("/tickets/\(t.id)/status", [("status", "active"), ("request_id", "\(role)-\(kind)")])
            let want = Self.expected(actor, .changeStatus, t.parties, success: 303)
            #expect(posted.status.code == want, "\(role) posts a status change on \(kind): \(posted.status.code)")
        }
    }

    @Test("pages: the assign form assigns to the chosen engineer, and an agent may not move a ticket between engineers")
    func assignForm() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let eve = try await world.account("Eve", .engineer), fay = try await world.account("Fay", .engineer)
        let t = try await world.ticket(by: cy)
        var b = Browser(world.gateway)
        _ = await b.get("/login")
        _ = await b.post("/login", [("email", ada.email), ("password", AccountsWorld.password)])
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<option value=\"\(eve.id.rawValue)\">Eve (0 open)</option>"))
        let r = await b.post("/tickets/\(t.id)/assign", [("assignee_id", String(eve.id.rawValue)), ("request_id", "a1")])
        #expect(r.status == .seeOther)
        #expect(try await world.reader.detail(t.id)?.ticket.assigneeID == eve.id)
        let assigned = await b.get("/tickets/\(t.id)?done=assigned")
        #expect(assigned.text.contains("The ticket is now assigned to Eve."))
        #expect(assigned.text.contains("<dt>Assigned to</dt><dd>Eve</dd>"))
        #expect(assigned.text.contains("Take the assignment back"))
        #expect(await b.post("/tickets/\(t.id)/assign", [("assignee_id", String(fay.id.rawValue)), ("request_id", "a2")]).status == .forbidden)
        #expect(await b.post("/tickets/\(t.id)/assign", [("assignee_id", ""), ("request_id", "a3")]).status == .seeOther)
        #expect(try await world.reader.detail(t.id)?.ticket.assigneeID == nil)
    }

    @Test("pages: the admin finds accounts, changes a role, deactivates, and creates a staff account")
    func adminUsersPage() async throws {
        let world = try AccountsWorld()
        let root = try await world.account("Root", .admin)
        let cy = try await world.account("Cy", .customer)
        var b = Browser(world.gateway)
        _ = await b.get("/login")
        _ = await b.post("/login", [("email", root.email), ("password", AccountsWorld.password)])
        let page = await b.get("/admin/users?role=customer")
        #expect(page.status == .ok)
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        #expect(page.text.contains("cy@example.org") && !page.text.contains("root@example.org"))
        #expect(await b.post("/admin/users/\(cy.id)/role", [("role", "engineer"), ("request_id", "r1")]).status == .seeOther)
        #expect(try await world.reader.user(cy.id)?.role == .engineer)
        #expect(await b.post("/admin/users/\(cy.id)/active", [("active", "false"), ("request_id", "r2")]).status == .seeOther)
        #expect(try await world.reader.user(cy.id)?.active == false)
        #expect(await b.get("/admin/users?active=false").text.contains("<strong>Deactivated</strong>"))
        // The admin's own row has no forms; posting anyway is refused.
        #expect(await b.post("/admin/users/\(root.id)/active", [("active", "false"), ("request_id", "r3")]).status == .forbidden)
        let created = await b.post("/admin/users", [("name", "Max"), ("email", "max@example.org"), ("role", "manager"),
                                                    ("password", "initial passphrase"), ("request_id", "c1")])
        #expect(created.status == .seeOther)
        #expect(created.headers["Location"] == "/admin/users?done=created")
        let max = try #require(try await world.reader.account(email: "max@example.org"))
        #expect(max.user.role == .manager)
        let again = await b.post("/admin/users", [("name", "Max"), ("email", "max@example.org"), ("role", "manager"),
                                                  ("password", "initial passphrase"), ("request_id", "c2")])
        #expect(again.status == .conflict)
        #expect(again.text.contains("create-email-error"))
    }
}
