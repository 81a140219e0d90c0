import Foundation
import Testing
import Domain
import TestSupport
@testable import Notifier

/// The reporter's preferred contact window through the real queue, on a test clock, to a real SMTP
/// server (aiosmtpd): non-urgent notices wait for the opening and go as one message; staff's, P1's
/// and urgent ones go at once.
@Suite(.onDedicatedThreads) struct ContactWindowDeliveryTests {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!
    /// People.at is Sunday 2026-03-01 10:00 CET; "weekdays 14:00-16:00" opens Monday 14:00 CET (13:00 UTC), 28 h later.
    static let opening = People.at.adding(milliseconds: 28 * 3_600_000)

    static func ticket(priority: Priority = .p3) -> TicketSnapshot {
        var t = People.ticket(priority: priority, assignee: People.engineer.id)
        t.preferredContactTime = ContactWindow(parsing: "weekdays 14:00-16:00")
        t.lastMessageAuthorRole = .agent
        t.lastMessageBody = "We are on it."
        return t
    }

    static func settings() -> Notifier.Settings {
        var s = Notifier.Settings()
        s.timeZone = amsterdam
        return s
    }

    static func statusChanged(seq: Int64, to status: Status) -> ChangeEvent {
        let after = TicketFacts(category: .it, status: status, openedAt: People.at, closedAt: nil)
        return People.event(.statusChanged, seq: seq, after: after, changes: [People.change(.status, by: People.agent, old: "open", new: status.rawValue)])
    }

    @Test("outside the window the reporter's notices wait for its opening and arrive as one message; the engineer's goes at once")
    func waitingNotices_AreCombinedAtTheOpening() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: DeliveryTests.script, directory: smtp.path("in"))
        defer { server.stop() }
        let rig = try NotifierRig(relay: DeliveryTests.relay(server.port), ticket: Self.ticket(), settings: Self.settings())
        defer { rig.dir.remove() }

        #expect(try await rig.notifier.store(Self.statusChanged(seq: 1, to: .active)) == 1)
        #expect(try await rig.notifier.store(People.event(.messagePosted, seq: 2)) == 1)
        #expect(try await rig.notifier.store(People.event(.ticketAssigned, seq: 3, changes: [People.change(.assignee, by: People.agent, old: nil, new: "3")])) == 1)
        let waiting = try rig.queue.list(.pending).filter { $0.heldUntil != nil }
        #expect(waiting.map(\.eventSeq).sorted() == [1, 2])
        #expect(waiting.allSatisfy { $0.nextAttemptAt == Self.opening && $0.heldUntil == Self.opening })

        try await rig.notifier.deliverDue()
        var got = try server.received()
        #expect(got.map(\.rcpt_tos) == [["eve@campus.test"]])

        // A millisecond before the opening nothing more; at the opening one message with both.
        rig.clock.advance(by: .milliseconds(28 * 3_600_000 - 1))
        try await rig.notifier.deliverDue()
        #expect(try server.received().count == 1)
        rig.clock.advance(by: .milliseconds(1))
        try await rig.notifier.deliverDue()
        got = try server.received()
        try #require(got.count == 2)
        #expect(got[1].rcpt_tos == ["zoe@campus.test"])
        #expect(got[1].subject == "Ticket #42: 2 updates")
        #expect(got[1].body.contains("1. Ticket #42 is now open"))
        #expect(got[1].body.contains("2. New message on ticket #42"))
        #expect(got[1].body.contains("We are on it."))
        #expect(got[1].body.components(separatedBy: "CampusDesk (this message was sent automatically)").count == 2)
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 3, .dead: 0])

        // Inside the window a notice goes at once, alone.
        #expect(try await rig.notifier.store(Self.statusChanged(seq: 4, to: .closed)) == 1)
        try await rig.notifier.deliverDue()
        got = try server.received()
        #expect(got.count == 3)
        // (The text shows the ticket as the notifier reads it: FixedContext's is open.)
        #expect(got.last?.subject == "Ticket #42 is now open")
        #expect(got.last?.rcpt_tos == ["zoe@campus.test"])
    }

    @Test("a P1 ticket's notices to the reporter go at once, outside the window too")
    func p1_GoesAtOnce() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: DeliveryTests.script, directory: smtp.path("in"))
        defer { server.stop() }
        let rig = try NotifierRig(relay: DeliveryTests.relay(server.port), ticket: Self.ticket(priority: .p1), settings: Self.settings())
        defer { rig.dir.remove() }
        #expect(try await rig.notifier.store(Self.statusChanged(seq: 1, to: .active)) == 1)
        try await rig.notifier.deliverDue()
        let got = try server.received()
        #expect(got.map(\.rcpt_tos) == [["zoe@campus.test"]])
        #expect(try rig.queue.list(nil).allSatisfy { $0.heldUntil == nil })
    }

    @Test("what waits: only non-urgent notices to the reporter; SLA breaches, urgent and P1 notices never")
    func waitUntil_Rules() {
        let ticket = Self.ticket()
        let reporter = Recipient(People.customer)
        func wait(_ kind: NotificationKind, urgent: Bool = false, _ t: TicketSnapshot = ticket) -> Timestamp? {
            Notifier.waitUntil(Notice(kind: kind, recipient: reporter, channel: .email, urgent: urgent), ticket: t, isReporter: true, timeZone: Self.amsterdam, now: People.at)
        }
        #expect(wait(.statusChanged) == Self.opening)
        #expect(wait(.messagePosted) == Self.opening)
        #expect(wait(.slaBreached) == nil)
        #expect(wait(.ticketCreated, urgent: true) == nil)
        #expect(wait(.statusChanged, Self.ticket(priority: .p1)) == nil)
        var none = ticket
        none.preferredContactTime = nil
        #expect(wait(.statusChanged, none) == nil)
        // Inside the window: at once.
        #expect(Notifier.waitUntil(Notice(kind: .statusChanged, recipient: reporter, channel: .email, urgent: false), ticket: ticket,
                                   isReporter: true, timeZone: Self.amsterdam, now: Self.opening) == nil)
        // Staff are not held by the reporter's window.
        #expect(Notifier.waitUntil(Notice(kind: .statusChanged, recipient: reporter, channel: .email, urgent: false), ticket: ticket,
                                   isReporter: false, timeZone: Self.amsterdam, now: People.at) == nil)
    }
}
