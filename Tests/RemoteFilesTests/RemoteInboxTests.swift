import Domain
import Foundation
import NATSBroker
import Notifier
import Testing
import TestSupport
@testable import RemoteFiles

/// The web inbox over request/reply against a real `nats-server`: what a gateway on another
/// machine gets from the notifier is what the local reader reads from `notifications.db`.
@Suite("Inbox over NATS (real nats-server)", .serialized, .onDedicatedThreads,
       .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct RemoteInboxTests {
    @Test("pages (first, next, past the end), unread counts and preferences through the notifier match the local reader")
    func remoteMatchesLocal() async throws {
        let dir = try TemporaryDirectory("remote-inbox")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let path = dir.path("notifications.db")
        let queue = try DeliveryQueue(path: path)
        let cy = UserID(7), ana = UserID(8)
        let now = Timestamp(millisecondsSinceEpoch: 1_767_600_000_000)
        var entries: [Inbox.NewEntry] = []
        for i in 1...70 {
            let who: UserID = i % 5 == 0 ? ana : cy
            let kind: NotificationKind = i % 2 == 0 ? .messagePosted : .ticketCreated
            let ticket = TicketID(Int64(i % 9 + 1))
            entries.append(Inbox.NewEntry(recipientKey: Inbox.key(user: who), eventSeq: Int64(i), ticketID: ticket, kind: kind,
                                          subject: "Ticket \(i) <b>&</b> \u{201C}quoted\u{201D}", excerpt: "line \(i)"))
        }
        _ = try queue.enqueue([], inbox: entries, now: now)
        let cyFirst = try InboxReader(path: path).entries(of: Inbox.key(user: cy), limit: 10)
        _ = try queue.markRead(cyFirst.prefix(4).map(\.id), of: Inbox.key(user: cy), now: now)
        try queue.setPreference(NotificationPreference(userID: cy, channels: [.email], quietHours: ContactWindow(parsing: "weekdays 22:00-07:00")))

        let answering = try InboxQueryServer(url: server.url, name: "notifier.inbox", notificationsPath: path)
        defer { answering.close() }
        let remote = try RemoteInboxReader(url: server.url, name: "gateway.inbox")
        defer { remote.connection.close() }
        let local = InboxReader(path: path)

        for key in [Inbox.key(user: cy), Inbox.key(user: ana), Inbox.key(user: UserID(99))] {
            let page = try await remote.entries(of: key, before: nil, limit: 51)
            #expect(page == (try local.entries(of: key, before: nil, limit: 51)))
            if let last = page.last {
                #expect(try await remote.entries(of: key, before: last.id, limit: 51) == (try local.entries(of: key, before: last.id, limit: 51)))
            }
            #expect(try await remote.unreadCount(of: key) == (try local.unreadCount(of: key)))
        }
        #expect(try await remote.unreadCount(of: Inbox.key(user: cy)) == 52, "56 of Cy's, 4 read")
        #expect(try await remote.entries(of: Inbox.key(user: cy), before: nil, limit: 51).count == 51)
        #expect(try await remote.entries(of: Inbox.key(user: cy), before: nil, limit: 51).prefix(4).allSatisfy(\.isRead))
        #expect(try await remote.preference(of: cy) == (try local.preference(of: cy)))
        #expect(try await remote.preference(of: cy)?.quietHours != nil)
        #expect(try await remote.preference(of: ana) == nil)
    }

    @Test("no notifier answering: the read fails (the page's count is left out), it does not hang")
    func noNotifier() async throws {
        let dir = try TemporaryDirectory("remote-inbox")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let remote = try RemoteInboxReader(url: server.url, name: "gateway.inbox")
        defer { remote.connection.close() }
        await #expect { _ = try await remote.unreadCount(of: "user:1") } throws: { ($0 as? RemoteFilesError)?.kind == .unavailable }
    }
}
