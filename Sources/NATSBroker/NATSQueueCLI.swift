import Foundation
import Domain
import SpoolBroker

/// `campusdesk queue …` when `CAMPUSDESK_BROKER` names NATS servers: the same commands and output
/// as the spool's `QueueCLI`, read from JetStream (docs/nats.md, "queue commands").
///
/// list: every stream `Q-*` with the stats its consumer gives; peek: the stream's messages past
/// what the consumer has delivered (`STREAM.MSG.GET`); dead: the stream `D-<q>` with the reason
/// headers; retry: republish the dead message to the queue's subject (`Nats-Msg-Id:
/// retry.<dead seq>`, so a retry repeated after a crash is dropped), then delete it from `D-<q>`;
/// purge --dead: `STREAM.PURGE` of `D-<q>`. A letter's `file` is its dead stream sequence.
public enum NATSQueueCLI {
    public static func run(_ arguments: [String], url: String, external: [any ExternalQueue] = []) -> QueueCLI.Output {
        var json = false
        var rest: [String] = []
        for a in arguments {
            if a == "--json" { json = true } else if a == "-h" || a == "--help" {
                return .init(status: 0, stdout: QueueCLI.usage, stderr: "")
            } else if a == "--spool" || a.hasPrefix("--spool=") {
                return usageError("--spool does not apply: CAMPUSDESK_BROKER is \(NATSCredentials.redacted(url: url))")
            } else { rest.append(a) }
        }
        guard let command = rest.first else { return usageError("missing command") }
        let args = Array(rest.dropFirst())
        // The notifier's queue lives in notifications.db whatever the broker: the spool CLI serves it.
        if let name = args.first, external.contains(where: { $0.name.rawValue == name }) {
            return QueueCLI.run(arguments, environment: [:], external: external)
        }
        func queue(_ raw: String) throws -> QueueName {
            do { return try QueueName(raw) } catch { throw Usage(message: "invalid queue name '\(raw.prefix(80))'") }
        }
        do {
            switch command {
            case "list":
                guard args.isEmpty else { return usageError("list takes no arguments") }
                let broker = try open(url)
                defer { broker.close() }
                let now = SystemClock().now()
                let rows = try queueNames(broker).map { try NATSConsumer.stats(broker: broker, queue: $0) } + external.map { try $0.stats(now: now) }
                return ok(QueueCLI.formatList(rows, json: json))
            case "peek":
                guard (1...2).contains(args.count) else { return usageError("peek QUEUE [N]") }
                var n = 10
                if args.count == 2 {
                    guard let v = Int(args[1]), v > 0 else { return usageError("N must be a positive number") }
                    n = v
                }
                let q = try queue(args[0])
                let broker = try open(url)
                defer { broker.close() }
                try requireQueue(q, broker, url)
                return ok(QueueCLI.formatPeek(try peek(broker, q, max: n), queue: q, json: json))
            case "dead":
                guard args.count == 1 else { return usageError("dead QUEUE") }
                let q = try queue(args[0])
                let broker = try open(url)
                defer { broker.close() }
                try requireQueue(q, broker, url)
                return ok(QueueCLI.formatDead(try NATSConsumer.deadLetters(broker: broker, queue: q), queue: q, json: json))
            case "retry":
                guard args.count == 2 else { return usageError("retry QUEUE (ID|--all)") }
                let q = try queue(args[0])
                let broker = try open(url)
                defer { broker.close() }
                try requireQueue(q, broker, url)
                let moved = try retry(broker, q, matching: args[1] == "--all" ? nil : args[1])
                if moved == 0 && args[1] != "--all" {
                    return .init(status: 1, stdout: "", stderr: "campusdesk queue: no dead letter \(args[1].prefix(80)) in \(q)\n")
                }
                return ok(QueueCLI.formatCount("retried", moved, queue: q, json: json))
            case "purge":
                guard args.count == 2, args[1] == "--dead" else { return usageError("purge QUEUE --dead") }
                let q = try queue(args[0])
                let broker = try open(url)
                defer { broker.close() }
                try requireQueue(q, broker, url)
                let answer = try broker.api.call("STREAM.PURGE.\(NATSNames.deadStream(q))")
                return ok(QueueCLI.formatCount("purged", answer["purged"] as? Int ?? 0, queue: q, json: json))
            case "bindings":
                guard args.isEmpty else { return usageError("bindings takes no arguments") }
                let broker = try open(url)
                defer { broker.close() }
                return ok(QueueCLI.formatBindings(try bindings(broker), json: json))
            default:
                return usageError("unknown command '\(command.prefix(40))'")
            }
        } catch let e as Usage {
            return usageError(e.message)
        } catch let e as NoQueue {
            return .init(status: 1, stdout: "", stderr: "campusdesk queue: no queue \(e.queue) on NATS at \(NATSCredentials.redacted(url: url))\n")
        } catch {
            return .init(status: 1, stdout: "", stderr: "campusdesk queue: \(error)\n")
        }
    }

