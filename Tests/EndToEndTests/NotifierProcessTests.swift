import Foundation
import Testing
import TestSupport
import Fixtures
import Domain
import Logging
import SpoolBroker
import TicketStore
import Notifier
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

extension SystemTests {
    /// `campusdesk outbox`: what the mock holds, the dead notifications, and retrying one.
    @Suite struct OutboxEndToEndTests {
        @Test("outbox lists the Maildir and the texts; --dead shows the reason; retry ID queues a dead one again; bad arguments exit 64")
        func operatorSeesAndRetries() throws {
            let system = try CampusDeskProcesses()
            let data = system.data.path
            #expect(try system.run(["outbox"]).stdout.hasPrefix("the outbox is empty"))
            let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: data))
            let now = SystemClock().now()
            let zoe = Recipient(key: "user:1", name: "Zoe", email: "zoe@campus.test", phone: "+41790000001")
            try queue.enqueue([DeliveryQueue.NewItem(eventSeq: 1, ticketID: TicketID(7), kind: .ticketCreated, channel: .email, recipient: zoe,
                                                     subject: "Ticket #7 has been created", body: "Body\n")], now: now)
            try queue.markFailed(1, permanent: true, reason: "RCPT TO: 550 5.1.1 no such mailbox", now: now)
            let outbox = try Outbox(directory: NotifierConfiguration.outboxPath(inDataDirectory: data))
            let mail = MailMessage(from: .init(email: "desk@campus.test"), to: .init(name: "Zoe", email: "zoe@campus.test"),
                                   subject: "Ticket #7 is now closed", body: "Body\n", date: now, messageID: "n@campus.test")
            let file = try outbox.deliver(mail.bytes)
            try outbox.send(Outbox.TextMessage(id: "1:user:1:sms", to: "+41790000001", body: "SLA breached: ticket #7\nBody", at: now.iso8601))

            let listed = try system.run(["outbox"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("e-mail (1) in \(data)/outbox/\nFILE"))
            #expect(listed.stdout.contains("new/\(file)  \"Zoe\" <zoe@campus.test>  Ticket #7 is now closed\n"))
            #expect(listed.stdout.contains("text messages (1) in \(data)/outbox/sms.jsonl\n"))
            #expect(listed.stdout.contains("+41790000001  SLA breached: ticket #7\n"))

            let dead = try system.run(["outbox", "--dead"])
            #expect(dead.status == 0)
            #expect(dead.stdout == """
                notifications: 0 pending, 0 sent, 1 dead
                ID  TICKET  CHANNEL  TO               ATTEMPTS  REASON
                1   #7      email    zoe@campus.test  1         RCPT TO: 550 5.1.1 no such mailbox

                """)
            let retried = try system.run(["outbox", "retry", "1"])
            #expect(retried.status == 0 && retried.stdout == "notification 1 is queued again\n")
            #expect(try queue.list(.pending).map(\.id) == [1])
            let again = try system.run(["outbox", "retry", "1"])
            #expect(again.status == 1 && again.stderr == "campusdesk outbox: no dead notification 1\n")
            for args in [["outbox", "retry"], ["outbox", "retry", "x"], ["outbox", "--dead", "extra"], ["outbox", "bogus"]] {
                #expect(try system.run(args).status == 64, "\(args)")
            }
        }

        @Test("queue shows the notifications of CAMPUSDESK_DATA as the queue 'notifications': list, dead, retry; no file, no queue")
        func queueSeesAndRetriesNotifications() throws {
            let system = try CampusDeskProcesses()
            _ = try Spool(root: system.spool.path).queue(.commands)
            #expect(try !system.run(["queue", "list"]).stdout.contains("notifications"))
            #expect(!FileManager.default.fileExists(atPath: NotifierConfiguration.queuePath(inDataDirectory: system.data.path)))
            let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: system.data.path))
            let now = SystemClock().now()
            let zoe = Recipient(key: "user:1", name: "Zoe", email: "zoe@campus.test")
            try queue.enqueue([DeliveryQueue.NewItem(eventSeq: 1, ticketID: TicketID(7), kind: .statusChanged, channel: .webhook, recipient: zoe,
                                                     subject: "Ticket #7 is now closed", body: "Body\n")], now: now)
            try queue.markFailed(1, permanent: true, reason: "webhook: HTTP 404", now: now)

            let list = try system.run(["queue", "list"])
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.hasSuffix("\nnotifications                       0        0      1  -\n"))
            let dead = try system.run(["queue", "dead", "notifications"])
            #expect(dead.stdout == "1  ticket=#7  kind=status_changed  channel=webhook  recipient=zoe@campus.test  attempts=1\n  reason: webhook: HTTP 404\n")
            let retried = try system.run(["queue", "retry", "notifications", "1"])
            #expect(retried.status == 0 && retried.stdout == "retried 1 from notifications\n")
            #expect(try queue.list(.pending).map(\.id) == [1])
            let again = try system.run(["queue", "retry", "notifications", "1"])
            #expect(again.status == 1 && again.stderr == "campusdesk queue: no dead letter 1 in notifications\n")
        }

        @Test("notify-prefs sets and lists a person's channels and quiet hours in notifications.db; bad arguments exit 64")
        func operatorSetsPreferences() throws {
            let system = try CampusDeskProcesses()
            let empty = try system.run(["notify-prefs"])
            #expect(empty.status == 0 && empty.stdout.hasPrefix("no preferences stored"))
            let set = try system.run(["notify-prefs", "3", "--channels", "sms", "--quiet", "daily 22:00 to 07:00"])
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.stdout == "USER  CHANNELS  QUIET HOURS\n3     sms       daily 22:00-07:00\n")
            #expect(try system.run(["notify-prefs", "4", "--channels", "none"]).status == 0)
            #expect(try system.run(["notify-prefs", "3", "--quiet", "none"]).status == 0)
            #expect(try system.run(["notify-prefs"]).stdout == "USER  CHANNELS  QUIET HOURS\n3     sms       -\n4     none      -\n")
            let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: system.data.path))
            #expect(try queue.preference(of: UserID(3)) == NotificationPreference(userID: UserID(3), channels: [.sms]))
            for args in [["notify-prefs", "x"], ["notify-prefs", "3", "--channels", "pigeon"], ["notify-prefs", "3", "--quiet", "someday"],
                         ["notify-prefs", "3", "--bogus"], ["notify-prefs", "3", "--channels"]] {
                #expect(try system.run(args).status == 64, "\(args)")
            }
        }
    }
}
