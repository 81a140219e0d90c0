import Foundation
import Domain
import Logging
import HTTPServer
import Notifier
import SpoolBroker
import TestSupport
import Testing
@testable import WebGateway

/// The web inbox through the gateway (issue 17, "In the web UI"): the real ticket store and
/// reader, the real notifier storing the store's own change events into `notifications.db` in the
/// gateway's data directory, and the gateway's marks and preferences going to that notifier as
/// commands over a real spool and coming back as its replies.
@Suite(.onDedicatedThreads) struct NotificationRouteTests {
    /// The notifier beside a world: its own spool, the gateway's request client, its run loop.
    final class NotifierSide {
        let spool: TemporaryDirectory
        let client: RequestClient
        let sender: BrokerInboxCommandSender
        private(set) var notifier: Notifier?
        private var running: Task<Void, any Error>?
        let stop = StopFlag()

        init() throws {
            spool = try TemporaryDirectory("inbox-spool")
            let broker = try SpoolMessageBroker(root: spool.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
            client = try RequestClient(broker: broker, processName: "gateway-test", logger: Logger(component: "client", minimumLevel: .error))
            sender = BrokerInboxCommandSender(client: client)
        }

        /// Starts the notifier on `world`'s data directory, reading its ticket store.
        func start(_ world: AccountsWorld) throws {
            let broker = try SpoolMessageBroker(root: spool.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
            let dispatcher = Dispatcher(relay: nil, outbox: try Outbox(directory: spool.path("outbox")), from: .init(name: "CampusDesk", email: "desk@campus.test"))
            let notifier = try Notifier(broker: broker, queuePath: NotifierConfiguration.queuePath(inDataDirectory: world.directory.path),
                                        context: TicketReaderContext(reader: world.reader), dispatcher: dispatcher, clock: world.clock,
                                        logger: Logger(component: "notifier", minimumLevel: .error))
            self.notifier = notifier
            let stop = self.stop
            // On threads of its own: a busy cooperative pool (other suites) must not leave the gateway's commands unanswered.
            running = Task(executorPreference: DedicatedThreads.shared) { try await notifier.run(shouldStop: { stop.isSet }) }
        }

        /// Hands the store's change events to the notifier, as the ticket worker's publishing would.
        func deliverEvents(of world: AccountsWorld) async throws {
            let notifier = try #require(notifier)
            for event in try await world.worker.store.events(from: SequenceNumber(1), limit: 1000) { try await notifier.store(event) }
        }

        func finish() async throws {
            stop.set()
            try await running?.value
            client.close()
            spool.remove()
        }
    }

    static func inbox(_ world: AccountsWorld) -> InboxReader {
        InboxReader(path: NotifierConfiguration.queuePath(inDataDirectory: world.directory.path))
    }

    @Test("network desk: the header counts, the page lists newest first and escapes, marks go to the notifier, another person's entry is not found")
    func networkDeskInbox() async throws {
        let side = try NotifierSide()
        let world = try AccountsWorld(inboxCommands: side.sender)
        try side.start(world)
        let cy = try await world.account("Cy", .customer), ana = try await world.account("Ana", .engineer)
        _ = try await world.ticket(by: cy, assignedTo: ana, "Projector <script>alert(1)</script> flickers")
        try await side.deliverEvents(of: world)
        // Something the notifier wrote with markup in its subject (the test's own writer connection).
        let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: world.directory.path))
        try queue.enqueue([], inbox: [Inbox.NewEntry(recipientKey: Inbox.key(user: cy.id), eventSeq: 99, ticketID: TicketID(1), kind: .messagePosted,
                                                     subject: "<b>bold</b> & co", excerpt: "a \"quoted\" <i>line</i>")], now: world.clock.now())
        let reader = Self.inbox(world)
        #expect(try reader.unreadCount(of: Inbox.key(user: cy.id)) == 2)

