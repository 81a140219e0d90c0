import Foundation
import TestSupport
import Testing
import SQLiteKit
import Synchronization
import TicketStore
import Domain
import Fixtures
import NATSBroker
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// A gateway with its own data directory (`CAMPUSDESK_GATEWAY_FILES=own`) on a real
    /// `nats-server -js`: it reads a replica of `tickets.db` kept from the worker's replication
    /// batches, never the worker's file (docs/nats.md, "Gateways on other machines").
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct NATSReplicaEndToEndTests {
        static let key = "7b0c2f4e-58d1-4c1e-9a63-2f1b9d0e4a77"

        @Test("own files on NATS: each POST is read back at once from the replica; after kill -9 of the worker mid-run the replica holds the worker's rows")
        func ownFiles_ReadYourWrites_SurvivesWorkerCrash() async throws {
            let store = try TemporaryDirectory("nats-replica")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let processes = try CampusDeskProcesses(environment: ["CAMPUSDESK_BROKER": server.url])
            let gatewayData = processes.root.appendingPathComponent("gateway-data").path
            try processes.start("ticket-worker", ["ticket-worker"])
            for s in GatewaySystem.services { try processes.start(s, ["analytics", s]) }
            let gateway = try processes.start("gateway", ["gateway"], overrides: ["CAMPUSDESK_DATA": gatewayData, "CAMPUSDESK_GATEWAY_FILES": "own"])
            do {
                try await processes.waitForHTTP("/readyz", status: 200, within: .seconds(60))
            } catch {
                Issue.record("not ready: \(error)\n\(processes.log("gateway").suffix(3000))")
                return
            }
            let api = RawHTTPClient(port: processes.port)
            let headers = [("Content-Type", "application/json"), ("X-CampusDesk-Reporter-Key", Self.key)]
            var stored: [Int] = []
            for i in 0..<30 {
                if i == 12 {
                    // Four clients post at once while the worker is killed with SIGKILL once ten more
                    // were answered: it dies in a busy stretch (perhaps between a commit and its
                    // publish) and comes back; their tickets are in the comparison below.
                    let answered = Atomic<Int>(0)
                    let port = processes.port
                    let threads = (0..<4).map { t in
                        Thread {
                            let client = RawHTTPClient(port: port, timeout: .seconds(30))
                            for k in 0..<15 {
                                _ = try? client.request("POST", "/api/tickets", headers: headers, text: "{\"description\": \"Burst \(t)-\(k) heater noisy\"}")
                                answered.add(1, ordering: .relaxed)
                            }
                        }
                    }
                    threads.forEach { $0.start() }
                    try await eventually("ten answers during the burst") { answered.load(ordering: .relaxed) >= 10 }
                    processes.kill9("ticket-worker")
                    try processes.start("ticket-worker", ["ticket-worker"])
                    try await eventually("the burst to be answered", within: .seconds(60)) { answered.load(ordering: .relaxed) == 60 }
                }
                let created = try api.request("POST", "/api/tickets", headers: headers, text: "{\"description\": \"Projector \(i) in hall B flickers\"}")
                #expect([201, 202, 503].contains(created.status), "\(created.status) \(created.text.prefix(300))")
                guard created.status == 201, let id = Self.id(in: created.text) else { continue }
                stored.append(id)
                // Read-your-writes: no waiting here, the gateway waited for its replica before answering.
                let read = try api.request("GET", "/api/tickets/\(id)", headers: [("X-CampusDesk-Reporter-Key", Self.key)])
                #expect(read.status == 200 && read.text.contains("Projector \(i) in hall B"), "\(read.status) \(read.text.prefix(300))")
                let moved = try api.request("PUT", "/api/tickets/\(id)/status", headers: [("Content-Type", "application/json"), ("X-CampusDesk-Role", "staff")],
                                            text: #"{"status": "active"}"#)
                if moved.status == 200 {
                    let list = try api.request("GET", "/api/tickets?status=active", headers: [("X-CampusDesk-Role", "staff")])
                    #expect(list.text.contains("Projector \(i) in hall B"))
                }
            }
            #expect(stored.count >= 20, "\(stored.count) created\n\(processes.log("gateway").suffix(2000))")

            // Every batch the worker wrote reaches the replica once, in order, and the rows agree.
            let workerFile = processes.data.appendingPathComponent("tickets.db").path
            let replicaFile = gatewayData + "/tickets.db"
            try await eventually("the replica to apply every batch the worker wrote", within: .seconds(30)) {
                let written = try Self.seq(workerFile)
                let applied = try Self.seq(replicaFile)
                return written > 0 && applied == written
            }
            let (replicaRows, workerRows) = (try Self.rows(replicaFile), try Self.rows(workerFile))
            #expect(replicaRows == workerRows, "only on the replica: \(Set(replicaRows).subtracting(workerRows).sorted().prefix(5)); only on the worker: \(Set(workerRows).subtracting(replicaRows).sorted().prefix(5))")
            #expect(!processes.log("gateway").contains("the replica stops applying"))

            // The gateway never had a file of the worker's data directory open.
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(gateway.processIdentifier)/fd")
                .compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(gateway.processIdentifier)/fd/\($0)") }
            #expect(open.contains { $0.hasPrefix(gatewayData) })
            #expect(!open.contains { $0.hasPrefix(processes.data.path) }, "\(open)")
        }

        @Test("a batch committed but not published when the worker died is published at its next start and reaches the replica once")
        func committedNotPublished_RepublishedAtStart() async throws {
            let store = try TemporaryDirectory("nats-replica-outbox")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let processes = try CampusDeskProcesses(environment: ["CAMPUSDESK_BROKER": server.url])
            let gatewayData = processes.root.appendingPathComponent("gateway-data").path
            try processes.start("ticket-worker", ["ticket-worker"])
            try processes.start("gateway", ["gateway"], overrides: ["CAMPUSDESK_DATA": gatewayData, "CAMPUSDESK_GATEWAY_FILES": "own"])
            try await processes.waitForHTTP("/healthz", status: 200, within: .seconds(60))
            let api = RawHTTPClient(port: processes.port)
            let headers = [("Content-Type", "application/json"), ("X-CampusDesk-Reporter-Key", Self.key)]
            var first = try api.request("POST", "/api/tickets", headers: headers, text: #"{"description": "Projector in hall B flickers"}"#)
            for _ in 0..<100 where first.status != 201 {
                try await Task.sleep(for: .milliseconds(200))  // sleep-ok: a bounded retry of the POST until the worker is up (the first answer is the one checked)
                first = try api.request("POST", "/api/tickets", headers: headers, text: #"{"description": "Projector in hall B flickers"}"#)
            }
            #expect(first.status == 201, "\(first.text.prefix(300))")
            #expect(processes.stop("ticket-worker") == 0)

            // The state a kill -9 between commit and publish leaves: a committed batch in the worker's
            // outbox that the stream does not have (written here by the store the worker runs, stopped).
            let workerFile = processes.data.appendingPathComponent("tickets.db").path
            let replicaFile = gatewayData + "/tickets.db"
            do {
                let writer = try TicketStore(path: workerFile, classifier: KeywordClassifier(), clock: SystemClock(), replicating: true)
                let reply = try await writer.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "Left in the outbox by a crash")))])[0]
                #expect(reply.ticket != nil)
                #expect(try await writer.unpublishedReplication(limit: 10).count == 1)
            }
            let staff = [("X-CampusDesk-Role", "staff")]
            #expect(try !api.request("GET", "/api/tickets", headers: staff).text.contains("Left in the outbox"))
            #expect(try Self.seq(replicaFile) == Self.seq(workerFile) - 1)

            try processes.start("ticket-worker", ["ticket-worker"])
            try await eventually("the gateway to list the ticket from the republished batch", within: .seconds(30)) {
                try api.request("GET", "/api/tickets", headers: staff).text.contains("Left in the outbox")
            }
            #expect(try Self.seq(replicaFile) == Self.seq(workerFile))
            #expect(try Self.rows(replicaFile) == Self.rows(workerFile))
            // recover() publishes before the start line is written.
            try await eventually("the worker to log the batch it published at start") {
                processes.log("ticket-worker").contains("replication.published=1")
            }
            #expect(!processes.log("gateway").contains("the replica stops applying"))
        }

        @Test("a batch missing from the stream is a gap: the new gateway's replica stops applying and /readyz fails, nothing skipped")
        func gap_StopsTheReplica() async throws {
            let store = try TemporaryDirectory("nats-replica-gap")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let processes = try CampusDeskProcesses(environment: ["CAMPUSDESK_BROKER": server.url])
            try processes.start("ticket-worker", ["ticket-worker"])
            for s in GatewaySystem.services { try processes.start(s, ["analytics", s]) }
            try processes.start("gateway", ["gateway"])  // beside the worker: the batches get written
            try await processes.waitForHTTP("/readyz", status: 200, within: .seconds(60))
            let api = RawHTTPClient(port: processes.port)
            let headers = [("Content-Type", "application/json"), ("X-CampusDesk-Reporter-Key", Self.key)]
            for i in 0..<3 {
                #expect(try api.request("POST", "/api/tickets", headers: headers, text: "{\"description\": \"Heater \(i) cold\"}").status == 201)
            }
            let workerFile = processes.data.appendingPathComponent("tickets.db").path
            let written = try Self.seq(workerFile)
            #expect(written >= 4)

            // Batch 2 leaves the stream, as a size or age limit would remove it.
            let broker = try NATSMessageBroker(url: server.url, name: "test")
            defer { broker.close() }
            let found = try broker.connection.request("$JS.API.STREAM.MSG.GET.CAMPUSDESK-CHANGES", payload: Array(#"{"last_by_subj":"campusdesk.changes.2.0"}"#.utf8))
            let message = try #require((try JSONSerialization.jsonObject(with: Data(found.payload)) as? [String: Any])?["message"] as? [String: Any])
            let streamSeq = try #require(message["seq"] as? Int)
            let deleted = try broker.connection.request("$JS.API.STREAM.MSG.DELETE.CAMPUSDESK-CHANGES", payload: Array("{\"seq\":\(streamSeq)}".utf8))
            #expect(String(decoding: deleted.payload, as: UTF8.self).contains("\"success\":true"))

            // A new gateway with its own files replays from batch 1: it applies batch 1, then finds 2 missing.
            #expect(processes.stop("gateway") == 0)
            let gatewayData = processes.root.appendingPathComponent("gateway-data").path
            try processes.start("gateway", ["gateway"], overrides: ["CAMPUSDESK_DATA": gatewayData, "CAMPUSDESK_GATEWAY_FILES": "own"])
            try await processes.waitForHTTP("/healthz", status: 200, within: .seconds(30))
            let again = RawHTTPClient(port: processes.port)
            // The next change publishes a later batch: the follower now knows batch 2 is gone.
            _ = try again.request("POST", "/api/tickets", headers: headers, text: #"{"description": "Window stuck"}"#)
            try await eventually("the replica to stop on the gap", within: .seconds(30)) {
                processes.log("gateway").contains("the replica stops applying")
            }
            let ready = try again.request("GET", "/readyz")
            #expect(ready.status == 503 && ready.text.contains("ticket-replica"), "\(ready.status) \(ready.text.prefix(500))")
            #expect(processes.log("gateway").contains("replica.seq=2"))
            #expect(try Self.seq(gatewayData + "/tickets.db") == 1)
        }

        static func id(in json: String) -> Int? {
            guard let r = json.range(of: "\"id\":") else { return nil }
            return Int(json[r.upperBound...].drop { $0 == " " }.prefix { $0.isNumber })
        }

        static func seq(_ path: String) throws -> Int64 {
            guard FileManager.default.fileExists(atPath: path) else { return 0 }
            return try Connection(path: path, mode: .readOnly).prepare("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0
        }

        static func rows(_ path: String) throws -> [String] {
            let db = try Connection(path: path, mode: .readOnly)
            var rows: [String] = []
            for table in ReplicatedTable.all {
                rows += try db.prepare("SELECT * FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))").query { s in
                    table.name + ":" + (0..<Int32(s.columnCount)).map { "\(s.value(at: $0))" }.joined(separator: "|")
                }
            }
            return rows
        }
    }
}
