import Foundation
import Testing
import Domain
import TestSupport
@testable import Notifier

/// Per-person preferences stored in the real `notifications.db`, applied by the real notifier when
/// it stores an event's notifications (Maildir mock, test clock).
@Suite(.onDedicatedThreads) struct NotificationPreferenceTests {
    static func settings() -> Notifier.Settings {
        var s = Notifier.Settings()
        s.timeZone = TimeZone(identifier: "Europe/Amsterdam")!
        return s
    }

    static func statusChanged(seq: Int64) -> ChangeEvent {
        let after = TicketFacts(category: .it, status: .active, openedAt: People.at, closedAt: nil)
        return People.event(.statusChanged, seq: seq, after: after, changes: [People.change(.status, by: People.agent, old: "open", new: "active")])
    }

    @Test("channels: none tells nothing, a chosen channel replaces the default; quiet hours hold non-urgent notices to staff too")
    func preferencesApply() async throws {
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(assignee: People.engineer.id), settings: Self.settings())
        defer { rig.dir.remove() }
        try rig.queue.setPreference(NotificationPreference(userID: People.engineer.id, channels: []))
        #expect(try await rig.notifier.store(People.event(.ticketAssigned, seq: 1, changes: [People.change(.assignee, by: People.agent, old: nil, new: "3")])) == 0)

        try rig.queue.setPreference(NotificationPreference(userID: People.customer.id, channels: [.sms]))
        #expect(try await rig.notifier.store(Self.statusChanged(seq: 2)) == 1)
        #expect(try rig.queue.list(nil).map(\.channel) == [.sms])

        // People.at is Sunday 10:00 in Amsterdam: quiet until 12:00 (11:00 UTC), whoever they are.
        try rig.queue.setPreference(NotificationPreference(userID: People.engineer.id, quietHours: ContactWindow(parsing: "daily 08:00-12:00")))
        #expect(try await rig.notifier.store(People.event(.ticketAssigned, seq: 3, changes: [People.change(.assignee, by: People.agent, old: nil, new: "3")])) == 1)
        let held = try #require(try rig.queue.list(nil).first { $0.eventSeq == 3 })
        #expect(held.channel == .email)
        #expect(held.heldUntil == People.at.adding(milliseconds: 2 * 3_600_000))
        try await rig.notifier.deliverDue()
        #expect(try rig.queue.counts() == [.pending: 1, .sent: 1, .dead: 0])
        rig.clock.advance(by: .seconds(2 * 3600))
        try await rig.notifier.deliverDue()
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 2, .dead: 0])
        #expect(try rig.outbox.mails().count == 1)
        #expect(try rig.outbox.textMessages().map(\.to) == ["+41790000001"])
    }

    @Test("stored, replaced and listed; the channel texts read back")
    func storedAndParsed() throws {
        let dir = try TemporaryDirectory("prefs")
        defer { dir.remove() }
        let queue = try DeliveryQueue(path: dir.path("notifications.db"))
        #expect(try queue.preference(of: UserID(7)) == nil)
        let quiet = ContactWindow(parsing: "daily 22:00-07:00")
        try queue.setPreference(NotificationPreference(userID: UserID(7), channels: [.email, .sms], quietHours: quiet))
        try queue.setPreference(NotificationPreference(userID: UserID(3), channels: []))
        try queue.setPreference(NotificationPreference(userID: UserID(7), channels: [.email], quietHours: quiet))
        #expect(try queue.preferences() == [NotificationPreference(userID: UserID(3), channels: []),
                                             NotificationPreference(userID: UserID(7), channels: [.email], quietHours: quiet)])
        #expect(NotificationPreference.channels(parsing: "default") == .some(nil))
        #expect(NotificationPreference.channels(parsing: "none") == .some([]))
        #expect(NotificationPreference.channels(parsing: "text,e-mail") == .some([.email, .sms]))
        #expect(NotificationPreference.channels(parsing: "pigeon") == nil)
        #expect(NotificationPreference(userID: UserID(1), channels: [.sms, .email]).channelsText == "email,sms")
        // Urgent notices ignore quiet hours.
        let notice = Notice(kind: .slaBreached, recipient: Recipient(People.manager), channel: .email, urgent: true)
        #expect(Notifier.waitUntil(notice, ticket: People.ticket(), isReporter: false, quietHours: ContactWindow(parsing: "daily 00:00-24:00"),
                                   timeZone: .gmt, now: People.at) == nil)
    }
}
