import Foundation
import Testing
import Fixtures
import TestSupport
import Domain
import SQLiteKit
import Notifier
@testable import Operations

/// `notifications.db` in a real backup and a real restore (the runbook's steps on files): what was
/// waiting and what was dead is still there, in the same state, and the restored queue works on.
@Suite(.onDedicatedThreads) struct NotificationsBackupTests {
    @Test("pending, sent and dead notifications survive a backup and restore, copied before tickets.db and never ahead of it")
    func notificationsSurviveRestore() async throws {
        let fixture = try StoreFixture()
        defer { fixture.dir.remove() }
        let work = try TemporaryDirectory()
        defer { work.remove() }
        for n in 0..<3 { _ = try await fixture.create("Broken door \(n) in hall B") }

        let at = Timestamp(millisecondsSinceEpoch: 1_772_355_600_000)
        let queue = try DeliveryQueue(path: fixture.dir.path(Backup.notificationsFileName))
        let zoe = Recipient(key: "contact:zoe@campus.test", email: "zoe@campus.test", phone: "+41790000001")
        func item(_ seq: Int64, _ channel: NotificationChannel) -> DeliveryQueue.NewItem {
            DeliveryQueue.NewItem(eventSeq: seq, ticketID: TicketID(seq), kind: .ticketCreated, channel: channel, recipient: zoe,
                                  subject: "Ticket #\(seq) has been created", body: "body \(seq)")
        }
        try queue.enqueue([item(1, .email), item(2, .email), item(3, .email), item(3, .sms)], now: at)
        let rows = try queue.list(nil).sorted { $0.id < $1.id }
        try queue.markSent(rows[0].id, now: at)
        try queue.markFailed(rows[1].id, permanent: true, reason: "550 no such user", now: at)
        try queue.markFailed(rows[2].id, permanent: false, reason: "451 try later", now: at)
        let before = try queue.list(nil)

        let target = work.path("backup")
        let manifest = try Backup(dataDirectory: fixture.dir.url.path).run(into: target)
        #expect(manifest.entries.map(\.file) == [Backup.notificationsFileName, "tickets.db"])
        let notifications = try #require(manifest.entries.first)
        #expect(notifications.lastSeq == SequenceNumber(3))
        #expect(notifications.lastSeq <= manifest.entries[1].lastSeq)

        // Restore into a fresh data directory: copy both files back, nothing else.
        let restored = work.path("data")
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)
        for name in [Backup.notificationsFileName, "tickets.db"] {
            try FileManager.default.copyItem(atPath: "\(target)/\(name)", toPath: "\(restored)/\(name)")
        }
        let back = try DeliveryQueue(path: "\(restored)/\(Backup.notificationsFileName)")
        #expect(try back.list(nil) == before)
        #expect(try back.counts() == [.pending: 2, .sent: 1, .dead: 1])
        let dead = try #require(try back.list(.dead).first)
        #expect(dead.lastError == "550 no such user")
        // The waiting ones are due when they were (the retry keeps its backoff), and the dead one can be retried.
        #expect(try back.due(now: at).map(\.key) == ["3:contact:zoe@campus.test:sms"])
        #expect(try back.due(now: Timestamp(millisecondsSinceEpoch: at.millisecondsSinceEpoch + 30_000)).map(\.key).sorted()
                == ["3:contact:zoe@campus.test:email", "3:contact:zoe@campus.test:sms"])
        #expect(try back.retry(dead.id, now: at))
        // A redelivered event is still known after the restore: nothing is stored twice.
        #expect(try back.enqueue([item(1, .email), item(2, .email)], now: at) == 0)
    }
}
