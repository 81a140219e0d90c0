import Foundation
import Testing
import Fixtures
import TestSupport
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// SLA timers on tickets (migration 12): started at the opening time under the current version,
/// met by the first staff message, `active` and `closed`, reopened, recomputed by a priority change,
/// carried in every event. The fixture's clock starts Sunday 2026-03-01 09:00 UTC and its store's
/// calendar is the standard one in UTC (Monday to Friday, 09:00-17:00).
@Suite struct StoreSLATimerTests {
    /// 2026-03-02 (a Monday) at `hour`:`minute` UTC.
    static func monday(_ hour: Int64, _ minute: Int64 = 0, plusDays days: Int64 = 0) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: 1_772_409_600_000 + ((days * 24 + hour) * 60 + minute) * 60_000)
    }

    @Test("an untriaged ticket runs under P3 of version 1: 4 business hours and 3 business days from the next opening; the event carries them")
    func createdTimers() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        #expect(t.priority == nil)
        let sla = try #require(t.sla)
        #expect(sla.policyVersion == 1)
        // Opened Sunday: counting starts Monday 09:00.
        #expect(sla.firstResponse == SLATimer(deadlines: SLADeadlines(atRisk: Self.monday(12), due: Self.monday(13))))
        #expect(sla.resolution == SLATimer(deadlines: SLADeadlines(atRisk: Self.monday(11, plusDays: 2), due: Self.monday(17, plusDays: 2))))
        #expect(try await f.store.events(from: SequenceNumber(1), limit: 1).first?.after.sla == sla)
        // What a reader sees is what the writer wrote.
        #expect(try await TicketReader(path: f.path).detail(t.id)?.ticket.sla == sla)
        #expect(try f.scalar("SELECT sla_first_response_due FROM tickets") == Self.monday(13).millisecondsSinceEpoch)
    }

    @Test("version 1 takes the store's time zone (CAMPUSDESK_TZ); a reopened store keeps its version")
    func versionOneZone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        _ = try TicketStore(path: dir.path("t.db"), classifier: KeywordClassifier(), clock: TestClock(), timeZone: berlin)
        _ = try TicketStore(path: dir.path("t.db"), classifier: KeywordClassifier(), clock: TestClock(), timeZone: .gmt)
        let db = try Connection(path: dir.path("t.db"), mode: .readOnly)
        let rows = try db.prepare("SELECT version, calendar FROM sla_versions").query([]) { ($0.int64(at: 0), $0.text(at: 1)) }
        #expect(rows.count == 1 && rows[0].0 == 1)
        #expect(rows.first?.1.contains("Europe\\/Berlin") == true || rows.first?.1.contains("Europe/Berlin") == true)
    }

    @Test("a customer's message leaves first response running; the first staff message meets it, a later one does not move it")
    func staffMessageMeetsFirstResponse() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        _ = try await f.run(.customer, .postMessage(PostMessage(ticketID: t.id, body: "Still broken")))
        f.clock.set(Self.monday(10))
        let reply = try await f.run(.agent, .postMessage(PostMessage(ticketID: t.id, body: "On our way")))
        f.clock.set(Self.monday(11))
        _ = try await f.run(.agent, .postMessage(PostMessage(ticketID: t.id, body: "Fixed?")))
        let events = try await f.store.events(from: SequenceNumber(2), limit: 10)
        #expect(events.map { $0.after.sla?.firstResponse.metAt } == [nil, Self.monday(10), Self.monday(10)])
        #expect(events[1].before?.sla?.firstResponse.metAt == nil)
        #expect(reply.ticket?.sla?.firstResponse.state(now: Self.monday(20)) == .met)
        #expect(try f.scalar("SELECT sla_first_response_met_at FROM tickets") == Self.monday(10).millisecondsSinceEpoch)
    }

    @Test("active meets first response, closed meets resolution, a reopen lets resolution run again on its first deadlines")
    func lifecycle() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.set(Self.monday(14))
        let active = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active))).ticket?.sla)
        #expect(active.firstResponse.metAt == Self.monday(14))
        #expect(active.firstResponse.state(now: Self.monday(15)) == .breached, "met after the due time stays breached")
        f.clock.set(Self.monday(15))
        let closed = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed))).ticket?.sla)
        #expect(closed.resolution.metAt == Self.monday(15) && closed.firstResponse.metAt == Self.monday(14))
        #expect(closed.state(now: Self.monday(16)) == .breached)
        f.clock.set(Self.monday(16))
        let reopened = try #require(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active, reason: "Again"))).ticket?.sla)
        #expect(reopened.resolution == t.sla?.resolution, "running again on the deadlines from the opening time")
        #expect(reopened.firstResponse.metAt == Self.monday(14))
        let events = try await f.store.events(from: SequenceNumber(2), limit: 10)
        #expect(events.map { $0.after.sla?.resolution.metAt } == [nil, Self.monday(15), nil])
    }

    @Test("a priority change recomputes running timers from the opening time, resets what was recorded, keeps a met timer")
    func priorityChange() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.set(Self.monday(13, 30))
        try await record(f, t.id, .firstResponse, .atRisk, at: Self.monday(12))
        try await record(f, t.id, .firstResponse, .breached, at: Self.monday(13))
        _ = try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        let p1 = try #require(try await f.run(.agent, .setTriage(SetTriage(ticketID: t.id, priority: .pinned(.p1)))).ticket?.sla)
        // First response was met (at 13:30, breached): it keeps its deadlines and what was recorded.
        #expect(p1.firstResponse.deadlines.due == Self.monday(13) && p1.firstResponse.recorded == .breached)
        // Resolution: P1 is 4 hours around the clock from Sunday 09:00.
        let opened = t.openedAt
        #expect(p1.resolution.deadlines == SLADeadlines(atRisk: opened.adding(milliseconds: 180 * 60_000), due: opened.adding(milliseconds: 240 * 60_000)))
        #expect(p1.resolution.recorded == .onTrack)
    }

    @Test("recorded transitions reset by a priority change are in the trail")
    func priorityResetAudited() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.set(Self.monday(12, 30))
        try await record(f, t.id, .firstResponse, .atRisk, at: Self.monday(12))
        _ = try await f.run(.agent, .setTriage(SetTriage(ticketID: t.id, priority: .pinned(.p4))))
        let trail = try await f.store.history(t.id)
        #expect(trail.map(\.field) == [.slaFirstResponse, .priority, .slaFirstResponse])
        #expect(trail.map(\.newValue) == ["at_risk", "P4", "on_track"])
    }

    @Test("an imported ticket's timers are met by its first staff message and its close, under version 1")
    func importedTimers() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        f.clock.set(Self.monday(12, plusDays: 30))
        let opened = Self.monday(10)
        let reply = try await f.run(.agent, .importTicket(ImportTicket(
            description: "Projector dead", status: .closed, openedAt: opened, closedAt: Self.monday(16),
            messages: [ImportedMessage(authorRole: .customer, body: "Help", sentAt: Self.monday(10, 5)),
                       ImportedMessage(authorRole: .agent, body: "Looking", sentAt: Self.monday(10, 30))],
            priority: .p2)))
        let sla = try #require(reply.ticket?.sla)
        #expect(sla.firstResponse.metAt == Self.monday(10, 30) && sla.resolution.metAt == Self.monday(16))
        #expect(sla.firstResponse.deadlines.due == Self.monday(11))
        #expect(sla.state(now: f.clock.now()) == .met)
    }

    // MARK: - record_sla_transition

    @Test("a transition is recorded once: audited with its true time through channel sla, published as sla_changed; the same id answers the same, a new id changes nothing")
    func recordedOnce() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        f.clock.set(Self.monday(15))
        let id = CommandID.random()
        let transition = RecordSLATransition(ticketID: t.id, timer: .firstResponse, state: .atRisk, at: Self.monday(12))
        let first = try await f.store.apply([Self.monitor(transition, id: id)])[0]
        #expect(first.isApplied)
        #expect(first.ticket?.sla?.firstResponse.recorded == .atRisk)
        #expect(first.ticket?.modifiedAt == t.modifiedAt, "a transition is not activity on the ticket")
        let events = try await f.store.events(from: SequenceNumber(2), limit: 10)
        #expect(events.map(\.type) == [.slaChanged])
        #expect(events.first?.before?.sla?.firstResponse.recorded == .onTrack && events.first?.after.sla?.firstResponse.recorded == .atRisk)
        #expect(events.first?.occurredAt == Self.monday(15))
        let row = try #require(try await f.store.history(t.id).last)
        #expect(row.field == .slaFirstResponse && row.oldValue == "on_track" && row.newValue == "at_risk")
        #expect(row.channel == .sla && row.actorRole == .admin && row.actorID == nil && row.changedAt == Self.monday(12))

        let snapshot = try f.snapshot()
        let again = try await f.store.apply([Self.monitor(transition, id: id)])[0]
        #expect(again == first)
        let other = try await f.store.apply([Self.monitor(transition)])[0]
        #expect(other.isApplied && other.ticket?.sla == first.ticket?.sla)
        #expect(try f.snapshot().filter { !$0.hasPrefix("applied") } == snapshot.filter { !$0.hasPrefix("applied") })
        #expect(try f.scalar("SELECT count(*) FROM events") == 2)

        // Breached after at risk is recorded; at risk after breached is not.
        try await record(f, t.id, .firstResponse, .breached, at: Self.monday(13))
        try await record(f, t.id, .firstResponse, .atRisk, at: Self.monday(12), expectApplied: false)
        #expect(try await f.store.history(t.id).map(\.newValue) == ["at_risk", "breached"])
    }

    @Test("stale after a priority change: the old instant changes nothing, the new one is recorded")
    func staleAfterPriorityChange() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        let p1 = try #require(try await f.run(.agent, .setTriage(SetTriage(ticketID: t.id, priority: .pinned(.p1)))).ticket?.sla)
        f.clock.set(Self.monday(15))
        try await record(f, t.id, .firstResponse, .atRisk, at: Self.monday(12), expectApplied: false)
        try await record(f, t.id, .firstResponse, .breached, at: Self.monday(13), expectApplied: false)
        try await record(f, t.id, .firstResponse, .breached, at: p1.firstResponse.deadlines.due)
    }

    @Test("met before the instant: nothing recorded; met after it (late): recorded")
    func metBefore() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let early = try await f.create()
        let late = try await f.create()
        f.clock.set(Self.monday(11, 59))
        _ = try await f.run(.agent, .postMessage(PostMessage(ticketID: early.id, body: "Seen")))
        f.clock.set(Self.monday(12, 30))
        _ = try await f.run(.agent, .postMessage(PostMessage(ticketID: late.id, body: "Seen")))
        f.clock.set(Self.monday(14))
        try await record(f, early.id, .firstResponse, .atRisk, at: Self.monday(12), expectApplied: false)
        try await record(f, early.id, .firstResponse, .breached, at: Self.monday(13), expectApplied: false)
        try await record(f, late.id, .firstResponse, .atRisk, at: Self.monday(12))
        try await record(f, late.id, .firstResponse, .breached, at: Self.monday(13), expectApplied: false)
    }

    @Test("only the SLA monitor records: another channel, an account or a non-admin role is refused; a state other than at_risk or breached is invalid")
    func onlyTheMonitor() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        let transition = RecordSLATransition(ticketID: t.id, timer: .firstResponse, state: .atRisk, at: Self.monday(12))
        for command in [Command(role: .admin, action: .recordSLATransition(transition), channel: .api),
                        Command(role: .admin, action: .recordSLATransition(transition)),
                        Command(role: .agent, action: .recordSLATransition(transition), channel: .sla)] {
            let reply = try await f.store.apply([command])[0]
            #expect(reply.refusal?.code == .forbidden || reply.refusal?.code == .unauthenticated)
        }
        let bad = try await f.store.apply([Self.monitor(RecordSLATransition(ticketID: t.id, timer: .resolution, state: .met, at: Self.monday(12)))])[0]
        #expect(bad.refusal?.field == "state")
        #expect(try await f.store.history(t.id).isEmpty)
    }

    @Test("record_sla_transition round-trips through JSON under its wire name")
    func wireName() throws {
        let action = CommandAction.recordSLATransition(RecordSLATransition(ticketID: TicketID(7), timer: .resolution, state: .breached, at: Self.monday(9)))
        let data = try JSONEncoder().encode(action)
        #expect(String(decoding: data, as: UTF8.self).contains("\"type\":\"record_sla_transition\""))
        #expect(try JSONDecoder().decode(CommandAction.self, from: data) == action)
    }

    @Test("set_sla_policies: a new version for tickets opened after it; an older ticket's priority change retimes under its own version; customers are refused")
    func newVersion() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let old = try await f.create()
        var policies = SLAPolicies.default.policies
        policies[0].resolution = SLATarget(.minutes(60), clock: .aroundTheClock)  // P1 resolution: 1 hour
        let refused = try await f.run(.customer, .setSLAPolicies(SetSLAPolicies(policies: try SLAPolicies(policies))))
        #expect(refused.refusal?.code == .forbidden)
        let applied = try await f.store.apply([Command(role: .agent, action: .setSLAPolicies(SetSLAPolicies(policies: try SLAPolicies(policies))),
                                                       channel: .web, actorName: "Desk")])[0]
        #expect(applied.isApplied)
        #expect(try f.scalar("SELECT max(version) FROM sla_versions") == 2)
        let new = try await f.create()
        #expect(new.sla?.policyVersion == 2)
        let newP1 = try #require(try await f.run(.agent, .setTriage(SetTriage(ticketID: new.id, priority: .pinned(.p1)))).ticket?.sla)
        let oldP1 = try #require(try await f.run(.agent, .setTriage(SetTriage(ticketID: old.id, priority: .pinned(.p1)))).ticket?.sla)
        #expect(newP1.resolution.deadlines.due == new.openedAt.adding(milliseconds: 60 * 60_000))
        #expect(oldP1.resolution.deadlines.due == old.openedAt.adding(milliseconds: 240 * 60_000), "version 1's P1: 4 hours")
        #expect(oldP1.policyVersion == 1)
    }

    // MARK: - Helpers

    static func monitor(_ t: RecordSLATransition, id: CommandID = .random()) -> Command {
        Command(id: id, role: .admin, action: .recordSLATransition(t), channel: .sla)
    }

    /// Sends the transition and checks whether it changed the timer's `recorded` to its state.
    func record(_ f: StoreFixture, _ id: TicketID, _ timer: SLATimerKind, _ state: SLAState, at: Timestamp,
                expectApplied: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try f.scalar("SELECT count(*) FROM events")
        let reply = try await f.store.apply([Self.monitor(RecordSLATransition(ticketID: id, timer: timer, state: state, at: at))])[0]
        #expect(reply.refusal == nil, sourceLocation: sourceLocation)
        let after = try f.scalar("SELECT count(*) FROM events")
        #expect(after == before + (expectApplied ? 1 : 0), sourceLocation: sourceLocation)
        if expectApplied { #expect(reply.ticket?.sla?[timer].recorded == state, sourceLocation: sourceLocation) }
    }
}
