import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Domain
import TestSupport
@testable import Notifier

/// Delivery through the notifier's queue to a real SMTP server (aiosmtpd) and to the Maildir mock.
/// Blocking sockets: on dedicated threads. Backoff runs on the test clock, never on sleeps.
@Suite(.onDedicatedThreads) struct DeliveryTests {
    static let script = Bundle.module.path(forResource: "smtp_server", ofType: "py") ?? SMTPServer.scriptInSourceTree
    static func relay(_ port: UInt16) -> SMTPRelay { SMTPRelay(host: "127.0.0.1", port: port, timeout: .seconds(20)) }

    @Test func message_ArrivesOnce_WithHeadersDotStuffingAndEncodedSubject() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"))
        defer { server.stop() }
        let text = "Beamer im Hörsaal B défectueux\n.\n..zwei Punkte\nend"
        let rig = try NotifierRig(relay: Self.relay(server.port), ticket: People.ticket(description: text))
        defer { rig.dir.remove() }
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 1)
        try await rig.notifier.deliverDue()
        let got = try server.received()
        try #require(got.count == 1)
        #expect(got[0].mail_from == "desk@campus.test")
        #expect(got[0].rcpt_tos == ["zoe@campus.test"])
        #expect(got[0].subject == "Ticket #42 has been created")
        #expect(got[0].body.contains("Description: Beamer im Hörsaal B défectueux . ..zwei Punkte end"))
        #expect(got[0].message_id.hasPrefix("<notification-1.1@"))
        let raw = try server.raw(1)
        #expect(raw.contains("MIME-Version: 1.0"))
        #expect(raw.contains("Date: "))
        // A second pass and a redelivered event send nothing more.
        #expect(try await rig.notifier.store(People.event(.ticketOpened)) == 0)
        try await rig.notifier.deliverDue()
        #expect(try server.received().count == 1)
        #expect(try rig.queue.counts()[.sent] == 1)
    }

    @Test func utf8Subject_ArrivesDecoded_AndDotLinesSurvive() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"))
        defer { server.stop() }
        let subject = "Störung: Aufzug im Gebäude Ä steht still — bitte prüfen, es ist dringend und eilt sehr"
        let mail = MailMessage(from: .init(email: "desk@campus.test"), to: .init(name: "Zoë", email: "zoe@campus.test"), subject: subject,
                               body: ".\n.leading dot\nlast", date: People.at, messageID: "t@campusdesk")
        try SMTPClient(relay: Self.relay(server.port)).send(mail.bytes, from: "desk@campus.test", to: ["zoe@campus.test"])
        let got = try server.received()
        try #require(got.count == 1)
        #expect(got[0].subject == subject)
        #expect(got[0].body == ".\n.leading dot\nlast\n")
    }

    @Test func authPlain_IsUsedWhenConfigured_AndAWrongPasswordIsPermanent() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"), auth: "desk:s3cret")
        defer { server.stop() }
        let mail = MailMessage(from: .init(email: "desk@campus.test"), to: .init(email: "zoe@campus.test"), subject: "Hi", body: "x",
                               date: People.at, messageID: "a@campusdesk")
        var relay = Self.relay(server.port)
        #expect(throws: SMTPError.self) { try SMTPClient(relay: relay).send(mail.bytes, from: "desk@campus.test", to: ["zoe@campus.test"]) }
        relay.username = "desk"
        relay.password = "wrong"
        do {
            try SMTPClient(relay: relay).send(mail.bytes, from: "desk@campus.test", to: ["zoe@campus.test"])
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.kind == .permanent && error.stage == "AUTH" && error.code == 535)
        }
        relay.password = "s3cret"
        try SMTPClient(relay: relay).send(mail.bytes, from: "desk@campus.test", to: ["zoe@campus.test"])
        #expect(try server.received().count == 1)
    }

    @Test func serverWithoutEHLO_GetsHELO() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"), noEHLO: true)
        defer { server.stop() }
        let mail = MailMessage(from: .init(email: "desk@campus.test"), to: .init(email: "zoe@campus.test"), subject: "Hi", body: "x",
                               date: People.at, messageID: "h@campusdesk")
        let client = SMTPClient(relay: Self.relay(server.port))
        try client.send(mail.bytes, from: "desk@campus.test", to: ["zoe@campus.test"])
        #expect(client.extensions.isEmpty)
        #expect(try server.received().map(\.helo) == ["campusdesk.localdomain"])
    }

    @Test func temporaryFailure_IsRetriedAfterBackoff_ThenSent() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"), tempfail: 1)
        defer { server.stop() }
        let rig = try NotifierRig(relay: Self.relay(server.port))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let pending = try rig.queue.list(.pending)
        try #require(pending.count == 1)
        #expect(pending[0].attempts == 1)
        #expect(pending[0].lastError?.contains("451") == true)
        #expect(pending[0].nextAttemptAt == People.at.adding(milliseconds: 30_000))
        try await rig.notifier.deliverDue() // not due yet: nothing tried
        #expect(try server.received().isEmpty)
        rig.clock.advance(by: .seconds(30))
        try await rig.notifier.deliverDue()
        #expect(try server.received().count == 1)
        #expect(try rig.queue.counts()[.sent] == 1)
    }

    @Test func permanentFailure_IsDeadWithItsReason_AndRetryableByHand() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"), reject: true)
        defer { server.stop() }
        let rig = try NotifierRig(relay: Self.relay(server.port))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let dead = try rig.queue.list(.dead)
        try #require(dead.count == 1)
        #expect(dead[0].lastError?.contains("RCPT TO: 550") == true)
        #expect(try rig.queue.retry(dead[0].id, now: rig.clock.now()))
        #expect(try rig.queue.list(.pending).count == 1)
    }

    @Test func relayDown_ThenBack_LosesNothing_AndTextsGoOnMeanwhile() async throws {
        let smtp = try TemporaryDirectory("smtp")
        defer { smtp.remove() }
        // A port nothing listens on: bind, learn it, close.
        let downPort = try freePort()
        let rig = try NotifierRig(relay: Self.relay(downPort), ticket: People.ticket(priority: .p1))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened)) // reporter and agent, e-mail and text each
        try await rig.notifier.deliverDue()
        #expect(try rig.outbox.textMessages().count == 2)
        #expect(try rig.queue.counts()[.pending] == 2)
        #expect(try rig.queue.list(.pending).map(\.attempts).sorted() == [0, 1]) // the second was not tried
        rig.clock.advance(by: .seconds(30))
        try await rig.notifier.deliverDue()
        #expect(try rig.queue.counts()[.pending] == 2)
        // The relay comes back (on another port here: the test cannot choose aiosmtpd's), nothing was dropped.
        let server = try await SMTPServer(script: Self.script, directory: smtp.path("in"))
        defer { server.stop() }
        let back = try NotifierRig.reopen(rig, relay: Self.relay(server.port))
        rig.clock.advance(by: .seconds(120))
        try await back.deliverDue()
        #expect(Set(try server.received().flatMap(\.rcpt_tos)) == ["zoe@campus.test", "ann@campus.test"])
        #expect(try rig.queue.counts()[.sent] == 4)
    }

    @Test func maildirMock_WritesOneEmlPerEmail_AndAJSONLinePerText() async throws {
        let rig = try NotifierRig(relay: nil, ticket: People.ticket(priority: .p2))
        defer { rig.dir.remove() }
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        let mails = try rig.outbox.mails()
        #expect(mails.count == 2)
        #expect(mails.allSatisfy { $0.folder == "new" && $0.file.hasSuffix(".eml") && $0.subject == "Ticket #42 has been created" })
        #expect(try FileManager.default.contentsOfDirectory(atPath: rig.dir.path("outbox/tmp")).isEmpty)
        #expect(Set(try rig.outbox.textMessages().map(\.to)) == ["+41790000001", "+41790000002"])
        // Redelivered: nothing more.
        try await rig.notifier.store(People.event(.ticketOpened))
        try await rig.notifier.deliverDue()
        #expect(try rig.outbox.mails().count == 2)
    }
}
