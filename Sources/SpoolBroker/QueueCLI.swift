import Foundation
import Domain
import Logging

/// `campusdesk queue …`: the operator's view of the spool, like `postqueue -p` or `rabbitmqctl list_queues`.
///
/// Lives in the library (not the executable) so tests can run it and compare the printed text.
/// Exit codes: 0 ok, 1 runtime error, 64 usage.
public enum QueueCLI {
    /// What a run printed and its exit code.
    public struct Output: Sendable, Equatable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public static let usage = """
        usage: campusdesk queue [--spool DIR] [--json] <command>
          list                      every queue: waiting, claimed, dead, age of the oldest message
          peek QUEUE [N]            the first N (10) waiting messages, not claimed
          dead QUEUE                dead letters with their reasons
          retry QUEUE (ID|--all)    move dead letters back to new/ (by file name or envelope id)
          purge QUEUE --dead        delete the dead letters
          bindings                  exchanges and their bound queues
        The spool is $CAMPUSDESK_SPOOL (default ./spool) unless --spool is given. The notifier's
        notifications ($CAMPUSDESK_DATA/notifications.db) are the queue `notifications`: a row in
        list, and dead and retry work on it.

        """

    struct UsageError: Error { var message: String }

    /// Runs one `queue` command.
    /// - Parameter external: queues kept outside the spool (the notifier's notifications), by name.
    public static func run(_ arguments: [String], environment: [String: String], clock: any WallClock = SystemClock(),
                           external: [any ExternalQueue] = []) -> Output {
        var json = false
        var spoolPath = environment["CAMPUSDESK_SPOOL"].flatMap { $0.isEmpty ? nil : $0 } ?? "spool"
        var rest: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--json" {
                json = true
            } else if a == "--spool" {
                guard i + 1 < arguments.count else { return usageError("--spool needs a directory") }
                spoolPath = arguments[i + 1]
                i += 1
            } else if a.hasPrefix("--spool=") {
                spoolPath = String(a.dropFirst("--spool=".count))
            } else if a == "-h" || a == "--help" {
                return Output(status: 0, stdout: usage, stderr: "")
            } else {
                rest.append(a)
            }
            i += 1
        }
        guard let command = rest.first else { return usageError("missing command") }
        let args = Array(rest.dropFirst())
        do {
            var logger = Logger(component: "queue")
            logger.minimumLevel = .error
            // Opened only once the arguments are known good, so usage errors stay usage errors.
            func spool() throws -> Spool {
                // An inspection tool must not create what it inspects: a mistyped --spool would otherwise
                // show an empty, healthy-looking spool, or grow `queues/` in any directory it names.
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: spoolPath + "/queues", isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw NoSpool(path: spoolPath)
                }
                return try Spool(root: spoolPath, clock: clock, logger: logger)
            }
            // Commands on an external queue need no spool.
            if let name = args.first, let outside = external.first(where: { $0.name.rawValue == name }) {
                return try run(command, on: outside, args: Array(args.dropFirst()), json: json, now: clock.now())
            }
            switch command {
            case "list":
                guard args.isEmpty else { return usageError("list takes no arguments") }
                return ok(try list(try spool(), json: json, external: external, now: clock.now()))
            case "peek":
                guard (1...2).contains(args.count) else { return usageError("peek QUEUE [N]") }
                var n = 10
                if args.count == 2 {
                    guard let v = Int(args[1]), v > 0 else { return usageError("N must be a positive number") }
                    n = v
                }
                return ok(try peek(try existing(args[0], in: spool), max: n, json: json))
            case "dead":
                guard args.count == 1 else { return usageError("dead QUEUE") }
                return ok(try dead(try existing(args[0], in: spool), json: json))
            case "retry":
                guard args.count == 2 else { return usageError("retry QUEUE (ID|--all)") }
                let q = try existing(args[0], in: spool)
                let moved = try q.retryDead(matching: args[1] == "--all" ? nil : args[1])
                if moved == 0 && args[1] != "--all" {
                    return Output(status: 1, stdout: "", stderr: "campusdesk queue: no dead letter \(args[1].prefix(80)) in \(q.name)\n")
                }
                return ok(json ? "{\"queue\":\(JSONText.quoted(q.name.rawValue)),\"retried\":\(moved)}\n" : "retried \(moved) from \(q.name)\n")
            case "purge":
                guard args.count == 2, args[1] == "--dead" else { return usageError("purge QUEUE --dead") }
                let q = try existing(args[0], in: spool)
                let removed = try q.purgeDead()
                return ok(json ? "{\"queue\":\(JSONText.quoted(q.name.rawValue)),\"purged\":\(removed)}\n" : "purged \(removed) from \(q.name)\n")
            case "bindings":
                guard args.isEmpty else { return usageError("bindings takes no arguments") }
                return ok(try bindings(try spool(), json: json))
            default:
                return usageError("unknown command '\(command.prefix(40))'")
            }
        } catch let e as UsageError {
            return usageError(e.message)
        } catch let e as NoSpool {
            return Output(status: 1, stdout: "", stderr: "campusdesk queue: no spool at \(e.path) (set CAMPUSDESK_SPOOL or pass --spool DIR; `campusdesk up` creates it)\n")
        } catch {
            return Output(status: 1, stdout: "", stderr: "campusdesk queue: \(error)\n")
        }
    }

    private static func ok(_ text: String) -> Output { Output(status: 0, stdout: text, stderr: "") }

    /// `dead` and `retry` on a queue kept outside the spool.
    private static func run(_ command: String, on q: any ExternalQueue, args: [String], json: Bool, now: Timestamp) throws -> Output {
        switch command {
        case "dead":
            guard args.isEmpty else { return usageError("dead QUEUE") }
            return ok(try dead(q, json: json))
        case "retry":
            guard args.count == 1 else { return usageError("retry QUEUE (ID|--all)") }
            let moved = try q.retryDead(matching: args[0] == "--all" ? nil : args[0], now: now)
            if moved == 0 && args[0] != "--all" {
                return Output(status: 1, stdout: "", stderr: "campusdesk queue: no dead letter \(args[0].prefix(80)) in \(q.name)\n")
            }
            return ok(json ? "{\"queue\":\(JSONText.quoted(q.name.rawValue)),\"retried\":\(moved)}\n" : "retried \(moved) from \(q.name)\n")
        case "peek", "purge":
            return Output(status: 1, stdout: "", stderr: "campusdesk queue: \(q.name) is not in the spool; only list, dead and retry apply to it\n")
        default:
            return usageError("unknown command '\(command.prefix(40))'")
        }
    }

    private static func usageError(_ message: String) -> Output {
        Output(status: 64, stdout: "", stderr: "campusdesk queue: \(message)\n\n" + usage)
    }

    private static func existing(_ raw: String, in spool: () throws -> Spool) throws -> SpoolQueue {
        let name: QueueName
        do { name = try QueueName(raw) } catch { throw UsageError(message: "invalid queue name '\(raw.prefix(80))'") }
        return try spool().queue(name, create: false)
    }

    /// The spool directory (with its `queues/`) does not exist.
    private struct NoSpool: Error {
        let path: String
    }

    // MARK: - Formatting

    static func list(_ spool: Spool, json: Bool, external: [any ExternalQueue] = [], now: Timestamp = SystemClock().now()) throws -> String {
        let rows = try spool.queueNames().map { try spool.queue($0, create: false).stats() } + external.map { try $0.stats(now: now) }
        return formatList(rows, json: json)
    }

    /// `list`'s table (or JSON) of queue stats; shared with the NATS broker's `queue` commands.
    public static func formatList(_ rows: [QueueStats], json: Bool) -> String {
        if json {
            let items = rows.map { r in
                let age = r.oldestAgeSeconds.map { String(format: "%.3f", $0) } ?? "null"
                return "{\"queue\":\(JSONText.quoted(r.queue.rawValue)),\"waiting\":\(r.waiting),\"claimed\":\(r.claimed),\"dead\":\(r.dead),\"oldest_age_seconds\":\(age)}"
            }
            return "[" + items.joined(separator: ",") + "]\n"
        }
        var out = "QUEUE" .padded(28) + "WAITING".leftPadded(9) + "CLAIMED".leftPadded(9) + "DEAD".leftPadded(7) + "  OLDEST\n"
        for r in rows {
            out += r.queue.rawValue.padded(28) + String(r.waiting).leftPadded(9) + String(r.claimed).leftPadded(9)
                + String(r.dead).leftPadded(7) + "  " + (r.oldestAgeSeconds.map(formatAge) ?? "-") + "\n"
        }
        if rows.isEmpty { out += "(no queues)\n" }
        return out
    }

    static func peek(_ q: SpoolQueue, max: Int, json: Bool) throws -> String {
        formatPeek(try q.peek(max: max), queue: q.name, json: json)
    }

    /// `peek`'s listing; `file` is the spool file or, on NATS, the stream sequence.
    public static func formatPeek(_ messages: [PeekedMessage], queue: QueueName, json: Bool) -> String {
        if json {
            let items = messages.map { m -> String in
                guard let e = m.envelope else {
                    return "{\"file\":\(JSONText.quoted(m.file)),\"error\":\(JSONText.quoted(m.error ?? ""))}"
                }
                return "{\"file\":\(JSONText.quoted(m.file)),\"envelope\":\(String(decoding: e.encodedLine(), as: UTF8.self))}"
            }
            return "[" + items.joined(separator: ",") + "]\n"
        }
        var out = ""
        for m in messages {
            if let e = m.envelope {
                out += "\(m.file)  \(e.id)  \(e.type)  sent_at=\(e.sentAt)  attempts=\(e.attempts)\n"
                out += "  " + String(decoding: e.body.prefix(300), as: UTF8.self) + (e.body.count > 300 ? "…" : "") + "\n"
            } else {
                out += "\(m.file)  (unreadable: \(m.error ?? "?"))\n"
            }
        }
        if messages.isEmpty { out += "(\(queue) has no waiting messages)\n" }
        return out
    }

    static func dead(_ q: SpoolQueue, json: Bool) throws -> String {
        formatDead(try q.deadLetters(), queue: q.name, json: json)
    }

    /// `dead`'s listing with the reasons; `file` is the spool file or, on NATS, the dead stream's sequence.
    public static func formatDead(_ letters: [DeadLetter], queue: QueueName, json: Bool) -> String {
        if json {
            let items = letters.map { d in
                "{\"file\":\(JSONText.quoted(d.file)),\"id\":\(d.id.map { JSONText.quoted($0.rawValue) } ?? "null"),\"type\":\(d.type.map(JSONText.quoted) ?? "null"),\"reason\":\(JSONText.quoted(d.reason))}"
            }
            return "[" + items.joined(separator: ",") + "]\n"
        }
        var out = ""
        for d in letters {
            out += "\(d.file)  \(d.id?.rawValue ?? "-")  \(d.type ?? "-")\n"
            for line in d.reason.split(separator: "\n") { out += "  reason: \(line)\n" }
        }
        if letters.isEmpty { out += "(\(queue) has no dead letters)\n" }
        return out
    }

    static func dead(_ q: any ExternalQueue, json: Bool) throws -> String {
        let letters = try q.deadLetters()
        if json {
            let items = letters.map { d in
                let details = d.details.map { ",\(JSONText.quoted($0.name)):\(JSONText.quoted($0.value))" }.joined()
                return "{\"id\":\(JSONText.quoted(d.id))\(details),\"reason\":\(JSONText.quoted(d.reason))}"
            }
            return "[" + items.joined(separator: ",") + "]\n"
        }
        var out = ""
        for d in letters {
            out += ([d.id] + d.details.map { "\($0.name)=\($0.value)" }).joined(separator: "  ") + "\n"
            for line in d.reason.split(separator: "\n") { out += "  reason: \(line)\n" }
        }
        if letters.isEmpty { out += "(\(q.name) has no dead letters)\n" }
        return out
    }

    static func bindings(_ spool: Spool, json: Bool) throws -> String {
        var pairs: [(String, String)] = []
        for ex in try spool.exchangeNames() {
            for q in try spool.exchange(ex).bindings() { pairs.append((ex.rawValue, q.rawValue)) }
        }
        return formatBindings(pairs, json: json)
    }

    /// `bindings`' listing of (exchange, queue) pairs.
    public static func formatBindings(_ pairs: [(String, String)], json: Bool) -> String {
        if json {
            return "[" + pairs.map { "{\"exchange\":\(JSONText.quoted($0.0)),\"queue\":\(JSONText.quoted($0.1))}" }.joined(separator: ",") + "]\n"
        }
        if pairs.isEmpty { return "(no bindings)\n" }
        return pairs.map { "\($0.0) -> \($0.1)\n" }.joined()
    }

    /// `retry`'s and `purge`'s one line: `retried 3 from q` / `{"queue":"q","retried":3}`.
    public static func formatCount(_ verb: String, _ count: Int, queue: QueueName, json: Bool) -> String {
        json ? "{\"queue\":\(JSONText.quoted(queue.rawValue)),\"\(verb)\":\(count)}\n" : "\(verb) \(count) from \(queue)\n"
    }

    static func formatAge(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86_400 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        return "\(s / 86_400)d\((s % 86_400) / 3600)h"
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
