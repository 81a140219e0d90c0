import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// "Me too" and merges in the worker (migration 15): followers, the affected count, its effect on
/// the priority matrix, merges of duplicates and their refusals, and the audit rows of each.
@Suite struct StoreFollowMergeTests {
    private static func key(_ n: Int) -> String { String(repeating: String(format: "%02x", n), count: 32) }

    private func trail(_ f: StoreFixture, _ id: TicketID) async throws -> [String] {
        try await f.store.history(id).map { "\($0.field.rawValue):\($0.oldValue ?? "-")>\($0.newValue ?? "-")" }
    }

    @Test("following twice counts once; the reporter following their own report changes nothing; the trail says affected 1 → 2")
    func followIsIdempotent() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try #require(try await f.run(.customer, .createTicket(CreateTicket(description: "Lift 2 in building C is stuck",
                                                                                   reporterKeyDigest: Self.key(1)))).ticket)
        #expect(t.affected == 1 && t.mergedInto == nil)
        let own = try await f.run(.customer, .followTicket(FollowTicket(ticketID: t.id, reporterKeyDigest: Self.key(1))))
        #expect(own.ticket?.affected == 1)
        let first = try #require(try await f.run(.customer, .followTicket(FollowTicket(ticketID: t.id, reporterKeyDigest: Self.key(2)))).ticket)
        #expect(first.affected == 2)
        let before = try f.snapshot()
        let again = try #require(try await f.run(.customer, .followTicket(FollowTicket(ticketID: t.id, reporterKeyDigest: Self.key(2)))).ticket)
        #expect(again.affected == 2)
        #expect(try f.snapshot() == before, "a second follow writes nothing")
        #expect(try f.scalar("SELECT count(*) FROM ticket_followers") == 1)
        #expect(try await trail(f, t.id) == ["affected:1>2"])
        #expect(try await f.store.load(t.id) == first)
    }

    @Test("refusals: no identity, a malformed key, a closed ticket, an unknown ticket; nothing is written")
    func followRefusals() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create("Projector in room 12 is dead")
        let closed = try await f.create("Heating off in hall A")
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: closed.id, status: .active)))
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: closed.id, status: .closed)))
        let before = try f.snapshot()
        let cases: [(FollowTicket, RefusalCode)] = [
            (FollowTicket(ticketID: t.id), .validation),
            (FollowTicket(ticketID: t.id, reporterKeyDigest: "ABC"), .validation),
            (FollowTicket(ticketID: closed.id, reporterKeyDigest: Self.key(3)), .readOnly),
            (FollowTicket(ticketID: TicketID(999), reporterKeyDigest: Self.key(3)), .notFound),
        ]
        for (command, code) in cases {
            let reply = try await f.run(.customer, .followTicket(command))
            #expect(reply.refusal?.code == code, "\(command)")
        }
        #expect(try f.snapshot() == before)
    }

    @Test("on the network desk the account follows; five affected people raise the matrix's impact one step, the SLA follows")
    func crowdRaisesPriority() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let reporter = try await f.account("Ann", .customer)
        let t = try await f.ticket(by: reporter.actor, "Lift 2 in building C is stuck")
        let triaged = try #require(try await f.run(Actor(role: .admin), .setTriage(SetTriage(ticketID: t.id, severity: .medium, impact: .one))).ticket)
        #expect(triaged.priority == .p3)
        var last = triaged
        for n in 1...4 {
            let follower = try await f.account("Follower\(n)", .customer)
            last = try #require(try await f.run(follower.actor, .followTicket(FollowTicket(ticketID: t.id))).ticket)
            #expect(last.affected == n + 1)
            #expect(last.priority == (n + 1 >= PriorityMatrix.crowd ? .p3 : .p3), "medium × several is still P3")
        }
        #expect(last.matrixImpact == .several && last.impact == .one, "staff's impact stays what they said")
        // High severity shows the step: high × one = P3, high × several = P2.
        let high = try #require(try await f.run(Actor(role: .admin), .setTriage(SetTriage(ticketID: t.id, severity: .high))).ticket)
        #expect(high.priority == .p2)
        let other = try await f.ticket(by: reporter.actor, "Printer out of toner")
        let lone = try #require(try await f.run(Actor(role: .admin), .setTriage(SetTriage(ticketID: other.id, severity: .high))).ticket)
        #expect(lone.priority == .p3)
        // A fifth person on a ticket at `several` makes `many`; the SLA deadlines move with the priority.
        #expect(PriorityMatrix.impact(.several, affected: 5) == .many && PriorityMatrix.impact(.many, affected: 50) == .many)
        #expect(PriorityMatrix.impact(.one, affected: 4) == .one)
        #expect(high.sla != last.sla, "the deadlines follow the new priority")
        let rows = try await trail(f, t.id)
        #expect(rows.filter { $0.hasPrefix("affected:") } == ["affected:1>2", "affected:2>3", "affected:3>4", "affected:4>5"])
    }

    @Test("merge: the duplicate closes with merged_into, its reporter and followers follow the survivor, both trails record it")
    func mergeMovesFollowers() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        func report(_ text: String, _ key: Int?) async throws -> Ticket {
            try #require(try await f.run(.customer, .createTicket(CreateTicket(description: text, location: "Building C, lift 2",
                                                                               reporterKeyDigest: key.map(Self.key)))).ticket)
        }
        let survivor = try await report("Lift 2 is stuck between floors", 1)
        let duplicate = try await report("The lift in building C does not move", 2)
        let anonymous = try await report("Lift broken again", nil)
        _ = try await f.run(.customer, .followTicket(FollowTicket(ticketID: duplicate.id, reporterKeyDigest: Self.key(3))))
        _ = try await f.run(.customer, .followTicket(FollowTicket(ticketID: duplicate.id, reporterKeyDigest: Self.key(1))), id: .random())
        _ = try await f.run(.customer, .followTicket(FollowTicket(ticketID: survivor.id, reporterKeyDigest: Self.key(3))))
        let reply = try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: duplicate.id, into: survivor.id)))
        let closed = try #require(reply.ticket, "\(String(describing: reply.refusal))")
        #expect(closed.status == .closed && closed.mergedInto == survivor.id && closed.closedAt != nil)
        // Reporter 2 moves; 3 was following already; 1 is the survivor's own reporter.
        var after = try await f.store.load(survivor.id)
        #expect(after.affected == 3)
        #expect(try await trail(f, duplicate.id) == ["affected:1>2", "affected:2>3", "status:open>closed", "merged_into:->\(survivor.id.rawValue)"])
        #expect(try await f.store.history(duplicate.id).first { $0.field == .status }?.reason == "Merged into ticket \(survivor.id).")
        #expect(try await trail(f, survivor.id) == ["affected:1>2", "affected:2>3", "merged_from:->\(duplicate.id.rawValue)"])
        // A reporter known by nothing else follows as "the reporter of ticket N".
        _ = try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: anonymous.id, into: survivor.id)))
        after = try await f.store.load(survivor.id)
        #expect(after.affected == 4)
        #expect(try f.scalar("SELECT count(*) FROM ticket_followers WHERE follower = 'ticket:\(anonymous.id.rawValue)'") == 1)
        // Following the merged duplicate names the survivor.
        let late = try await f.run(.customer, .followTicket(FollowTicket(ticketID: duplicate.id, reporterKeyDigest: Self.key(9))))
        #expect(late.refusal?.code == .readOnly && late.refusal?.reason.contains("merged into ticket \(survivor.id)") == true)
        // A reopened duplicate is its own ticket again.
        let reopened = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: duplicate.id, status: .active, reason: "Not the same"))).ticket)
        #expect(reopened.mergedInto == nil)
        #expect(try await f.store.load(duplicate.id).mergedInto == nil)
    }

    @Test("merge refusals: into itself, unknown, a closed duplicate, a closed survivor, a merged survivor (named), a customer; nothing is written")
    func mergeRefusals() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let a = try await f.create("Lift 2 is stuck"), b = try await f.create("Lift stuck"), c = try await f.create("Lift does not move")
        let closed = try await f.create("Old lift problem")
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: closed.id, status: .active)))
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: closed.id, status: .closed)))
        #expect(try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: b.id, into: a.id))).isApplied)
        let before = try f.snapshot()
        let cases: [(Role, MergeTicket, RefusalCode, String)] = [
            (.agent, MergeTicket(ticketID: c.id, into: c.id), .validation, "into"),
            (.agent, MergeTicket(ticketID: c.id, into: TicketID(999)), .notFound, "into"),
            (.agent, MergeTicket(ticketID: TicketID(999), into: c.id), .notFound, "ticket_id"),
            (.agent, MergeTicket(ticketID: closed.id, into: c.id), .readOnly, "ticket_id"),
            (.agent, MergeTicket(ticketID: b.id, into: c.id), .readOnly, "ticket_id"),
            (.agent, MergeTicket(ticketID: c.id, into: closed.id), .readOnly, "into"),
            (.agent, MergeTicket(ticketID: c.id, into: b.id), .readOnly, "into"),
            (.customer, MergeTicket(ticketID: c.id, into: a.id), .forbidden, ""),
        ]
        for (role, command, code, field) in cases {
            let reply = try await f.run(role, .mergeTicket(command))
            #expect(reply.refusal?.code == code, "\(command)")
            if !field.isEmpty { #expect(reply.refusal?.field == field, "\(command)") }
        }
        let chain = try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: c.id, into: b.id)))
        #expect(chain.refusal?.reason == "Ticket \(b.id) was merged into ticket \(a.id); merge into ticket \(a.id) instead.")
        #expect(try f.snapshot() == before)
    }

    @Test("on the network desk an engineer may not merge (merging is triage); an agent may; the reporter's account follows the survivor")
    func mergeRolesOnNetworkDesk() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ann = try await f.account("Ann", .customer), bob = try await f.account("Bob", .customer)
        let eve = try await f.account("Eve", .engineer), al = try await f.account("Al", .agent)
        let a = try await f.ticket(by: ann.actor, "Lift 2 is stuck"), b = try await f.ticket(by: bob.actor, "Lift stuck")
        #expect(try await f.run(eve.actor, .mergeTicket(MergeTicket(ticketID: b.id, into: a.id))).refusal?.code == .forbidden)
        #expect(try await f.run(bob.actor, .mergeTicket(MergeTicket(ticketID: b.id, into: a.id))).refusal?.code == .forbidden)
        #expect(try await f.run(al.actor, .mergeTicket(MergeTicket(ticketID: b.id, into: a.id))).isApplied)
        #expect(try f.scalar("SELECT count(*) FROM ticket_followers WHERE ticket_id = \(a.id.rawValue) AND follower = 'user:\(bob.id.rawValue)'") == 1)
        // Bob following again counts once.
        #expect(try await f.run(bob.actor, .followTicket(FollowTicket(ticketID: a.id))).ticket?.affected == 2)
    }

    @Test("the command JSON round-trips with its wire names")
    func wireNames() throws {
        let command = Command(role: .agent, action: .mergeTicket(MergeTicket(ticketID: TicketID(3), into: TicketID(1))))
        let json = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
        #expect(json.contains("\"type\":\"merge_ticket\"") && json.contains("\"into\":1"))
        #expect(try JSONDecoder().decode(Command.self, from: Data(json.utf8)) == command)
        let follow = Command(role: .customer, action: .followTicket(FollowTicket(ticketID: TicketID(3), reporterKeyDigest: Self.key(1))))
        #expect(try JSONDecoder().decode(Command.self, from: JSONEncoder().encode(follow)) == follow)
        #expect(Follower(rawValue: Follower.account(UserID(4)).rawValue) == .account(UserID(4)))
        #expect(Follower(rawValue: "ticket:7") == .reporterOf(TicketID(7)) && Follower(rawValue: "x") == nil)
    }

    @Test("probably the same problem: open tickets at the same place sharing a word, newest first, at most 5, never closed ones or the one excluded")
    func similarTickets() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        func report(_ text: String, at place: String?) async throws -> Ticket {
            try #require(try await f.run(.customer, .createTicket(CreateTicket(description: text, location: place))).ticket)
        }
        let stuck = try await report("The lift is stuck between floors", at: "Building C, lift 2")
        _ = try await report("Printer out of toner", at: "Building C, lift 2")
        _ = try await report("Lift stuck again", at: "Library")
        let closed = try await report("Lift stuck, people inside", at: "Building C, lift 2")
        _ = try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: closed.id, into: stuck.id)))
        var more: [TicketID] = []
        for n in 0..<6 { more.append(try await report("Lift makes noise \(n)", at: "building c lift 2").id) }
        let reader = try TicketReader(path: f.path)
        let found = try await reader.similarOpenTickets(location: "Building C, Lift 2", text: "The lift does not move")
        #expect(found.map(\.id) == Array(more.reversed().prefix(5)))
        let one = try await reader.similarOpenTickets(location: "Building C, lift 2", text: "stuck", excluding: nil)
        #expect(one.map(\.id) == [stuck.id])
        #expect(try await reader.similarOpenTickets(location: "Building C, lift 2", text: "stuck", excluding: stuck.id).isEmpty)
        #expect(try await reader.similarOpenTickets(location: "", text: "lift stuck").isEmpty)
        #expect(try await reader.similarOpenTickets(location: "Building C", text: "a an").isEmpty)
        // Hostile text is words, never FTS5 syntax.
        #expect(try await reader.similarOpenTickets(location: "Building C\"*", text: "stuck\" NEAR(x) description:").map(\.id) == [stuck.id])
    }
}
