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

/// Issue 20, finding 2: Back and send again, or a second try while the worker is stopped, files
/// nothing twice (a fresh form carries a fresh request id, so that id alone did not catch it).
@Suite struct RepeatSubmissionTests {
    static let minute: Int64 = 60_000
    static let user = Actor(role: .customer)

    @Test("the key: the same browser, actor, form and folded text give the same id, anything else another")
    func key() {
        let a = RepeatKey(form: "report", browserID: "b1", actor: Self.user, text: "The lift  is stuck\n")
        #expect(a == RepeatKey(form: "report", browserID: "b1", actor: Self.user, text: " the LIFT is stuck"))
        #expect(a.first != RepeatKey(form: "report", browserID: "b2", actor: Self.user, text: "The lift is stuck").first)
        #expect(a.first != RepeatKey(form: "report", browserID: "b1", actor: Actor(role: .customer, userID: UserID(7)), text: "The lift is stuck").first,
                "another account in the same browser")
        #expect(a.first != RepeatKey(form: "report", browserID: "b1", actor: Actor(role: .agent), text: "The lift is stuck").first)
        #expect(a.first != RepeatKey(form: "message 1", browserID: "b1", actor: Self.user, text: "The lift is stuck").first)
        #expect(a.first != RepeatKey(form: "report", browserID: "b1", actor: Self.user, text: "The lift is stuck again").first)
    }

    @Test("the chain: a repeat within ten minutes of the first being applied, a new id after; refusals and long chains use the form's id")
    func chain() async {
        let key = RepeatKey(form: "report", browserID: "b1", actor: Self.user, text: "the lift is stuck")
        let t0 = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)
        func at(_ minutes: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: t0.millisecondsSinceEpoch + minutes * Self.minute) }
        let created = CommandReply(commandID: key.first, ticket: nil)
        var store: [CommandID: (reply: CommandReply, at: Timestamp)] = [:]
        func decide(_ now: Timestamp) async -> RepeatDecision {
            await RepeatDecision.decide(key, now: now) { store[$0] }
        }
        #expect(await decide(t0) == .send(key.first), "nothing applied: the first id")
        store[key.first] = (created, t0)
        for minutes: Int64 in [0, 1, 5, 9] { #expect(await decide(at(minutes)) == .repeated(created), "\(minutes) min later") }
        let second = RepeatKey.next(after: key.first, appliedAt: t0)
        #expect(await decide(at(10)) == .send(second), "ten minutes after the first was applied: a new report")
        #expect(await decide(at(40)) == .send(second), "while it waits unapplied, every send carries that id")
        store[second] = (CommandReply(commandID: second, ticket: nil), at(41))
        #expect(await decide(at(45)) == .repeated(CommandReply(commandID: second, ticket: nil)))
        #expect(await decide(at(52)) == .send(RepeatKey.next(after: second, appliedAt: at(41))))

        var refusedStore = [key.first: (reply: CommandReply(commandID: key.first, refusal: Refusal(.conflict, "closed")), at: t0)]
        #expect(await RepeatDecision.decide(key, now: at(1)) { refusedStore[$0] } == .sendUnderFormID)
        refusedStore = [:]
        var id = key.first, when = t0
        for n in 0..<RepeatKey.maxLinks {
            refusedStore[id] = (CommandReply(commandID: id, ticket: nil), when)
            id = RepeatKey.next(after: id, appliedAt: when)
            when = at(Int64(n + 1) * 11)
        }
        #expect(await RepeatDecision.decide(key, now: at(1_000)) { refusedStore[$0] } == .sendUnderFormID, "past the last link")
    }

    @Test("a report sent again from a fresh form leads to the ticket already filed; another text or another browser files a new one")
    func reportSentTwice() async throws {
        let world = World()
        world.clock = FixedClock()  // the store's clock: "ten minutes after it was applied" compares the two
        let gateway = world.gateway()
        var b = Browser(gateway)
        await b.enter(as: .customer, name: "Ada")
        _ = await b.get("/tickets/new")
        let first = await b.post("/tickets", [("description", "The projector in room 4 flickers"), ("request_id", "form-1")])
        #expect(first.status == .seeOther)
        let location = try #require(first.headers["Location"])
        #expect(location.hasSuffix("?done=created"))
        // Back, the form again (a new request id), the same text with other spacing and case.
        _ = await b.get("/tickets/new")
        let again = await b.post("/tickets", [("description", "the projector in room 4  flickers "), ("request_id", "form-2")])
        #expect(again.headers["Location"] == location.replacingOccurrences(of: "done=created", with: "done=repeat-report"))
        #expect(try await world.reader.counts()[.open] == 1)
        let page = await b.get(try #require(again.headers["Location"]))
        #expect(page.text.contains("You had already sent this report"))

        _ = await b.post("/tickets", [("description", "The projector in room 5 flickers"), ("request_id", "form-3")])
        var other = Browser(gateway)
        await other.enter(as: .customer, name: "Bo")
        _ = await other.get("/tickets/new")
        let fromOther = await other.post("/tickets", [("description", "The projector in room 4 flickers"), ("request_id", "form-1")])
        #expect(fromOther.headers["Location"]?.hasSuffix("?done=created") == true)
        #expect(try await world.reader.counts()[.open] == 3)
    }

    @Test("two people signing in one after the other on one computer each file their own report")
    func sharedComputer() async throws {
        let world = try AccountsWorld()
        let ana = try await world.account("Ana", .customer), bo = try await world.account("Bo", .customer)
        var b = await Browser.signedIn(world, ana)
        _ = await b.get("/tickets/new")
        let first = await b.post("/tickets", [("description", "The printer in lab 2 is jammed"), ("request_id", "r1")])
        #expect(first.headers["Location"]?.hasSuffix("?done=created") == true)
        let browser = b.cookies["cd_browser"]
        _ = await b.get("/tickets")
        _ = await b.post("/logout", [])
        _ = await b.get("/login")
        _ = await b.post("/login", [("email", bo.email), ("password", AccountsWorld.password)])
        #expect(b.cookies["cd_browser"] == browser, "the same browser")
        _ = await b.get("/tickets/new")
        let second = await b.post("/tickets", [("description", "The printer in lab 2 is jammed"), ("request_id", "r2")])
        #expect(second.headers["Location"]?.hasSuffix("?done=created") == true, "\(second.headers["Location"] ?? "")")
        #expect(second.headers["Location"] != first.headers["Location"])
    }

    @Test("a message sent twice is posted once; the same text on another ticket is another message")
    func messageSentTwice() async throws {
        let world = World()
        world.clock = FixedClock()  // the store's clock: "ten minutes after it was applied" compares the two
        var b = Browser(world.gateway())
        await b.enter(as: .customer, name: "Ada")
        _ = await b.get("/tickets/new")
        let one = try #require(await b.post("/tickets", [("description", "Door 3 does not lock"), ("request_id", "r1")]).headers["Location"])
        _ = await b.get("/tickets/new")
        let two = try #require(await b.post("/tickets", [("description", "Door 4 does not lock"), ("request_id", "r2")]).headers["Location"])
        let path = String(one.prefix { $0 != "?" }), otherPath = String(two.prefix { $0 != "?" })
        _ = await b.get(path)
        #expect(await b.post(path + "/messages", [("body", "It is the back door."), ("request_id", "m1")]).headers["Location"] == path + "?done=message")
        _ = await b.get(path)
        let again = await b.post(path + "/messages", [("body", "It is the back door."), ("request_id", "m2")])
        #expect(again.headers["Location"] == path + "?done=repeat-message")
        _ = await b.get(otherPath)
        #expect(await b.post(otherPath + "/messages", [("body", "It is the back door."), ("request_id", "m3")]).headers["Location"] == otherPath + "?done=message")
        let id = try #require(Int64(path.split(separator: "/").last!))
        #expect(try await world.reader.detail(TicketID(id))?.messages.count == 1)
        #expect(await b.get(path + "?done=repeat-message").text.contains("You had already sent this message"))
    }

    @Test("two sends of one message while the ticket worker is stopped: both wait, the worker posts it once")
    func messageSentTwiceWhileTheWorkerIsStopped() async throws {
        let world = try SpoolWorld()
        // The ticket exists; then the worker is not running while the person sends twice.
        try await world.seedTicket("The heating is off in B12")
        // The second send half an hour after the first, across several ten-minute marks of the clock.
        let clock = TestClock(FixedClock().instant)
        let gateway = try world.gateway(clock: clock)
        var b = Browser(gateway)
        await b.enter(as: .customer, name: "Ada")
        for requestID in ["m1", "m2"] {
            clock.advance(by: .seconds(30 * 60))
            _ = await b.get("/tickets/1")
            let queued = await b.post("/tickets/1/messages", [("body", "Still cold this morning."), ("request_id", requestID)])
            #expect(queued.status == .accepted, "\(queued.text)")
        }
        #expect(try world.spool.queue(.commands).stats().waiting == 2)
        let worker = try world.startTicketWorker()
        let reader = try TicketReader(path: world.ticketsPath)
        try await eventually("the worker to take both commands") {
            let waiting = try world.spool.queue(.commands).stats().waiting
            let posted = try await reader.detail(TicketID(1))?.messages.count ?? 0
            return waiting == 0 && posted >= 1
        }
        #expect(try await reader.detail(TicketID(1))?.messages.count == 1)
        world.stopFlag.set()
        try await worker.value
    }
}
