import Testing
import Domain
import Fixtures
import TicketStore
import TestSupport
@testable import Notifier

/// Followers ("me too", merged duplicates' reporters) hear what the reporter hears after creation:
/// a status change and a staff message; not of their own action, once each.
@Suite struct FollowerAudienceTests {
    static let follower = User(id: UserID(5), name: "Fay Follower", email: "fay@campus.test", role: .customer, createdAt: People.at)
    static let gone = User(id: UserID(6), name: "Gus Gone", email: "gus@campus.test", role: .customer, active: false, createdAt: People.at)
    let directory = AccountDirectory(People.all + [Self.follower, Self.gone])

    func ticket(_ followers: [TicketFollower], assignee: UserID? = People.engineer.id) -> TicketSnapshot {
        var t = People.ticket(assignee: assignee)
        t.followers = followers
        return t
    }

    func who(_ event: ChangeEvent, _ ticket: TicketSnapshot) -> [String] {
        Audience.notices(for: event, ticket: ticket, directory: directory).map { "\($0.recipient.key)/\($0.channel.rawValue)" }
    }

    static let closed = TicketFacts(category: .it, status: .closed, openedAt: People.at, closedAt: People.at)
    static func closedBy(_ actor: User) -> ChangeEvent {
        People.event(.statusChanged, after: closed, changes: [People.change(.status, by: actor, old: "open", new: "closed")])
    }

