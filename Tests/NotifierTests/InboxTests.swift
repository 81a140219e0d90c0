import Foundation
import Testing
import Domain
import Logging
import SpoolBroker
import SQLiteKit
import TestSupport
@testable import Notifier

/// The web channel (issue 17, "In the web UI"): the inbox in the real `notifications.db`, written
/// by the real notifier with each event, read by the gateway's read-only ``InboxReader``, changed
/// only through ``InboxCommand``s the notifier checks and applies, here also over a real spool.
@Suite(.onDedicatedThreads) struct InboxTests {
    static let digest = String(repeating: "ab", count: 32)

    @Test("an event is written to the inbox once, even when redelivered; always, whatever the channels and quiet hours")
    func inboxWrittenOncePerEvent() async throws {
        let rig = try NotifierRig(relay: nil)
        defer { rig.dir.remove() }
        // No e-mail, no text, and quiet all day: the inbox still gets it at once.
        try rig.queue.setPreference(NotificationPreference(userID: People.customer.id, channels: [], quietHours: ContactWindow(parsing: "daily 00:00-24:00")))
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 0)
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 0)
        let inbox = try rig.queue.inbox(of: "user:1")
        #expect(inbox.count == 1)
        #expect(inbox.first?.subject == "Ticket #42 has been created")
        #expect(inbox.first?.excerpt == "Wi-Fi down in the library")
        #expect(inbox.first?.ticketID == TicketID(42) && inbox.first?.isRead == false)
        #expect(try rig.queue.unreadCount(of: "user:1") == 1)
        // Nobody else heard of it (a P3: no agents on duty).
        let reader = InboxReader(path: rig.queue.path)
        #expect(try reader.entries(of: "user:2").isEmpty)
        #expect(try reader.entries(of: "user:1") == inbox)
    }

    @Test("a campus reporter's inbox is the reporter key's digest; nobody is told of their own action")
    func campusReporterInbox() async throws {
        var ticket = People.ticket()
        ticket.customerID = nil
        ticket.reporterKeyDigest = Self.digest
        let rig = try NotifierRig(relay: nil, ticket: ticket)
        defer { rig.dir.remove() }
        // No contact given: no e-mail or text, but the inbox of the browser that reported it.
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 0)
        let after = TicketFacts(category: .it, status: .active, openedAt: People.at, closedAt: nil)
        try await rig.notifier.store(People.event(.statusChanged, seq: 2, after: after, changes: [People.change(.status, by: People.agent, old: "open", new: "active")]))
        let key = Inbox.key(reporterKeyDigest: Self.digest)
        // (The subject says the status the ticket has when read: the fixed context's `open`.)
        #expect(try rig.queue.inbox(of: key).map(\.subject) == ["Ticket #42 is now open", "Ticket #42 has been created"])
        #expect(try rig.queue.unreadCount(of: key) == 2)
        // The agent assigns the ticket to themselves: the engineer-side notice is not theirs to get.
        try await rig.notifier.store(People.event(.ticketAssigned, seq: 3, changes: [People.change(.assignee, by: People.agent, old: nil, new: "2")]))
        #expect(try rig.queue.inbox(of: "user:2").isEmpty)
    }

    @Test("mark read and mark all read through the command path: a real spool, the running notifier, its reply")
    func markReadThroughTheCommandPath() async throws {
        var ticket = People.ticket(priority: .p2)
        ticket.lastMessageAuthorRole = .customer
        let rig = try NotifierRig(relay: nil, ticket: ticket)
        defer { rig.dir.remove() }
        // A P2: the customer's receipt and the agent's notice; then the customer's message for the agent.
        try await rig.notifier.store(People.event(.ticketOpened, seq: 1))
        try await rig.notifier.store(People.event(.messagePosted, seq: 2))
        let agentInbox = try rig.queue.inbox(of: "user:2")
        try #require(agentInbox.count == 2)
        let broker = try SpoolMessageBroker(root: rig.dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let client = try RequestClient(broker: broker, processName: "inbox-test", logger: Logger(component: "client", minimumLevel: .error))
        defer { client.close() }
        let stop = StopFlag()
        let notifier = rig.notifier
        // On threads of its own: a busy cooperative pool (other suites) must not delay its replies.
        let running = Task(executorPreference: DedicatedThreads.shared) { try await notifier.run(shouldStop: { stop.isSet }) }
        func send(_ command: InboxCommand) async throws -> InboxReply {
            let reply = try await client.request(try Envelope(type: InboxCommand.messageType, body: command, sentAt: rig.clock.now()),
                                                 to: try InboxCommand.queue(), timeout: TestTime.scaled(.seconds(30)))
            #expect(reply.type == InboxCommand.replyType)
            return try reply.decodeBody(InboxReply.self)
        }
        let agent = Actor(role: .agent, userID: People.agent.id)
        let one = try await send(InboxCommand(role: agent.role, userID: agent.userID, inbox: "user:2", action: .markRead(ids: [agentInbox[1].id])))
        #expect(one == InboxReply(changed: 1))
        #expect(try rig.queue.unreadCount(of: "user:2") == 1)
        #expect(try rig.queue.inbox(of: "user:2").map(\.isRead) == [false, true])
        let all = try await send(InboxCommand(role: agent.role, userID: agent.userID, inbox: "user:2", action: .markAllRead(throughID: agentInbox[0].id)))
        #expect(all == InboxReply(changed: 1))
        #expect(try InboxReader(path: rig.queue.path).unreadCount(of: "user:2") == 0)
        // The customer's receipt is untouched.
        #expect(try rig.queue.unreadCount(of: "user:1") == 1)
        stop.set()
        try await running.value
    }

    @Test("another person's inbox is refused: by owner, by entry, and preferences only for oneself")
    func anotherPersonsInboxIsRefused() async throws {
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p2))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        let customers = try rig.queue.inbox(of: "user:1")
        let receipt = try #require(customers.first)
        // The agent names the customer's inbox: refused before anything is read.
        let asAgent = try await rig.notifier.apply(InboxCommand(role: .agent, userID: People.agent.id, inbox: "user:1", action: .markRead(ids: [receipt.id])))
        #expect(asAgent.refusal == "a person may change only their own notifications")
        // Their own inbox, the customer's entry: not found there, nothing changed.
        let byEntry = try await rig.notifier.apply(InboxCommand(role: .agent, userID: People.agent.id, inbox: "user:2", action: .markRead(ids: [receipt.id])))
        #expect(byEntry.refusal == "no such notification in this inbox" && byEntry.changed == 0)
        #expect(try await rig.notifier.apply(InboxCommand(role: .agent, userID: People.agent.id, inbox: "user:1", action: .markAllRead(throughID: 99))).refusal != nil)
        // Someone without an account names an account's inbox; a reporter inbox with an account.
        #expect(try await rig.notifier.apply(InboxCommand(role: .customer, userID: nil, inbox: "user:1", action: .markAllRead(throughID: 99))).refusal != nil)
        #expect(try await rig.notifier.apply(InboxCommand(role: .customer, userID: People.customer.id, inbox: Inbox.key(reporterKeyDigest: Self.digest),
                                                          action: .markAllRead(throughID: 99))).refusal != nil)
        #expect(try await rig.notifier.apply(InboxCommand(role: .customer, userID: nil, inbox: "reporter:short", action: .markAllRead(throughID: 99))).refusal == "not an inbox")
        #expect(try await rig.notifier.apply(InboxCommand(role: .agent, userID: People.agent.id, inbox: "user:1",
                                                          action: .setPreference(channels: "none", quietHours: nil))).refusal != nil)
        #expect(try rig.queue.preference(of: People.customer.id) == nil)
        #expect(try rig.queue.unreadCount(of: "user:1") == 1)
    }

    @Test("preferences round trip through a command: stored as notify-prefs stores them, read back by the gateway's reader; bad ones refused")
    func preferencesRoundTrip() async throws {
        let rig = try NotifierRig(relay: nil)
        defer { rig.dir.remove() }
        let reader = InboxReader(path: rig.queue.path)
        let mine = { (action: InboxCommand.Action) in InboxCommand(role: .customer, userID: People.customer.id, inbox: "user:1", action: action) }
        #expect(try await rig.notifier.apply(mine(.setPreference(channels: "email,sms", quietHours: "daily 22:00-07:00"))) == InboxReply(changed: 1))
        let expected = NotificationPreference(userID: People.customer.id, channels: [.email, .sms], quietHours: ContactWindow(parsing: "daily 22:00-07:00"))
        #expect(try rig.queue.preference(of: People.customer.id) == expected)
        #expect(try reader.preference(of: People.customer.id) == expected)
        #expect(try await rig.notifier.apply(mine(.setPreference(channels: "default", quietHours: nil))) == InboxReply(changed: 1))
        #expect(try reader.preference(of: People.customer.id) == NotificationPreference(userID: People.customer.id))
        #expect(try await rig.notifier.apply(mine(.setPreference(channels: "pigeon", quietHours: nil))).refusal == NotificationPreference.channelsRule)
        #expect(try await rig.notifier.apply(mine(.setPreference(channels: "none", quietHours: "tea time"))).refusal == ContactWindow.rule)
        #expect(try await rig.notifier.apply(InboxCommand(role: .customer, userID: nil, inbox: Inbox.key(reporterKeyDigest: Self.digest),
                                                          action: .setPreference(channels: "none", quietHours: nil))).refusal == "preferences belong to accounts")
        #expect(try reader.preference(of: People.customer.id) == NotificationPreference(userID: People.customer.id))
    }

    @Test("the reader: a missing file is an empty inbox; the count stops at 100 (99+) and reads the partial index only")
    func readerAndCount() throws {
        let dir = try TemporaryDirectory("inbox")
        defer { dir.remove() }
        let reader = InboxReader(path: dir.path("notifications.db"))
        #expect(try reader.entries(of: "user:1").isEmpty)
        #expect(try reader.unreadCount(of: "user:1") == 0)
        #expect(try reader.preference(of: UserID(1)) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.path("notifications.db")), "the reader creates nothing")

        let queue = try DeliveryQueue(path: dir.path("notifications.db"))
        let entries = (1...150).map { Inbox.NewEntry(recipientKey: "user:1", eventSeq: Int64($0), ticketID: TicketID(Int64($0)), kind: .statusChanged,
                                                     subject: "Ticket #\($0) is now active", excerpt: "x") }
        try queue.enqueue([], inbox: entries, now: People.at)
        try queue.enqueue([], inbox: [Inbox.NewEntry(recipientKey: "user:2", eventSeq: 1, ticketID: TicketID(1), kind: .statusChanged, subject: "s", excerpt: "x")], now: People.at)
        #expect(try reader.unreadCount(of: "user:1") == Inbox.countCap)
        #expect(Inbox.countText(try reader.unreadCount(of: "user:1")) == "99+")
        #expect(Inbox.countText(3) == "3")
        #expect(try reader.unreadCount(of: "user:2") == 1)
        let page = try reader.entries(of: "user:1", limit: 50)
        #expect(page.count == 50 && page.first?.ticketID == TicketID(150))
        #expect(try reader.entries(of: "user:1", before: page.last?.id, limit: 50).first?.ticketID == TicketID(100))
        // The header's query: a search of the partial index of unread rows, never a scan of the table.
        let db = try Connection(path: dir.path("notifications.db"), mode: .readOnly)
        let plan = try db.prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM inbox WHERE recipient_key = ? AND read_at IS NULL LIMIT ?)")
            .query([.text("user:1"), .integer(100)]) { $0.text(at: 3) }
        #expect(plan.contains { $0.contains("SEARCH inbox USING COVERING INDEX inbox_unread (recipient_key=?") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN inbox") }, "\(plan)")
    }
}