        var browser = await Browser.signedIn(world, cy)
        let list = await browser.get("/tickets")
        #expect(list.text.contains("<a href=\"/notifications\">Notifications (2<span class=\"visually-hidden\"> unread</span>)</a>"))
        let page = await browser.get("/notifications")
        #expect(page.status == .ok)
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        #expect(page.text.contains("&lt;b&gt;bold&lt;/b&gt; &amp; co") && !page.text.contains("<b>bold</b>"))
        #expect(page.text.contains("a &quot;quoted&quot; &lt;i&gt;line&lt;/i&gt;"))
        #expect(page.text.contains("Projector &lt;script&gt;alert(1)&lt;/script&gt; flickers") && !page.text.contains("<script>alert"))
        #expect(page.text.contains("<a href=\"/tickets/1\">Ticket #1 has been created</a>"))
        // Newest first: the injected entry, then the receipt.
        let newest = try #require(page.text.range(of: "&lt;b&gt;bold")), receipt = try #require(page.text.range(of: "Ticket #1 has been created"))
        #expect(newest.lowerBound < receipt.lowerBound)
        #expect(page.text.contains("2 unread notifications."))

        let entries = try reader.entries(of: Inbox.key(user: cy.id))
        let anas = try reader.entries(of: Inbox.key(user: ana.id))
        #expect(anas.map(\.subject) == ["Ticket #1 is assigned to you"])
        // Without the form's token nothing happens.
        #expect(await browser.post("/notifications/read", [("id", "\(entries[1].id)")], token: .some(nil)).status == .forbidden)
        let one = await browser.post("/notifications/read", [("id", "\(entries[1].id)")])
        #expect(one.status == .seeOther && one.headers["Location"] == "/notifications?done=read")
        #expect(try reader.unreadCount(of: Inbox.key(user: cy.id)) == 1)
        let after = await browser.get("/notifications?done=read")
        #expect(after.text.contains("Marked as read.") && after.text.contains("Notifications (1<span"))
        // Ana's entry, asked for from Cy's inbox: not found there, and still unread in hers.
        let theirs = await browser.post("/notifications/read", [("id", "\(anas[0].id)")])
        #expect(theirs.status == .notFound && theirs.text.contains("There is no such notification among yours."))
        #expect(try reader.unreadCount(of: Inbox.key(user: ana.id)) == 1)
        _ = await browser.get("/notifications")
        let all = await browser.post("/notifications/read", [("all", "1"), ("through_id", "\(entries[0].id)")])
        #expect(all.status == .seeOther && all.headers["Location"] == "/notifications?done=all-read")
        let none = await browser.get("/notifications?done=all-read")
        #expect(none.text.contains("You have no unread notifications.") && none.text.contains("<a href=\"/notifications\">Notifications</a>"))
        #expect(!none.text.contains("Mark all as read"))

        // The API: her own inbox, nobody else's.
        let api = try await APIClient.signedIn(world.gateway, ana)
        let r = await api.call("GET", "/api/notifications")
        #expect(r.status == .ok, "\(r.text)")
        #expect(r.json?["unread"] as? Int == 1)
        let items = try #require(r.json?["notifications"] as? [[String: Any]])
        #expect(items.map { $0["subject"] as? String } == ["Ticket #1 is assigned to you"])
        #expect(items.first?["read"] as? Bool == false && items.first?["read_at"] is NSNull && items.first?["ticket_id"] as? Int == 1)
        #expect(r.json?["next_before"] is NSNull)
        #expect(await api.call("GET", "/api/notifications?limit=0").status == .unprocessableContent)
        #expect(await APIClient(world.gateway).call("GET", "/api/notifications").status == .unauthorized)
        try await side.finish()
    }