    @Test func statusChange_TellsTheReporterAndEachReachableFollower() {
        let t = ticket([.account(Self.follower.id), .contact(name: "Vic", email: "Vic@Campus.test", phone: nil),
                        .contact(name: nil, email: nil, phone: "+41790000009"), .account(Self.gone.id),
                        .contact(name: "Nobody", email: nil, phone: nil)])
        #expect(who(Self.closedBy(People.agent), t)
                == ["user:1/email", "user:5/email", "contact:vic@campus.test/email", "contact:+41790000009/sms"])
    }

    @Test func staffMessage_TellsFollowers_TheReportersMessageDoesNot() {
        var fromStaff = ticket([.account(Self.follower.id)])
        fromStaff.lastMessageAuthorRole = .engineer
        #expect(who(People.event(.messagePosted), fromStaff) == ["user:1/email", "user:5/email"])
        var fromReporter = fromStaff
        fromReporter.lastMessageAuthorRole = .customer
        #expect(who(People.event(.messagePosted), fromReporter) == ["user:3/email"])
    }

    @Test func aFollowerIsNotToldOfTheirOwnAction() {
        // An agent who follows a ticket and then closes it.
        let t = ticket([.account(People.agent.id), .account(Self.follower.id)])
        #expect(who(Self.closedBy(People.agent), t) == ["user:1/email", "user:5/email"])
        #expect(who(Self.closedBy(People.customer), t) == ["user:2/email", "user:5/email"])
    }

    @Test func theReporterFollowingTooIsToldOnce_AsIsAnAddressKnownTwice() {
        let t = ticket([.account(People.customer.id), .contact(name: "Zoë again", email: "ZOE@campus.test", phone: nil),
                        .account(Self.follower.id), .contact(name: "Fay", email: "fay@campus.test", phone: nil)])
        #expect(who(Self.closedBy(People.agent), t) == ["user:1/email", "user:5/email"])
    }

    @Test func creationAssignmentAndSLA_DoNotTellFollowers() {
        let t = ticket([.account(Self.follower.id)])
        #expect(who(People.event(.ticketOpened), t) == ["user:1/email"])
        let assigned = People.event(.ticketAssigned, changes: [People.change(.assignee, by: People.agent, old: nil, new: "3")])
        #expect(who(assigned, t) == ["user:3/email"])
        #expect(!Audience.reachesFollowers(People.event(.ticketOpened)) && Audience.reachesFollowers(Self.closedBy(People.agent)))
    }

    /// The real store: campus followers by key (with and without a contact given on a report of
    /// theirs), a merged duplicate's reporter known only by the duplicate's contact, and one whose
    /// address is the reporter's.
    @Test func readerContext_ReadsFollowersFromTheStore_AndTheAudienceTellsThem() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        func key(_ n: Int) -> String { String(repeating: String(format: "%02x", n), count: 32) }
        func create(_ text: String, email: String?, key k: Int?) async throws -> Ticket {
            try #require(try await f.run(.customer, .createTicket(CreateTicket(description: text, contactEmail: email,
                                                                               reporterKeyDigest: k.map(key)))).ticket)
        }
        let main = try await create("Lift 2 in building C is stuck", email: "reporter@campus.test", key: 1)
        _ = try await create("Printer jams in room 4", email: "Kim@Campus.test", key: 2)
        _ = try await f.run(.customer, .followTicket(FollowTicket(ticketID: main.id, reporterKeyDigest: key(2))))
        _ = try await f.run(.customer, .followTicket(FollowTicket(ticketID: main.id, reporterKeyDigest: key(3)))) // never gave a contact
        let duplicate = try await create("The lift in C does not move", email: "dup@campus.test", key: nil)
        let same = try await create("Lift C stuck again", email: "reporter@campus.test", key: 4)
        for d in [duplicate, same] {
            let merged = try await f.run(.agent, .mergeTicket(MergeTicket(ticketID: d.id, into: main.id)))
            #expect(merged.refusal == nil)
        }
        let active = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: main.id, status: .active))).ticket)
        let event = ChangeEvent(seq: SequenceNumber(20), type: .statusChanged, ticketID: main.id, occurredAt: active.openedAt,
                                before: TicketFacts(category: active.category, status: .open, openedAt: active.openedAt, closedAt: nil),
                                after: TicketFacts(category: active.category, status: .active, openedAt: active.openedAt, closedAt: nil))
        let context = TicketReaderContext(reader: try TicketReader(path: f.path))
        let (snapshot, people) = try #require(try await context.context(for: event))
        #expect(snapshot.followers.count == 4)
        #expect(Set(snapshot.followers) == [
            .contact(name: nil, email: "kim@campus.test", phone: nil), .contact(name: nil, email: nil, phone: nil),
            .contact(name: nil, email: "dup@campus.test", phone: nil), .contact(name: nil, email: "reporter@campus.test", phone: nil),
        ])
        let told = Audience.notices(for: event, ticket: snapshot, directory: people).map(\.recipient.key)
        // The reporter, then the followers in the table's order (key:02…, key:03… unreachable, key:04… the
        // reporter's address again, ticket:<duplicate>).
        #expect(told == ["contact:reporter@campus.test", "contact:kim@campus.test", "contact:dup@campus.test"])
        // Creation reads no followers.
        let opened = ChangeEvent(seq: SequenceNumber(1), type: .ticketOpened, ticketID: main.id, occurredAt: main.openedAt, before: nil,
                                 after: TicketFacts(category: main.category, status: .open, openedAt: main.openedAt, closedAt: nil))
        #expect(try await context.context(for: opened)?.0.followers == [])
    }

    @Test func readerContext_ReadsAccountFollowers_OnTheNetworkDesk() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        func account(_ name: String) async throws -> User {
            let reply = try await f.store.apply([AccountFixture.operatorCreates(name, .customer)])[0]
            guard let user = reply.user else { throw DeliberateError() }
            return user
        }
        let reporter = try await account("Ann")
        let follower = try await account("Bob")
        let t = try #require(try await f.store.apply([Command(actor: reporter.actor, action: .createTicket(CreateTicket(description: "Lift 2 in building C is stuck")))])[0].ticket)
        let followed = try await f.store.apply([Command(actor: follower.actor, action: .followTicket(FollowTicket(ticketID: t.id)))])[0]
        #expect(followed.refusal == nil)
        let event = ChangeEvent(seq: SequenceNumber(5), type: .statusChanged, ticketID: t.id, occurredAt: t.openedAt,
                                before: TicketFacts(category: t.category, status: .open, openedAt: t.openedAt, closedAt: nil),
                                after: TicketFacts(category: t.category, status: .active, openedAt: t.openedAt, closedAt: nil))
        let context = TicketReaderContext(reader: try TicketReader(path: f.path))
        let (snapshot, people) = try #require(try await context.context(for: event))
        #expect(snapshot.followers == [.account(follower.id)])
        #expect(Audience.notices(for: event, ticket: snapshot, directory: people).map(\.recipient.key)
                == ["user:\(reporter.id.rawValue)", "user:\(follower.id.rawValue)"])
    }
}
