import Foundation
import Domain
import Notifier

/// `campusdesk-bench notifier [--count N] [--smtp HOST:PORT] [--dir D]`: the notifier's delivery
/// path on its own code (no broker, no ticket store): N notifications stored in the queue
/// (`notifications.db`), then sent batch by batch as the process does (due → send → mark) into the
/// Maildir mock, and with `--smtp` also to that relay (one SMTP session per notification).
///
/// Prints stored per second, sent per second, and the time one notification's send took (p50,
/// p99). For the SMTP figure, start a local server first, e.g. the tests' aiosmtpd script:
/// `/usr/bin/python3 Tests/NotifierTests/Resources/smtp_server.py /tmp/smtp-in &` (it prints its port).
enum BenchNotifierCommand {
    static func run(_ args: [String]) async -> Int32 {
        var count = 2_000
        var relay: SMTPRelay?
        var directory = NSTemporaryDirectory()
        var rest = args.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return usage() }
            switch flag {
            case "--count": guard let n = Int(value), n >= 1 else { return usage() }; count = n
            case "--smtp": guard let r = SMTPRelay(parsing: value) else { return usage() }; relay = r
            case "--dir": directory = value
            default: return usage()
            }
        }
        do {
            try measure(count: count, relay: nil, directory: directory)
            if let relay { try measure(count: count, relay: relay, directory: directory) }
            return 0
        } catch {
            FileHandle.standardError.write(Data("campusdesk-bench notifier: \(error)\n".utf8))
            return 1
        }
    }

    static func measure(count: Int, relay: SMTPRelay?, directory: String) throws {
        let root = (directory as NSString).appendingPathComponent("bench-notifier-\(getpid())-\(relay == nil ? "maildir" : "smtp")")
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = try DeliveryQueue(path: (root as NSString).appendingPathComponent("notifications.db"))
        let outbox = try Outbox(directory: (root as NSString).appendingPathComponent("outbox"))
        let dispatcher = Dispatcher(relay: relay, outbox: outbox, from: MailMessage.Address(name: "CampusDesk", email: "desk@campus.test"))
        let clock = ContinuousClock()
        let now = SystemClock().now()
        let ticket = TicketSnapshot(id: TicketID(42), description: "Beamer im Hörsaal 3 flackert und geht nach zehn Minuten aus", status: .open,
                                    category: .facility, priority: .p3)
        let text = Templates.render(.ticketCreated, ticket: ticket, baseURL: "http://127.0.0.1:8080")
        // One event per notification, stored one event (transaction) at a time, as the process does.
        let storeTime = try clock.measure {
            for i in 1...count {
                let person = Recipient(key: "user:\(i)", userID: UserID(Int64(i)), name: "Person \(i)", email: "person\(i)@campus.test")
                try queue.enqueue([DeliveryQueue.NewItem(eventSeq: Int64(i), ticketID: ticket.id, kind: .ticketCreated, channel: .email,
                                                         recipient: person, subject: text.subject, body: text.body)], now: now)
            }
        }
        var perSend: [Duration] = []
        perSend.reserveCapacity(count)
        let sendTime = try clock.measure {
            while true {
                let due = try queue.due(now: now, limit: 100)
                if due.isEmpty { break }
                for item in due {
                    var outcome = Dispatcher.Outcome.skipped
                    perSend.append(clock.measure { outcome = dispatcher.deliver([item], now: now)[0] })
                    guard outcome == .sent else { throw BenchFailure(description: "notification \(item.id): \(outcome)") }
                    try queue.markSent(item.id, now: now)
                }
            }
        }
        perSend.sort()
        let target = relay.map { "SMTP \($0.host):\($0.port)" } ?? "Maildir"
        print("notifier → \(target), \(count) notifications")
        print("  stored:  \(rate(count, storeTime)) /s (one transaction per event)")
        print("  sent:    \(rate(count, sendTime)) /s (send + mark sent)")
        print("  one send: p50 \(ms(perSend[perSend.count / 2])) ms, p99 \(ms(perSend[min(perSend.count - 1, perSend.count * 99 / 100)])) ms")
    }

    struct BenchFailure: Error, CustomStringConvertible { var description: String }

    static func rate(_ n: Int, _ d: Duration) -> String {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(format: "%.0f", Double(n) / max(seconds, 1e-9))
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.2f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }

    static func usage() -> Int32 {
        FileHandle.standardError.write(Data("usage: campusdesk-bench notifier [--count N] [--smtp HOST:PORT] [--dir D]\n".utf8))
        return 64
    }
}
