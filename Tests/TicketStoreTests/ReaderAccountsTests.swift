import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The read side of accounts: sign-in lookup, the directory, the engineers' load, and the
/// customer and assignee filters of `list`.
@Suite struct ReaderAccountsTests {
    @Test("account(email:) finds the account and its hash by address in any case; user(_:) by id")
    func account_ByEmailAndID() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer, email: "ana@campus.example")
        _ = try await f.operatorUpdates(ana, active: false)
        let reader = try TicketReader(path: f.path)
        let found = try #require(try await reader.account(email: " Ana@Campus.Example"))
        #expect(found.user.id == ana.id && !found.user.active && found.passwordHash == AccountFixture.hash)
        #expect(try await reader.account(email: "nobody@campus.example") == nil)
        #expect(try await reader.user(ana.id)?.email == "ana@campus.example")
        #expect(try await reader.user(UserID(404)) == nil)
    }

    @Test("users(...) filters by role, activity and text in name or address, pages by limit and offset, and takes % and _ literally")
    func users_Directory() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana Lopez", .customer, email: "ana@campus.example")
        let bob = try await f.account("Bob 100%", .agent, email: "bob@campus.example")
        let cy = try await f.account("Cy", .engineer, email: "cy_lab@campus.example")
        let dee = try await f.account("Dee", .engineer, email: "dee@help.example")
        let ed = try await f.account("Ed", .engineer, email: "ed@campus.example")
        let edOff = try #require(try await f.operatorUpdates(ed, active: false).user)
        let reader = try TicketReader(path: f.path)
        func ids(_ role: Role? = nil, _ query: String? = nil, _ active: Bool? = nil, limit: Int = 50, offset: Int = 0) async throws -> [UserID] {
            try await reader.users(role: role, query: query, active: active, limit: limit, offset: offset).map(\.id)
        }
        #expect(try await reader.users(role: nil, query: nil, active: nil, limit: 50, offset: 0) == [ana, bob, cy, dee, edOff])
        #expect(try await ids(.engineer) == [cy.id, dee.id, ed.id])
        #expect(try await ids(.engineer, nil, true) == [cy.id, dee.id])
        #expect(try await ids(nil, nil, false) == [ed.id])
        #expect(try await ids(nil, "LOPEZ") == [ana.id])
        #expect(try await ids(nil, "campus") == [ana.id, bob.id, cy.id, ed.id])
        #expect(try await ids(.engineer, "campus", true) == [cy.id])
        #expect(try await ids(nil, "%") == [bob.id])
        #expect(try await ids(nil, "_") == [cy.id])
        #expect(try await ids(nil, "y_l") == [cy.id])
        #expect(try await ids(nil, "\\") == [])
        #expect(try await ids(nil, "  ") == [ana.id, bob.id, cy.id, dee.id, ed.id])
        #expect(try await ids(limit: 2) == [ana.id, bob.id])
        #expect(try await ids(limit: 2, offset: 2) == [cy.id, dee.id])
        #expect(try await ids(limit: 2, offset: 4) == [ed.id])
        for (limit, offset) in [(0, 0), (501, 0), (10, -1)] {
            await #expect(throws: Refusal.self) { _ = try await reader.users(role: nil, query: nil, active: nil, limit: limit, offset: offset) }
        }
    }

    @Test("engineers() lists the active engineers by name with their not-closed assigned tickets")
    func engineers_WithOpenAssignedCounts() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let agent = try await f.account("Agnes", .agent)
        let zoe = try await f.account("Zoe", .engineer)
        let abe = try await f.account("Abe", .engineer)
        let off = try await f.account("Otto", .engineer)
        _ = try await f.account("Max", .manager)
        var tickets: [Ticket] = []
        for i in 0..<5 { tickets.append(try await f.ticket(by: agent.actor, "Problem \(i)")) }
        for (i, engineer) in [zoe, zoe, zoe, abe, off].enumerated() {
            _ = try await f.run(agent.actor, .assignTicket(AssignTicket(ticketID: tickets[i].id, assigneeID: engineer.id)))
        }
        // One of Zoe's is active, one closed.
        _ = try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: tickets[1].id, status: .active)))
        for s in [Status.active, .closed] { _ = try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: tickets[2].id, status: s))) }
        _ = try await f.operatorUpdates(off, active: false)
        let loads = try await TicketReader(path: f.path).engineers()
        #expect(try await TicketReader(path: f.path).activeEngineers() == loads.map(\.user))
        #expect(loads == [EngineerLoad(user: abe, openAssigned: 1), EngineerLoad(user: zoe, openAssigned: 2)])
        let json = String(decoding: try JSONEncoder().encode(loads[0]), as: UTF8.self)
        #expect(json.contains("\"open_assigned\":1"))
    }

    /// Tickets of two customers, some assigned to two engineers, in every status and category.
    func world(_ f: StoreFixture) async throws -> (ana: User, ben: User, e1: User, e2: User, tickets: [Ticket]) {
        let agent = try await f.account("Agnes", .agent)
        let ana = try await f.account("Ana", .customer)
        let ben = try await f.account("Ben", .customer)
        let e1 = try await f.account("Eli", .engineer)
        let e2 = try await f.account("Eva", .engineer)
        let words = ["wifi down", "door stuck", "canteen closed"]
        var tickets: [Ticket] = []
        for i in 0..<60 {
            f.clock.advance(by: .seconds(i % 4 == 0 ? 0 : 1))  // some in the same millisecond
            let reporter = i % 5 < 2 ? ben : ana
            var t = try await f.ticket(by: reporter.actor, "\(words[i % 3]) \(i)")
            if i % 2 == 0 { t = try #require(try await f.run(agent.actor, .assignTicket(AssignTicket(ticketID: t.id, assigneeID: i % 4 == 0 ? e1.id : e2.id))).ticket) }
            if i % 5 == 1 { t = try #require(try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active))).ticket) }
            if i % 7 == 3 {
                _ = try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
                t = try #require(try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed))).ticket)
            }
            tickets.append(t)
        }
        return (ana, ben, e1, e2, tickets)
    }

    @Test("list honours customerID and assigneeID, alone, together and with status, category and text, page by page")
    func list_PeopleFilters() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let w = try await world(f)
        let reader = try TicketReader(path: f.path)
        let newestFirst = w.tickets.sorted { ($0.openedAt, $0.id) > ($1.openedAt, $1.id) }
        let filters: [TicketFilter] = [
            TicketFilter(limit: 7, customerID: w.ana.id),
            TicketFilter(limit: 7, customerID: w.ben.id),
            TicketFilter(limit: 5, assigneeID: w.e1.id),
            TicketFilter(limit: 5, assigneeID: w.e2.id),
            TicketFilter(limit: 3, customerID: w.ben.id, assigneeID: w.e1.id),
            TicketFilter(statuses: [.open, .active], limit: 4, customerID: w.ana.id),
            TicketFilter(category: .it, limit: 2, assigneeID: w.e2.id),
            TicketFilter(statuses: [.closed], category: .facility, limit: 2, customerID: w.ana.id),
            TicketFilter(text: "wifi", limit: 3, customerID: w.ana.id),
            TicketFilter(statuses: [.open], text: "door", limit: 2, assigneeID: w.e2.id),
            TicketFilter(text: "canteen", limit: 2, customerID: w.ben.id, assigneeID: w.e1.id),
            TicketFilter(limit: 5, customerID: UserID(404)),
        ]
        for filter in filters {
            let expected = newestFirst.filter { t in
                (filter.customerID.map { t.customerID == $0 } ?? true) && (filter.assigneeID.map { t.assigneeID == $0 } ?? true)
                    && (filter.statuses.isEmpty || filter.statuses.contains(t.status)) && (filter.category.map { t.category == $0 } ?? true)
                    && (filter.text.map { t.description.hasPrefix($0) } ?? true)
            }.map(\.id)
            #expect(try await StorageTicketReaderTests.walk(reader, filter) == expected, "\(filter)")
            // The list page's in-place rows follow the same query.
            let rows = try await reader.withListRows(filter) { rows in
                var ids: [TicketID] = []
                try rows.forEach { ids.append($0.id) }
                return ids
            }
            #expect(rows == Array(expected.prefix(filter.limit)), "\(filter)")
        }
        // Without the people filters, nothing changed.
        #expect(try await StorageTicketReaderTests.walk(reader, TicketFilter(limit: 9)) == newestFirst.map(\.id))
    }

    @Test("a person's page reads one range of their partial index, even with a status or category filter")
    func list_PeopleFiltersUseTheirIndexes() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        func plan(_ filter: TicketFilter) throws -> String {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: TicketReader.ticketColumns)
            let explain = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql)
            return try explain.query(values) { $0.text(at: 3) }.joined(separator: "; ")
        }
        for filter in [TicketFilter(customerID: UserID(2)), TicketFilter(statuses: [.open], category: .it, customerID: UserID(2)),
                       TicketFilter(customerID: UserID(2), assigneeID: UserID(4))] {
            let p = try plan(filter)
            #expect(p.contains("tickets_by_customer") && !p.contains("TEMP B-TREE"), "\(p)")
        }
        for filter in [TicketFilter(assigneeID: UserID(4)), TicketFilter(statuses: [.open, .active], assigneeID: UserID(4))] {
            let p = try plan(filter)
            #expect(p.contains("tickets_by_assignee") && !p.contains("TEMP B-TREE"), "\(p)")
        }
        // The existing paths are untouched.
        #expect(try plan(TicketFilter()).contains("tickets_by_opened"))
        #expect(try plan(TicketFilter(statuses: [.open])).contains("tickets_by_status_category_opened"))
    }
}
