import Foundation
import Testing
import TestSupport
import Fixtures
import Domain
import Logging
import SpoolBroker
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// The real `campusdesk notifier` on a spool, reading a real tickets.db and sending to a real SMTP
/// server (aiosmtpd), killed with SIGKILL in the middle and restarted: no notification is lost.
extension SystemTests {
    @Suite("Notifier process", .serialized)
    struct NotifierProcessTests {
        static func start(_ dir: TemporaryDirectory, smtpPort: UInt16) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BuiltProduct.path("campusdesk"))
            p.arguments = ["notifier"]
            p.environment = ["CAMPUSDESK_SPOOL": dir.path("spool"), "CAMPUSDESK_DATA": dir.path("data"),
                             "CAMPUSDESK_SMTP": "127.0.0.1:\(smtpPort)", "CAMPUSDESK_MAIL_FROM": "desk@campus.test"]
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            return p
        }

        @Test("kill -9 while sending, restart: every receipt arrives, at most the one in flight twice")
        func killAndRestart() async throws {
            let dir = try TemporaryDirectory("notifier-process")
            defer { dir.remove() }
            try FileManager.default.createDirectory(atPath: dir.path("data"), withIntermediateDirectories: true)
            // The tickets the events are about, in a real store (the notifier reads it read-only).
            let store = try TicketStore(path: dir.path("data/tickets.db"), classifier: KeywordClassifier(), clock: SystemClock(), authMode: .accounts)
            let created = try await store.apply([AccountFixture.operatorCreates("Zoe", .customer)])[0]
            let customer = try #require(created.user)
            let tickets = 40
            var events: [ChangeEvent] = []
            for i in 1...tickets {
                let reply = try await store.apply([Command(actor: customer.actor, action: .createTicket(CreateTicket(description: "Broken tap \(i)")))])[0]
                let t = try #require(reply.ticket)
                events.append(ChangeEvent(seq: SequenceNumber(Int64(i)), type: .ticketOpened, ticketID: t.id, occurredAt: t.openedAt, before: nil,
                                          after: TicketFacts(category: t.category, status: .open, openedAt: t.openedAt, closedAt: nil)))
            }
            let smtp = try await SMTPServer(directory: dir.path("smtp"))
            defer { smtp.stop() }
            let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
            func publish(_ range: Range<Int>) throws {
                try spool.exchange(.events).publish(try events[range].map {
                    try Envelope(type: TicketWorkerMessageType.changeEvent, body: $0, sentAt: $0.occurredAt)
                })
            }

            var process = try Self.start(dir, smtpPort: smtp.port)
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            // Its queue is bound at start; events published before that are not its business.
            try await Readiness.file(dir.path("spool/exchanges/events/events.notifier"))
            try publish(0..<30)
            try await eventually("a first e-mail") { try !smtp.received().isEmpty }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try publish(30..<tickets)
            process = try Self.start(dir, smtpPort: smtp.port)
            try await eventually("every receipt", within: .seconds(60)) { lastSeen in
                let subjects = Set(try smtp.received().map(\.subject))
                lastSeen = "\(subjects.count) of \(tickets)"
                return subjects.count == tickets
            }
            let received = try smtp.received()
            #expect(received.allSatisfy { $0.rcpt_tos == ["zoe@campus.example"] })
            // A kill after the relay's 250 and before the row was marked sends that one again, with
            // the same Message-ID (docs/notifications.md, "Delivery"); nothing else is sent twice.
            let duplicates = received.count - Set(received.map(\.message_id)).count
            #expect(duplicates <= 1)
            #expect(Set(received.map(\.message_id)).count == tickets)
        }
    }
}
