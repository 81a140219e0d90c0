import Foundation
import Testing
import Domain
import SpoolBroker
import TestSupport
@testable import Notifier

/// The notifier's dead notifications in `campusdesk queue` (``QueueCLI`` with ``NotificationsQueue``):
/// a row in `list`, `dead notifications` with id, reason, recipient and channel, and `retry
/// notifications ID|--all`, after which the notifier sends them. A real notifier, queue file and
/// HTTP server (Python's http.server).
@Suite(.onDedicatedThreads) struct NotificationsQueueTests {
    private func run(_ args: [String], _ rig: NotifierRig) throws -> QueueCLI.Output {
        QueueCLI.run(args, environment: ["CAMPUSDESK_SPOOL": rig.dir.path("spool")], clock: rig.clock,
                     external: [try NotificationsQueue(path: rig.queue.path)])
    }

    @Test func deadNotifications_AreListed_AndRetriedFromQueue_ThenSentByTheNotifier() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        // The first two POSTs are refused (400: dead at once), later ones accepted.
        let server = try await WebhookServer(directory: http.path("in"), statuses: [400, 400])
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p1), webhook: Webhook(url: server.url, timeout: .seconds(20)))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let dead = try rig.queue.list(.dead)
        try #require(dead.count == 2)

        rig.clock.advance(by: .seconds(90))
        let list = try run(["list"], rig)
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("QUEUE") == true)
        #expect(lines.last == "notifications" + String(repeating: " ", count: 15) + "        0        0      2  -")
        #expect(lines.contains { $0.hasPrefix("events.notifier") })

        let text = try run(["dead", "notifications"], rig)
        #expect(text.status == 0)
        let user2 = try #require(dead.first { $0.recipientKey == "user:2" })
        #expect(text.stdout.contains("""
            \(user2.id)  ticket=#42  kind=ticket_created  channel=webhook  recipient=ann@campus.test  attempts=1
              reason: webhook: HTTP 400

            """))
        let json = try run(["--json", "dead", "notifications"], rig)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(rows.count == 2)
        #expect(Set(rows.compactMap { $0["recipient"] }) == ["zoe@campus.test", "ann@campus.test"])
        #expect(rows.allSatisfy { $0["channel"] == "webhook" && $0["reason"] == "webhook: HTTP 400" && $0["id"] != nil })

        // One by its number, then the rest with --all; the notifier sends each.
        let one = try run(["retry", "notifications", String(user2.id)], rig)
        #expect(one.status == 0 && one.stdout == "retried 1 from notifications\n")
        try await rig.notifier.deliverDue()
        #expect(try server.received().compactMap { $0.header("Idempotency-Key") } == ["1:user:2:webhook"])
        let all = try run(["retry", "notifications", "--all"], rig)
        #expect(all.stdout == "retried 1 from notifications\n")
        try await rig.notifier.deliverDue()
        #expect(Set(try server.received().compactMap { $0.header("Idempotency-Key") }) == ["1:user:1:webhook", "1:user:2:webhook"])
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 6, .dead: 0])
        #expect(try run(["dead", "notifications"], rig).stdout == "(notifications has no dead letters)\n")
    }

    @Test func unknownNumber_AndSpoolOnlyCommands_AreErrors() throws {
        let rig = try NotifierRig(relay: nil)
        defer { rig.dir.remove() }
        let missing = try run(["retry", "notifications", "99"], rig)
        #expect(missing.status == 1 && missing.stderr == "campusdesk queue: no dead letter 99 in notifications\n")
        #expect(try run(["retry", "notifications", "x"], rig).status == 1)
        let peek = try run(["peek", "notifications"], rig)
        #expect(peek.status == 1 && peek.stderr.contains("only list, dead and retry"))
        #expect(try run(["retry", "notifications"], rig).status == 64)
        // Without a notifications.db there is no such queue (and none is made).
        let data = try TemporaryDirectory("data")
        defer { data.remove() }
        #expect(NotificationsQueue.inDataDirectory(data.path) == nil)
        #expect(!FileManager.default.fileExists(atPath: data.path("notifications.db")))
    }
}
