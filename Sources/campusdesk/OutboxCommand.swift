import Domain
import Notifier
import ServiceLifecycle
import Foundation

/// `campusdesk outbox`: what the notifier's mock holds, and its dead notifications.
///
/// - `outbox`: every e-mail in the Maildir `<data>/outbox/` and every text in `sms.jsonl`, oldest first;
/// - `outbox --dead`: the notifications given up on, with why (from `<data>/notifications.db`);
/// - `outbox retry ID`: puts dead notification ID back in the queue, due at once (the running
///   notifier sends it within half a second; SQLite's WAL lets both open the file).
enum OutboxCommand {
    static let usage = """
        usage: campusdesk outbox              e-mails and texts in the mock (data/outbox/)
               campusdesk outbox --dead       notifications given up on, with the reason
               campusdesk outbox retry ID     send a dead notification again

        """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk outbox", usage: usage) { args throws(CommandLineError) in
            let config = try Configuration.fromCommandLine("campusdesk outbox")
            switch args.next() {
            case nil:
                return try list(dataDirectory: config.dataDirectory)
            case "--dead":
                try args.expectEnd()
                return try dead(dataDirectory: config.dataDirectory)
            case "retry":
                let text = try args.value(of: "retry")
                try args.expectEnd()
                guard let id = Int64(text), id > 0 else { throw .usage("campusdesk outbox: retry takes a notification number, not '\(text.prefix(40))'") }
                return try retry(id, dataDirectory: config.dataDirectory)
            case let other?:
                throw args.unexpected(other)
            }
        }
    }

    static func list(dataDirectory: String) throws(CommandLineError) -> Int32 {
        let path = NotifierConfiguration.outboxPath(inDataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else {
            print("the outbox is empty (\(path) does not exist: CAMPUSDESK_SMTP set, or the notifier never ran)")
            return ExitCode.success
        }
        do {
            let outbox = try Outbox(directory: path)
            let mails = try outbox.mails()
            print("e-mail (\(mails.count)) in \(path)/")
            if !mails.isEmpty {
                print(TextTable.render(["FILE", "TO", "SUBJECT"], mails.map { ["\($0.folder)/\($0.file)", $0.to, $0.subject] }), terminator: "")
            }
            let texts = try outbox.textMessages()
            print("\ntext messages (\(texts.count)) in \(outbox.smsPath)")
            if !texts.isEmpty {
                print(TextTable.render(["AT", "TO", "TEXT"], texts.map { [$0.at, $0.to, $0.body.split(separator: "\n").first.map(String.init) ?? ""] }),
                      terminator: "")
            }
            return ExitCode.success
        } catch {
            throw .failure("campusdesk outbox: \(error)")
        }
    }

    static func dead(dataDirectory: String) throws(CommandLineError) -> Int32 {
        do {
            let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: dataDirectory))
            let counts = try queue.counts()
            print("notifications: \(counts[.pending] ?? 0) pending, \(counts[.sent] ?? 0) sent, \(counts[.dead] ?? 0) dead")
            let dead = try queue.list(.dead, limit: 500)
            if !dead.isEmpty {
                print(TextTable.render(["ID", "TICKET", "CHANNEL", "TO", "ATTEMPTS", "REASON"], dead.map {
                    [String($0.id), "#\($0.ticketID.rawValue)", $0.channel.rawValue, $0.address, String($0.attempts), $0.lastError ?? ""]
                }), terminator: "")
            }
            return ExitCode.success
        } catch {
            throw .failure("campusdesk outbox: \(error)")
        }
    }

    static func retry(_ id: Int64, dataDirectory: String) throws(CommandLineError) -> Int32 {
        let done: Bool
        do {
            let queue = try DeliveryQueue(path: NotifierConfiguration.queuePath(inDataDirectory: dataDirectory))
            done = try queue.retry(id, now: SystemClock().now())
        } catch {
            throw .failure("campusdesk outbox: \(error)")
        }
        guard done else { throw .failure("campusdesk outbox: no dead notification \(id)") }
        print("notification \(id) is queued again")
        return ExitCode.success
    }
}
