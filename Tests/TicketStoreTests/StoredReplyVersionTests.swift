import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Stored replies across versions: version 5 carries SLA timers, version 4 issue types, version 3 the ticket's triage,
/// version 2 its people and the account; version 1, 2 and 3 rows (databases from before accounts,
/// triage or issue types) are still read, and answered for their command ids.
@Suite struct StoredReplyVersionTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_780_000_000_123)
    static let ticket = Ticket(
        id: TicketID(42), description: "Heizung kalt", location: "B 3", reporter: nil, category: .facility,
        categorySource: .auto, categoryConfidence: 0.5, status: .open, openedAt: t0, modifiedAt: t0, closedAt: nil)
    static let message = Message(id: MessageID(7), ticketID: TicketID(42), authorRole: .agent, authorName: "Li", body: "on it", sentAt: t0)

    static func decode(_ bytes: [UInt8], _ id: String = "x") throws -> CommandReply {
        try bytes.withUnsafeBytes { try StoredReply.decode($0, commandID: CommandID(id)) }
    }

    @Test("version 5 round-trips tickets with customer, assignee, triage, issue type and SLA timers, accounts and issue types in every shape")
    func version5_RoundTrips() throws {
        var assigned = Self.ticket
        assigned.customerID = UserID(3)
        assigned.assigneeID = UserID(Int64.max)
        assigned.impact = .many
        assigned.triage(severity: .critical, source: .auto)
        var pinned = Self.ticket
        pinned.triage(severity: .low, source: .staff)
        pinned.priority = .p1
        pinned.prioritySource = .staff
        var onlyCustomer = Self.ticket
        onlyCustomer.customerID = UserID(1)
        var typed = Self.ticket
        typed.setIssueType(IssueType(id: IssueTypeID(10), category: .it, name: "Printing", createdAt: Self.t0))
        var timed = Self.ticket
        timed.sla = TicketSLA(
            policyVersion: 3,
            firstResponse: SLATimer(deadlines: SLADeadlines(atRisk: Self.t0, due: Self.t0.adding(milliseconds: 60_000)), metAt: Self.t0, recorded: .atRisk),
            resolution: SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: -5), due: Self.t0), recorded: .breached))
        let replies = [
            CommandReply(commandID: CommandID("a"), ticket: assigned),
            CommandReply(commandID: CommandID("b"), ticket: onlyCustomer, message: Self.message),
            CommandReply(commandID: CommandID("c"), user: User(
                id: UserID(5), name: "Zoë Ñ", email: "zoe@campus.example", phone: "+49 30 1234", location: "Hall B",
                role: .engineer, active: true, createdAt: Self.t0)),
            CommandReply(commandID: CommandID("d"), user: User(
                id: UserID(6), name: "Ed", email: "ed@campus.example", role: .admin, active: false, createdAt: Timestamp(millisecondsSinceEpoch: 0))),
            CommandReply(commandID: CommandID("e"), refusal: Refusal(.conflict, "An account with this e-mail already exists.", field: "email")),
            CommandReply(commandID: CommandID("f"), refusal: Refusal(.unauthenticated, "An account is required.")),
            CommandReply(commandID: CommandID("g")),
            CommandReply(commandID: CommandID("h"), ticket: pinned),
            CommandReply(commandID: CommandID("i"), ticket: typed),
            CommandReply(commandID: CommandID("l"), ticket: timed, message: Self.message),
            CommandReply(commandID: CommandID("j"), issueType: IssueType(id: IssueTypeID(20), category: .it, name: "Beamer / Projektor", createdAt: Self.t0)),
            CommandReply(commandID: CommandID("k"), issueType: IssueType(id: IssueTypeID(3), category: .services, name: "Mensa",
                                                                         createdAt: Timestamp(millisecondsSinceEpoch: 0), retiredAt: Self.t0)),
        ]
        for reply in replies {
            let bytes = StoredReply.encode(reply)
            #expect(bytes.first == 5)
            #expect(try Self.decode(bytes, reply.commandID.rawValue) == reply)
        }
    }

    /// An untriaged ticket's version 3 fields: no severity, no source, impact "one" (length 3 as
    /// zigzag 6), no priority, no source, no contact e-mail, phone or time.
    static let untriaged: [UInt8] = [0, 0, 6] + Array("one".utf8) + [0, 0, 0, 0, 0]

    /// The version 4 form of a reply whose ticket has no SLA timers: version 5 without their absence byte.
    static func version4(_ reply: CommandReply) -> [UInt8] {
        var bytes = StoredReply.encode(reply)
        bytes[0] = 4
        if reply.ticket != nil {
            let ticketEnd = StoredReply.encode(CommandReply(commandID: reply.commandID, ticket: reply.ticket)).count
            #expect(bytes[ticketEnd - 1] == 0)
            bytes.remove(at: ticketEnd - 1)
        }
        return bytes
    }

    /// The version 3 form of a reply whose ticket has no issue type: version 4 without the two absence bytes.
    static func version3(_ reply: CommandReply) -> [UInt8] {
        var bytes = version4(reply)
        bytes[0] = 3
        if reply.ticket != nil {
            let ticketEnd = version4(CommandReply(commandID: reply.commandID, ticket: reply.ticket)).count
            #expect(Array(bytes[(ticketEnd - 2)..<ticketEnd]) == [0, 0])
            bytes.removeSubrange((ticketEnd - 2)..<ticketEnd)
        }
        return bytes
    }

    /// The version 2 form of a reply with an untriaged ticket: version 3 without the triage bytes.
    static func version2(_ reply: CommandReply) -> [UInt8] {
        var bytes = version3(reply)
        bytes[0] = 2
        if reply.ticket != nil {
            let ticketEnd = version3(CommandReply(commandID: reply.commandID, ticket: reply.ticket)).count
            #expect(Array(bytes[(ticketEnd - untriaged.count)..<ticketEnd]) == untriaged)
            bytes.removeSubrange((ticketEnd - untriaged.count)..<ticketEnd)
        }
        return bytes
    }

    /// The version 1 form of a reply: version 2 wrote the same fields plus two absence bytes (no
    /// customer, no assignee) right after the ticket, and never the account.
    static func version1(_ reply: CommandReply) -> [UInt8] {
        var bytes = version2(reply)
        bytes[0] = 1
        if reply.ticket != nil {
            let ticketEnd = version2(CommandReply(commandID: reply.commandID, ticket: reply.ticket)).count
            #expect(Array(bytes[(ticketEnd - 2)..<ticketEnd]) == [0, 0])
            bytes.removeSubrange((ticketEnd - 2)..<ticketEnd)
        }
        return bytes
    }

    @Test("version 4 rows are read as tickets without SLA timers")
    func version4_IsStillRead() throws {
        var typed = Self.ticket
        typed.setIssueType(IssueType(id: IssueTypeID(10), category: .it, name: "Printing", createdAt: Self.t0))
        for reply in [CommandReply(commandID: CommandID("a"), ticket: typed, message: Self.message), CommandReply(commandID: CommandID("b"), refusal: Refusal(.forbidden, "No."))] {
            let old = Self.version4(reply)
            #expect(old.first == 4)
            #expect(try Self.decode(old, reply.commandID.rawValue) == reply)
        }
    }

    @Test("version 3 rows are read as tickets without an issue type; they never held one (flag 16)")
    func version3_IsStillRead() throws {
        var triaged = Self.ticket
        triaged.triage(severity: .high, source: .staff)
        for reply in [CommandReply(commandID: CommandID("a"), ticket: triaged), CommandReply(commandID: CommandID("b"), refusal: Refusal(.forbidden, "No."))] {
            let old = Self.version3(reply)
            #expect(old.first == 3)
            #expect(try Self.decode(old, reply.commandID.rawValue) == reply)
        }
        #expect(throws: SQLiteError.self) { try Self.decode([3, 16]) }
    }

    @Test("version 2 rows are read as untriaged tickets affecting one person")
    func version2_IsStillRead() throws {
        var withPeople = Self.ticket
        withPeople.customerID = UserID(3)
        withPeople.assigneeID = UserID(9)
        for reply in [CommandReply(commandID: CommandID("a"), ticket: withPeople), CommandReply(commandID: CommandID("b"), refusal: Refusal(.forbidden, "No."))] {
            let old = Self.version2(reply)
            #expect(old.first == 2)
            #expect(try Self.decode(old, reply.commandID.rawValue) == reply)
        }
    }

    @Test("version 1 rows are read: tickets without customer or assignee, messages, refusals")
    func version1_IsStillRead() throws {
        let replies = [
            CommandReply(commandID: CommandID("a"), ticket: Self.ticket),
            CommandReply(commandID: CommandID("b"), ticket: Self.ticket, message: Self.message),
            CommandReply(commandID: CommandID("c"), refusal: Refusal(.forbidden, "No.", field: "status")),
        ]
        for reply in replies {
            let old = Self.version1(reply)
            #expect(old.first == 1 && old.count == StoredReply.encode(reply).count - (reply.ticket == nil ? 0 : 5 + Self.untriaged.count))
            #expect(try Self.decode(old, reply.commandID.rawValue) == reply)
        }
        // A version 1 row never held an account (flag 8), and there is no version 6 yet.
        #expect(throws: SQLiteError.self) { try Self.decode([1, 8]) }
        #expect(throws: SQLiteError.self) { try Self.decode([6, 0]) }
        // Version 1 roles were 'user' and 'staff': still read, as customer and agent.
        var legacy = Self.version1(CommandReply(commandID: CommandID("x"), message: Self.message))
        let agent = Array("agent".utf8)
        let at = try #require(legacy.indices.first { Array(legacy[$0..<min($0 + agent.count, legacy.count)]) == agent })
        legacy.replaceSubrange((at - 1)..<(at + agent.count), with: [10] + Array("staff".utf8))  // zigzag 5 = 10
        #expect(try Self.decode(legacy).message?.authorRole == .agent)
    }

    @Test("a version 1 row in applied_commands answers its command id again, unchanged")
    func version1Row_AnswersItsCommand() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        var ticket = try await f.create("Door stuck")
        ticket.sla = nil  // a version 1 row was written before SLA timers
        let old = CommandReply(commandID: CommandID("old-v1"), ticket: ticket)
        do {
            let db = try Connection(path: f.path)
            try db.execute("INSERT INTO applied_commands (command_id, applied_at, reply) VALUES (?, ?, ?)",
                           [.text("old-v1"), .integer(0), .blob(Self.version1(old))])
        }
        let again = try await f.run(.customer, .createTicket(CreateTicket(description: "something else")), id: CommandID("old-v1"))
        #expect(again == old)
        #expect(try f.scalar("SELECT count(*) FROM tickets") == 1)
    }
}
