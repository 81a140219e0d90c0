import Foundation
import Domain
import Logging
import SQLiteKit
import SpoolBroker
import Classifier
import TicketStore
import TicketService
import Notifier
import ServiceLifecycle

/// `campusdesk-bench notifier-delay [--tickets N] [--rate R]`: the delay from a change to its
/// notification, through the real ticket worker and notifier (issue 17, "the delay from event to
/// delivery, p50/p99").
///
/// One process, a fresh spool, `tickets.db` and `notifications.db` in a temp directory: the ticket
/// worker and the notifier run as they do in their processes (same loops, same waits on the
/// queues; the notifier reads the ticket through the read-only `TicketReader`). The bench sends N
/// `create_ticket` commands to `commands`, one message each, R per second (0: all at once), each
/// with its own contact address, and waits until the receipt of each is in the Maildir mock. Per
/// ticket it takes three instants: the command's sending, the ticket's commit (`opened_at`, the
/// change event's time) and the receipt's write (the `.eml` file's mtime); it prints p50/p99/max
/// of command → e-mail and event → e-mail.
enum BenchNotifierDelayCommand {
    static let usage = "usage: campusdesk-bench notifier-delay [--tickets N] [--rate PER_SECOND (0: all at once)]\n"

    static func run(_ args: [String]) async -> Int32 {
        var tickets = 300
        var rate = 10.0
        var rest = args.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return fail(usage, 64) }
            switch flag {
            case "--tickets": guard let n = Int(value), n >= 1 else { return fail(usage, 64) }; tickets = n
            case "--rate": guard let r = Double(value), r >= 0 else { return fail(usage, 64) }; rate = r
            default: return fail(usage, 64)
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-bench-notifier-delay-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try await measure(dir, tickets: tickets, rate: rate)
            return 0
        } catch {
            return fail("campusdesk-bench notifier-delay: \(error)\n", 1)
        }
    }

    static func measure(_ dir: URL, tickets: Int, rate: Double) async throws {
        let spool = try Spool(root: dir.appendingPathComponent("spool").path, logger: Logger(component: "spool", minimumLevel: .warning))
        let broker = SpoolMessageBroker(spool: spool)
        let ticketsPath = dir.appendingPathComponent("tickets.db").path
        let store = try TicketStore(path: ticketsPath, classifier: try NaiveBayesClassifier.standard(), clock: SystemClock())
        let worker = try TicketWorker(store: store, broker: broker, logger: Logger(component: "ticket-worker", minimumLevel: .warning))
        let outboxPath = dir.appendingPathComponent("outbox").path
        let outbox = try Outbox(directory: outboxPath)
        let dispatcher = Dispatcher(relay: nil, outbox: outbox, from: MailMessage.Address(name: "CampusDesk", email: "desk@campus.test"))
        let notifier = try Notifier(broker: broker, queuePath: dir.appendingPathComponent("notifications.db").path,
                                    context: TicketReaderContext(reader: TicketReader(openingLazily: ticketsPath)), dispatcher: dispatcher,
                                    logger: Logger(component: "notifier", minimumLevel: .warning))
        let commands = try spool.queue(.commands)
        let stop = StopSignal()
        var sentAt: [String: Date] = [:]
        print("notifier delay: \(tickets) tickets through the ticket worker and the notifier into the Maildir mock, "
              + (rate > 0 ? "\(rate) commands/s" : "all sent at once"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isRequested }) }
            group.addTask { try await notifier.run(shouldStop: { stop.isRequested }) }
            let start = ContinuousClock.now
            for i in 0..<tickets {
                if rate > 0 { try await Task.sleep(until: start + .seconds(Double(i) / rate), clock: .continuous) }
                let address = "person\(i)@campus.test"
                let command = Command(role: .customer, action: .createTicket(CreateTicket(
                    description: "The radiator in room \(i) is cold and the window does not close", location: "Block \(i % 9)",
                    contactEmail: address)))
                let envelope = try Envelope(type: TicketWorkerMessageType.command, body: command, sentAt: SystemClock().now())
                sentAt[address] = Date()
                try commands.send(batch: [envelope])
            }
            // Wait for every receipt (a poll of the directory: the bench's own cost, off the measured path).
            let deadline = ContinuousClock.now + .seconds(120 + Double(tickets) / max(rate, 1))
            while try FileManager.default.contentsOfDirectory(atPath: outboxPath + "/new").count < tickets {
                guard ContinuousClock.now < deadline else { throw Failure(description: "not every receipt arrived in time") }
                try await Task.sleep(for: .milliseconds(50))
            }
            stop.requestStop()
            try await group.waitForAll()
        }
        // The commit instants, by contact address.
        let db = try Connection(path: ticketsPath, mode: .readOnly)
        var openedAt: [String: Date] = [:]
        for (email, ms) in try db.prepare("SELECT contact_email, opened_at FROM tickets").query([], { ($0.text(at: 0), $0.int64(at: 1)) }) {
            openedAt[email] = Timestamp(millisecondsSinceEpoch: ms).date
        }
        var commandToMail: [Double] = []
        var eventToMail: [Double] = []
        for mail in try outbox.mails() {
            let address = mail.to.split(separator: "<").last.map { String($0.prefix { $0 != ">" }) } ?? mail.to
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(outboxPath)/\(mail.folder)/\(mail.file)")
            guard let written = attributes[.modificationDate] as? Date, let sent = sentAt[address], let opened = openedAt[address] else {
                throw Failure(description: "no instants for \(mail.to)")
            }
            commandToMail.append(written.timeIntervalSince(sent) * 1000)
            eventToMail.append(written.timeIntervalSince(opened) * 1000)
        }
        print("  command sent → e-mail written: \(summary(commandToMail))")
        print("  event (ticket committed) → e-mail written: \(summary(eventToMail))")
    }

    static func summary(_ values: [Double]) -> String {
        let sorted = values.sorted()
        func at(_ p: Int) -> Double { sorted[min(sorted.count - 1, sorted.count * p / 100)] }
        return String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", at(50), at(99), sorted.last ?? 0, sorted.count)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    private static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }
}