    @Test("preferences: the form, saved through the notifier, shown again; refused values stay with their reason")
    func preferencesRoundTrip() async throws {
        let side = try NotifierSide()
        let world = try AccountsWorld(inboxCommands: side.sender)
        try side.start(world)
        let cy = try await world.account("Cy", .customer)
        var browser = await Browser.signedIn(world, cy)
        let form = await browser.get("/notifications/preferences")
        #expect(form.status == .ok)
        #expect(HTMLCheck.problems(form.text).isEmpty, "\(HTMLCheck.problems(form.text))")
        #expect(form.text.contains("<option value=\"default\" selected>"))
        let saved = await browser.post("/notifications/preferences", [("channels", "email"), ("quiet_days", "weekdays"), ("quiet_from", "22:00"), ("quiet_to", "7:00")])
        #expect(saved.status == .seeOther && saved.headers["Location"] == "/notifications/preferences?done=saved")
        let stored = try Self.inbox(world).preference(of: cy.id)
        #expect(stored == NotificationPreference(userID: cy.id, channels: [.email], quietHours: ContactWindow(parsing: "weekdays 22:00-07:00")))
        let again = await browser.get("/notifications/preferences?done=saved")
        #expect(again.text.contains("Your preferences are saved."))
        #expect(again.text.contains("<option value=\"email\" selected>") && again.text.contains("<option value=\"weekdays\" selected>"))
        #expect(again.text.contains("value=\"22:00\"") && again.text.contains("value=\"07:00\""))

        let wrong = await browser.post("/notifications/preferences", [("channels", "pigeon"), ("quiet_days", "daily"), ("quiet_from", "25:00"), ("quiet_to", "07:00")])
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("Please choose how you want to be told.") && wrong.text.contains("Give the times as HH:MM"))
        #expect(wrong.text.contains("value=\"25:00\""), "the input is shown again")
        let half = await browser.post("/notifications/preferences", [("channels", "none"), ("quiet_days", "daily"), ("quiet_from", "22:00"), ("quiet_to", "")])
        #expect(half.status == .unprocessableContent && half.text.contains("Give the time the quiet hours end"))
        #expect(try Self.inbox(world).preference(of: cy.id) == stored, "nothing refused was saved")
        let cleared = await browser.post("/notifications/preferences", [("channels", "none"), ("quiet_days", "daily"), ("quiet_from", ""), ("quiet_to", "")])
        #expect(cleared.status == .seeOther)
        #expect(try Self.inbox(world).preference(of: cy.id) == NotificationPreference(userID: cy.id, channels: []))
        try await side.finish()
    }

    @Test("campus desk: a named visitor's inbox is their browser's reporter key; others see their own; the API takes the same key")
    func campusDeskInbox() async throws {
        let side = try NotifierSide()
        let world = try AccountsWorld(authMode: .open, inboxCommands: side.sender)
        try side.start(world)
        var ana = Browser(world.gateway)
        await ana.enter(as: .customer, name: "Ana")
        _ = await ana.get("/tickets/new")
        let filed = await ana.post("/tickets", [("description", "The <b>door</b> of room 12 is stuck")])
        #expect(filed.status == .seeOther)
        try await side.deliverEvents(of: world)
        let page = await ana.get("/notifications")
        #expect(page.status == .ok && page.text.contains("Ticket #1 has been created") && page.text.contains("The &lt;b&gt;door&lt;/b&gt; of room 12"))
        #expect(page.text.contains("Notifications (1<span"))
        #expect(HTMLCheck.problems(page.text).isEmpty, "\(HTMLCheck.problems(page.text))")
        let key = try #require(ana.cookies["cd_browser"])
        _ = await ana.get("/notifications")
        #expect(await ana.post("/notifications/read", [("all", "1"), ("through_id", "1")]).status == .seeOther)
        #expect(try Self.inbox(world).unreadCount(of: Inbox.key(reporterKeyDigest: ReporterKey.digest(key))) == 0)

        var ben = Browser(world.gateway)
        await ben.enter(as: .customer, name: "Ben")
        let bens = await ben.get("/notifications")
        #expect(bens.status == .ok && bens.text.contains("Nothing yet") && !bens.text.contains("Ticket #1 has been created"))
        // Ben names Ana's entry: it is not in his inbox.
        #expect(await ben.post("/notifications/read", [("id", "1")]).status == .notFound)
        // Preferences belong to accounts.
        let prefs = await ben.get("/notifications/preferences")
        #expect(prefs.status == .ok && prefs.text.contains("Preferences belong to accounts.") && !prefs.text.contains("<select"))
        #expect(await ben.post("/notifications/preferences", [("channels", "none")]).status == .forbidden)
        // Someone who has not entered has no inbox yet.
        var stranger = Browser(world.gateway)
        #expect(await stranger.get("/notifications").status == .forbidden)

        // The API: the same key as a header reads the same inbox; none is refused.
        let api = APIClient(world.gateway)
        let r = await api.call("GET", "/api/notifications", headers: [("X-CampusDesk-Reporter-Key", key)])
        #expect(r.status == .ok && (r.json?["notifications"] as? [[String: Any]])?.first?["read"] as? Bool == true, "\(r.text)")
        #expect(await api.call("GET", "/api/notifications").status == .forbidden)
        try await side.finish()
    }
}
