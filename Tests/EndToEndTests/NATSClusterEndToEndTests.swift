import Foundation
import Synchronization
import SQLiteKit
import NATSBroker
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// The whole product (`campusdesk up` with the repository's Procfile) on three `nats-server`
    /// nodes as one cluster with replicas 3; the node leading the commands stream is killed with
    /// SIGKILL under a load of reports and status changes through the gateway over HTTP.
    /// Afterwards every acknowledged report is exactly one ticket, every acknowledged status
    /// change is one history row, none of the others is stored twice, and the analytics equal a
    /// recount of tickets.db (docs/nats.md, "Clusters").
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct NATSClusterEndToEndTests {
        /// One report or status change and what the gateway answered.
        struct Record {
            enum Kind { case report, status(ticket: Int, to: String) }
            var kind: Kind
            /// The report's description (unique per run), nil for a status change.
            var text: String?
            /// A 2xx or 303 came back: the gateway took responsibility for the change.
            var acknowledged: Bool
            var afterKill: Bool
            /// The HTTP status, 0 when the request failed (for the summary line).
            var status: Int
        }

        final class Journal: Sendable {
            let records = Mutex<[Record]>([])
            let killed = Atomic<Bool>(false)
            func add(_ r: Record) { records.withLock { $0.append(r) } }
            func acknowledgedReports(afterKill: Bool) -> Int {
                records.withLock { $0.filter { r in r.text != nil && r.acknowledged && r.afterKill == afterKill }.count }
            }
        }

        @Test("the commands stream's leader killed under load: acknowledged reports and status changes each stored once, analytics agree")
        func nodeKilledUnderLoad() async throws {
            let dir = try TemporaryDirectory("nats-cluster-e2e")
            defer { dir.remove() }
            let nodes = try NATSServerProcess.cluster(3, directory: dir.path("nodes"))
            defer { for n in nodes { n.stop(kill9: true) } }
            let servers = nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")

            // Started with the cluster (no meta leader yet): every process waits out the elections.
            let system = try CampusDeskSystem(environment: ["CAMPUSDESK_BROKER": "nats://\(servers)?replicas=3"])
            try await system.start(within: .seconds(120))
            defer { system.stop() }
            try await system.processes.waitForHTTP("/readyz", status: 200, within: .seconds(120))
            #expect(!system.log.contains("restarting "), "a process exited while the cluster elected its leaders:\n\(system.log.suffix(2000))")

            let victim = try Self.leader(of: "Q-commands", servers: servers, nodes: nodes)
            let run = String(UUID().uuidString.prefix(8))
            let journal = Journal()
            let stop = StopFlag()
            let group = DispatchGroup()
            let port = system.port
            for w in 0..<2 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    Self.load(worker: w, run: run, port: port, journal: journal, stop: stop)
                }
            }
            do {
                defer {
                    stop.set()
                    // Each thread finishes the request in hand (a client timeout of 60 s at most).
                    _ = group.wait(timeout: .now() + 180)
                }
                try await eventually("30 reports acknowledged before the kill", within: .seconds(180), poll: .milliseconds(100)) { lastSeen in
                    let n = journal.acknowledgedReports(afterKill: false)
                    lastSeen = "\(n)"
                    return n >= 30
                }
                journal.killed.store(true, ordering: .releasing)
                nodes[victim].stop(kill9: true)
                try await eventually("30 reports acknowledged after the kill", within: .seconds(300), poll: .milliseconds(100)) { lastSeen in
                    let n = journal.acknowledgedReports(afterKill: true)
                    lastSeen = "\(n); up's log: \(system.log.suffix(600))"
                    return n >= 30
                }
            }

            let records = journal.records.withLock { $0 }
            let db = try system.openTickets()
            let countTickets = try db.prepare("SELECT count(*) FROM tickets WHERE description = ?")
            let countChanges = try db.prepare("SELECT count(*) FROM ticket_history WHERE ticket_id = ? AND field = 'status' AND new_value = ?")
            func stored(_ r: Record) throws -> Int {
                switch r.kind {
                case .report:
                    countTickets.reset()
                    return try countTickets.queryFirst([.text(r.text ?? "")]) { Int($0.int64(at: 0)) } ?? 0
                case .status(let ticket, let to):
                    countChanges.reset()
                    return try countChanges.queryFirst([.integer(Int64(ticket)), .text(to)]) { Int($0.int64(at: 0)) } ?? 0
                }
            }
            // An acknowledged change answered 202 (queued) is applied a little later. A delivery lost
            // with the killed node comes back after the consumer's ack wait (30 s, docs/nats.md).
            let waitStarted = ContinuousClock.now
            try await eventually("every acknowledged change to be in tickets.db", within: .seconds(180), poll: .milliseconds(200)) { lastSeen in
                let missing = try records.filter { try $0.acknowledged && stored($0) == 0 }
                lastSeen = "\(missing.count) missing: \(missing.prefix(3).map { $0.text ?? "\($0.kind)" }); commands queue: \(Self.queueStates(servers: servers, only: "Q-commands"))"
                return missing.isEmpty
            }
            let waited = ContinuousClock.now - waitStarted
            var duplicated: [String] = []
            for r in records where try stored(r) > 1 { duplicated.append("\(r.text ?? "\(r.kind)"): \(try stored(r)) times") }
            let unacknowledged = records.filter { !$0.acknowledged }.count
            let statuses = Dictionary(grouping: records) { "\($0.text == nil ? "status" : "report") \($0.afterKill ? "after" : "before") \($0.status)" }
                .mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            print("nats cluster: \(records.count) changes, \(records.count - unacknowledged) acknowledged (\(records.filter { $0.afterKill && $0.acknowledged }.count) after the kill of n\(victim + 1)), \(unacknowledged) not, duplicated \(duplicated.count); all applied \(waited.components.seconds) s after the load stopped; answers \(statuses); commands queue: \(Self.queueStates(servers: servers, only: "Q-commands"))")
            #expect(duplicated.isEmpty, "stored more than once: \(duplicated.prefix(10))")
            #expect(records.contains { $0.afterKill && $0.acknowledged && $0.text == nil }, "no status change acknowledged after the kill")

            do {
                try await system.waitForAnalyticsToAgree(within: .seconds(180))
                let lines = system.log.split(separator: "\n")
                print("nats cluster analytics: \(lines.filter { $0.contains("event gap") }.count) event gaps, \(lines.filter { $0.contains("replay sent") }.count) replays sent")
            } catch {
                let warnings = system.log.split(separator: "\n").filter { $0.contains("error") || $0.contains("warning") || $0.contains("restarting") }
                Issue.record("analytics never matched tickets.db: \(error)\nqueues: \(Self.queueStates(servers: servers))\nwarnings and errors in up's log (\(warnings.count)):\n\(warnings.suffix(40).joined(separator: "\n"))")
            }
            #expect(try db.pragma("integrity_check") == "ok")
        }

        /// The index in `nodes` of the node leading `stream` (JetStream's `STREAM.INFO`).
        static func leader(of stream: String, servers: String, nodes: [NATSServerProcess]) throws -> Int {
            let connection = try NATSConnection(options: NATSConnectionOptions(servers: try NATSServerAddress.list("nats://" + servers), name: "test"))
            defer { connection.close() }
            let reply = try connection.request("$JS.API.STREAM.INFO.\(stream)", payload: [], timeout: .seconds(10))
            let info = try #require((try? JSONSerialization.jsonObject(with: Data(reply.payload))) as? [String: Any])
            let leader = try #require((info["cluster"] as? [String: Any])?["leader"] as? String, "no leader in \(info)")
            return try #require(nodes.indices.first { "n\($0 + 1)" == leader })
        }

        /// Every queue's consumer (or `only` one stream's) as JetStream counts it, for messages.
        static func queueStates(servers: String, only: String? = nil) -> String {
            guard let connection = try? NATSConnection(options: NATSConnectionOptions(servers: try NATSServerAddress.list("nats://" + servers), name: "test")) else {
                return "no connection"
            }
            defer { connection.close() }
            func json(_ subject: String) -> [String: Any] {
                let reply = try? connection.request(subject, payload: Array("{}".utf8), timeout: .seconds(10))
                return reply.flatMap { (try? JSONSerialization.jsonObject(with: Data($0.payload))) as? [String: Any] } ?? [:]
            }
            let streams = (json("$JS.API.STREAM.NAMES")["streams"] as? [String] ?? []).filter { $0.hasPrefix("Q-") && (only == nil || $0 == only) }.sorted()
            return streams.map { stream in
                let info = json("$JS.API.CONSUMER.INFO.\(stream).campusdesk")
                let delivered = (info["delivered"] as? [String: Any])?["stream_seq"] ?? "?"
                let acked = (info["ack_floor"] as? [String: Any])?["stream_seq"] ?? "?"
                return "\(stream): pending \(info["num_pending"] ?? "?") ack-pending \(info["num_ack_pending"] ?? "?") redelivered \(info["num_redelivered"] ?? "?") waiting \(info["num_waiting"] ?? "?") delivered \(delivered) ack-floor \(acked) leader \((info["cluster"] as? [String: Any])?["leader"] ?? "?")"
            }.joined(separator: "; ")
        }

        // MARK: - Load

        /// One client's loop until `stop`: a report (the form and the API in turn), then, when its
        /// ticket id came back, `active` as staff, and `closed` for every other one. Each request
        /// is sent once: an error or a 5xx is a change not acknowledged (it may still be stored, once).
        static func load(worker w: Int, run: String, port: UInt16, journal: Journal, stop: StopFlag) {
            let browser = WebSession(port: port)
            let api = RawHTTPClient(port: port)
            defer { api.close() }
            let staff = [("Content-Type", "application/json"), ("X-CampusDesk-Role", "staff")]
            try? browser.enter(as: "customer", name: "Ada \(w)")
            var i = 0
            while !stop.isSet {
                i += 1
                // Fresh connections: one kept idle while the other client waited out the election is
                // closed by the gateway (idle timeout 5 s), and a request on it fails before it is sent.
                api.close()
                browser.client.close()
                let afterKill = journal.killed.load(ordering: .acquiring)
                let text = "cluster \(run)-\(w)-\(i): the projector in lecture hall \(w) flickers"
                var ticket: Int?
                var acknowledged = false
                var status = 0
                if i % 2 == 0 {
                    if let form = try? browser.get("/tickets/new"),
                       let r = try? browser.submit("/tickets", on: form.text, [("description", text), ("location", "Hall \(w)")]) {
                        acknowledged = r.status == 303 || (200..<300).contains(r.status)
                        status = r.status
                        ticket = WebSession.ticketID(fromLocation: r.header("Location"))
                    }
                } else {
                    let r = try? api.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                             text: #"{"description":"\#(text)","location":"Hall \#(w)"}"#)
                    if let r {
                        acknowledged = (200..<300).contains(r.status)
                        status = r.status
                        ticket = ((try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any])?["id"] as? Int
                    } else {
                        api.close()
                    }
                }
                journal.add(Record(kind: .report, text: text, acknowledged: acknowledged, afterKill: afterKill, status: status))
                guard let ticket else { continue }
                for to in i % 4 < 2 ? ["active", "closed"] : ["active"] {
                    let r = try? api.request("PUT", "/api/tickets/\(ticket)/status", headers: staff, text: #"{"status":"\#(to)"}"#)
                    if r == nil { api.close() }
                    let ok = r.map { (200..<300).contains($0.status) } ?? false
                    journal.add(Record(kind: .status(ticket: ticket, to: to), text: nil, acknowledged: ok,
                                       afterKill: journal.killed.load(ordering: .acquiring), status: r?.status ?? 0))
                    // Closing waits for an acknowledged `active` (open → closed is not a transition).
                    guard ok, r?.status == 200 else { break }
                }
            }
        }
    }
}
