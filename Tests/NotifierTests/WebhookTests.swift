import Foundation
import Testing
import Domain
import SQLiteKit
import TestSupport
@testable import Notifier

/// The webhook channel through the notifier's queue to a real HTTP server (Python's http.server):
/// one POST per notice with its JSON and headers, retries on 5xx/429 and a refused connection,
/// dead on another 4xx, and e-mail going on whatever the webhook does. Backoff runs on the test clock.
@Suite(.onDedicatedThreads) struct WebhookTests {
    static func webhook(_ server: WebhookServer) -> Webhook { Webhook(url: server.url, timeout: .seconds(20)) }

    @Test func notice_IsPostedOnce_WithItsJSONAndHeaders() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"))
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 2) // the reporter's e-mail, and the webhook
        try await rig.notifier.deliverDue()
        let got = try server.received()
        try #require(got.count == 1)
        #expect(got[0].path == "/hooks/desk")
        #expect(got[0].header("Content-Type") == "application/json; charset=utf-8")
        #expect(got[0].header("Idempotency-Key") == "1:user:1:webhook")
        let payload = try JSONDecoder().decode(Webhook.Payload.self, from: Data(got[0].body.utf8))
        #expect(payload.id == "1:user:1:webhook")
        #expect(payload.eventSeq == 1)
        #expect(payload.kind == "ticket_created")
        #expect(payload.ticket == 42)
        #expect(payload.recipient == .init(key: "user:1", name: "Zoë Customer", address: "zoe@campus.test"))
        #expect(payload.subject == "Ticket #42 has been created")
        #expect(payload.body.contains("Description: Wi-Fi down in the library"))
        #expect(payload.link == "http://127.0.0.1:8080/tickets/42")
        #expect(payload.text == "Ticket #42 has been created (to Zoë Customer) http://127.0.0.1:8080/tickets/42")
        #expect(payload.createdAt == People.at.iso8601)
        // The JSON's own names, as docs/notifications.md shows them.
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(got[0].body.utf8)) as? [String: Any]).keys
        #expect(Set(keys) == ["id", "event_seq", "kind", "ticket", "recipient", "subject", "body", "link", "text", "created_at"])
        #expect(try rig.outbox.mails().count == 1)
        // A redelivered event and a second pass post nothing more.
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 0)
        try await rig.notifier.deliverDue()
        #expect(server.attempts() == 1)
        #expect(try rig.queue.counts()[.sent] == 2)
    }

    @Test func onePostPerPerson_NotPerChannel_AndNoneWithoutAURL() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"))
        defer { server.stop() }
        // P1: the reporter and the agent on duty, each by e-mail and text.
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p1), webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 6)
        try await rig.notifier.deliverDue()
        let keys = try server.received().compactMap { $0.header("Idempotency-Key") }
        #expect(keys.sorted() == ["1:user:1:webhook", "1:user:2:webhook"])
        #expect(try rig.outbox.textMessages().count == 2)

        let plain = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p1))
        defer { plain.dir.remove() }
        #expect(try await plain.notifier.store(People.event(.ticketOpened)) == 4)
    }

    @Test func serverError_AndTooManyRequests_AreRetriedAfterBackoff_ThenPosted() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"), statuses: [503, 429])
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        #expect(try rig.outbox.mails().count == 1) // the e-mail went meanwhile
        var pending = try rig.queue.list(.pending)
        try #require(pending.count == 1)
        #expect(pending[0].channel == .webhook && pending[0].attempts == 1 && pending[0].lastError == "webhook: HTTP 503")
        #expect(pending[0].nextAttemptAt == People.at.adding(milliseconds: 30_000))
        try await rig.notifier.deliverDue() // not due yet: nothing tried
        #expect(server.attempts() == 1)
        rig.clock.advance(by: .seconds(30))
        try await rig.notifier.deliverDue()
        pending = try rig.queue.list(.pending)
        #expect(pending.first?.attempts == 2 && pending.first?.lastError == "webhook: HTTP 429")
        rig.clock.advance(by: .seconds(60))
        try await rig.notifier.deliverDue()
        #expect(server.attempts() == 3)
        let got = try server.received()
        #expect(got.count == 1 && got.first?.header("Idempotency-Key") == "1:user:1:webhook")
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 2, .dead: 0])
    }

    @Test func badRequest_IsDeadWithItsReason_AndEmailGoesOn() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"), status: 400)
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let dead = try rig.queue.list(.dead)
        try #require(dead.count == 1)
        #expect(dead[0].channel == .webhook && dead[0].attempts == 1 && dead[0].lastError == "webhook: HTTP 400")
        #expect(try rig.outbox.mails().count == 1)
        #expect(try rig.queue.counts()[.sent] == 1)
        // Not tried again on its own.
        rig.clock.advance(by: .seconds(3600))
        try await rig.notifier.deliverDue()
        #expect(server.attempts() == 1)
    }

    @Test func unansweredPost_TimesOut_AsATemporaryFailure() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"), status: 0)
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, webhook: Webhook(url: server.url, timeout: .seconds(1)))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let pending = try rig.queue.list(.pending)
        try #require(pending.count == 1)
        #expect(pending[0].channel == .webhook && pending[0].attempts == 1)
        #expect(pending[0].lastError?.hasPrefix("webhook: URLError -1001") == true) // NSURLErrorTimedOut
        #expect(try rig.outbox.mails().count == 1)
    }

    @Test func https_IsSpokenThroughTLS_AndAnUntrustedCertificateIsATemporaryFailure() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        // A self-signed certificate (openssl), which no CA store trusts: the POST gets as far as the TLS handshake.
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-keyout", http.path("key.pem"), "-out", http.path("cert.pem")]
        openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        let server = try await WebhookServer(directory: http.path("in"), tls: (http.path("cert.pem"), http.path("key.pem")))
        defer { server.stop() }
        #expect(server.url.scheme == "https")
        let rig = try NotifierRig(relay: nil, webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let pending = try rig.queue.list(.pending)
        try #require(pending.count == 1)
        #expect(pending[0].channel == .webhook && pending[0].attempts == 1)
        // libcurl's own words (FoundationNetworking passes them on as URLError -1): the certificate was checked.
        #expect(pending[0].lastError?.contains("SSL certificate problem: self-signed certificate") == true, "\(pending[0].lastError ?? "")")
        #expect(server.attempts() == 0)
    }

    @Test func serverDown_ThenBack_LosesNothing_AndMailAndTextsGoOnMeanwhile() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let port = try freePort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/hooks/desk"))
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p1), webhook: Webhook(url: url, timeout: .seconds(20)))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        #expect(try rig.outbox.mails().count == 2)
        #expect(try rig.outbox.textMessages().count == 2)
        let waiting = try rig.queue.list(.pending)
        #expect(waiting.map(\.channel) == [.webhook, .webhook])
        #expect(waiting.map(\.attempts).sorted() == [0, 1]) // the second was not tried
        #expect(waiting.contains { $0.lastError?.hasPrefix("webhook: URLError") == true })
        rig.clock.advance(by: .seconds(30))
        try await rig.notifier.deliverDue()
        #expect(try rig.queue.counts()[.pending] == 2)
        // The endpoint comes back on the same port.
        let server = try await WebhookServer(directory: http.path("in"), port: port)
        defer { server.stop() }
        rig.clock.advance(by: .seconds(120))
        try await rig.notifier.deliverDue()
        #expect(Set(try server.received().compactMap { $0.header("Idempotency-Key") }) == ["1:user:1:webhook", "1:user:2:webhook"])
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 6, .dead: 0])
    }

    @Test func storedWebhookRows_WaitUntried_WhileTheNotifierHasNoURL() async throws {
        let http = try TemporaryDirectory("webhook")
        defer { http.remove() }
        let server = try await WebhookServer(directory: http.path("in"))
        defer { server.stop() }
        let rig = try NotifierRig(relay: nil, webhook: Self.webhook(server))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        // Restarted without CAMPUSDESK_WEBHOOK_URL: the e-mail goes, the POST waits, not counted as an attempt.
        try await NotifierRig.reopen(rig, relay: nil).deliverDue()
        #expect(try rig.outbox.mails().count == 1)
        let waiting = try rig.queue.list(.pending)
        #expect(waiting.map(\.channel) == [.webhook] && waiting.map(\.attempts) == [0])
        try await NotifierRig.reopen(rig, relay: nil, webhook: Self.webhook(server)).deliverDue()
        #expect(try server.received().count == 1)
        #expect(try rig.queue.counts() == [.pending: 0, .sent: 2, .dead: 0])
    }

    @Test func configuration_ReadsTheURLAndTimeout_AndRefusesOthers() throws {
        let config = try NotifierConfiguration.fromEnvironment([
            "CAMPUSDESK_WEBHOOK_URL": "https://chat.example/hooks/abc", "CAMPUSDESK_WEBHOOK_TIMEOUT": "5",
            "CAMPUSDESK_PUBLIC_URL": "https://desk.example",
        ])
        #expect(config.webhook == Webhook(url: URL(string: "https://chat.example/hooks/abc")!, timeout: .seconds(5), publicURL: "https://desk.example"))
        #expect(try NotifierConfiguration.fromEnvironment([:]).webhook == nil)
        #expect(throws: NotifierConfiguration.Invalid.self) { try NotifierConfiguration.fromEnvironment(["CAMPUSDESK_WEBHOOK_URL": "ftp://x/y"]) }
        #expect(throws: NotifierConfiguration.Invalid.self) {
            try NotifierConfiguration.fromEnvironment(["CAMPUSDESK_WEBHOOK_URL": "http://x/y", "CAMPUSDESK_WEBHOOK_TIMEOUT": "0"])
        }
    }

    @Test func migration5_LetsAVersion3FileTakeWebhookRows_KeepingItsRows() throws {
        let dir = try TemporaryDirectory("migration")
        defer { dir.remove() }
        let path = dir.path("notifications.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(Array(DeliveryQueue.migrations.prefix(3)))
            try db.execute("""
                INSERT INTO notifications (key, event_seq, ticket_id, kind, channel, recipient_key, address, subject, body, next_attempt_at, created_at)
                VALUES ('1:user:1:email', 1, 42, 'ticket_created', 'email', 'user:1', 'zoe@campus.test', 's', 'b', 0, 0)
                """)
            #expect(throws: SQLiteError.self) {
                try db.execute("""
                    INSERT INTO notifications (key, event_seq, ticket_id, kind, channel, recipient_key, address, subject, body, next_attempt_at, created_at)
                    VALUES ('1:user:1:webhook', 1, 42, 'ticket_created', 'webhook', 'user:1', 'zoe@campus.test', 's', 'b', 0, 0)
                    """)
            }
        }
        let queue = try DeliveryQueue(path: path)
        let item = DeliveryQueue.NewItem(eventSeq: 1, ticketID: TicketID(42), kind: .ticketCreated, channel: .webhook,
                                         recipient: Recipient(People.customer), subject: "s", body: "b")
        #expect(try queue.enqueue([item], now: People.at) == 1)
        #expect(try queue.list(nil).map(\.channel) == [.webhook, .email])
        #expect(try queue.db.userVersion() == DeliveryQueue.migrations.last?.version)
        // Still a CHECK: a channel nobody knows is refused.
        #expect(throws: SQLiteError.self) {
            try queue.db.execute("UPDATE notifications SET channel = 'pigeon' WHERE id = 1")
        }
    }
}