    private struct Usage: Error { var message: String }
    private struct NoQueue: Error { var queue: QueueName }

    private static func ok(_ text: String) -> QueueCLI.Output { .init(status: 0, stdout: text, stderr: "") }

    private static func usageError(_ message: String) -> QueueCLI.Output {
        .init(status: 64, stdout: "", stderr: "campusdesk queue: \(message)\n\n" + QueueCLI.usage)
    }

    private static func open(_ url: String) throws -> NATSMessageBroker {
        try NATSMessageBroker(url: url, name: "campusdesk-queue")
    }

    /// An inspection tool must not create what it inspects: no stream, no queue.
    private static func requireQueue(_ q: QueueName, _ broker: NATSMessageBroker, _ url: String) throws {
        guard try broker.api.streamInfo(NATSNames.stream(q)) != nil else { throw NoQueue(queue: q) }
    }

    /// The queues with a stream, from `STREAM.NAMES` (paged), in name order.
    static func queueNames(_ broker: NATSMessageBroker) throws -> [QueueName] {
        var names: [String] = []
        while true {
            let answer = try broker.api.call("STREAM.NAMES", ["offset": names.count])
            let page = answer["streams"] as? [String] ?? []
            names += page
            if page.isEmpty || names.count >= answer["total"] as? Int ?? 0 { break }
        }
        return names.filter { $0.hasPrefix("Q-") }.compactMap { try? QueueName(NATSNames.untoken(String($0.dropFirst(2)))) }.sorted()
    }

    /// The first `max` messages the consumer has not delivered yet (a message NAKed into its backoff
    /// counts as claimed here, as in `stats`).
    static func peek(_ broker: NATSMessageBroker, _ q: QueueName, max: Int) throws -> [PeekedMessage] {
        guard let info = try broker.api.streamInfo(NATSNames.stream(q)), let state = info["state"] as? [String: Any],
              let first = state["first_seq"] as? Int, let last = state["last_seq"] as? Int, last >= first, last > 0 else { return [] }
        let consumer = try broker.api.consumerInfo(stream: NATSNames.stream(q), durable: NATSNames.durable)
        let delivered = ((consumer["delivered"] as? [String: Any])?["stream_seq"] as? Int) ?? 0
        var out: [PeekedMessage] = []
        var seq = Swift.max(first, delivered + 1)
        while seq <= last && out.count < max {
            if let (_, data) = try broker.api.message(stream: NATSNames.stream(q), seq: seq) {
                do throws(EnvelopeError) {
                    out.append(PeekedMessage(file: "\(seq)", envelope: try Envelope.decode(line: data), error: nil))
                } catch {
                    out.append(PeekedMessage(file: "\(seq)", envelope: nil, error: "\(error)"))
                }
            }
            seq += 1
        }
        return out
    }

    /// Puts dead letters (all, or the one whose sequence or envelope id is `matching`) back on the
    /// queue: republished first, then deleted from the dead stream. Returns how many.
    static func retry(_ broker: NATSMessageBroker, _ q: QueueName, matching: String?) throws -> Int {
        let dead = NATSNames.deadStream(q)
        var moved = 0
        for letter in try NATSConsumer.deadLetters(broker: broker, queue: q) {
            if let matching, letter.file != matching && letter.id?.rawValue != matching { continue }
            guard let seq = Int(letter.file), let (_, data) = try broker.api.message(stream: dead, seq: seq) else { continue }
            try broker.publishDurably([data], ids: ["retry.\(seq)"], subject: NATSNames.subject(q), queue: q, acrossCalls: true)
            try deleteMessage(broker, stream: dead, seq: seq)
            moved += 1
        }
        return moved
    }

    /// Deletes one stored message; one already gone (a retry repeated after a crash) is fine.
    private static func deleteMessage(_ broker: NATSMessageBroker, stream: String, seq: Int) throws(NATSError) {
        do { _ = try broker.api.call("STREAM.MSG.DELETE.\(stream)", ["seq": seq]) } catch where error.code == JetStreamAPI.Code.noMessageFound {}
    }

    /// Every (exchange, queue) binding, from the subjects of the bindings stream.
    static func bindings(_ broker: NATSMessageBroker) throws -> [(String, String)] {
        guard let info = try broker.api.streamInfo(NATSNames.bindingsStream, subjectsFilter: NATSNames.bindingsSubjects) else { return [] }
        let subjects = ((info["state"] as? [String: Any])?["subjects"] as? [String: Any]) ?? [:]
        return subjects.keys.compactMap { s -> (String, String)? in
            let parts = s.split(separator: ".")
            guard parts.count == 4 else { return nil }
            return (NATSNames.untoken(String(parts[2])), NATSNames.untoken(String(parts[3])))
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}
