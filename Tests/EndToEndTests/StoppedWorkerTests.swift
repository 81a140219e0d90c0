import SpoolBroker
import Foundation
import TestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The ticket worker frozen with SIGSTOP: the gateway keeps answering (202 queued for changes,
/// 200 for reads), and after SIGCONT the backlog is applied in the order it was sent.
///
/// `CAMPUSDESK_STOPPED_SECONDS` sets the pause (CI: 5 s; the long form is 30 s, docs/reliability.md).
extension SystemTests {
    @Suite("Stopped worker", .serialized)
    struct StoppedWorkerTests {
        static var seconds: Double {
            ProcessInfo.processInfo.environment["CAMPUSDESK_STOPPED_SECONDS"].flatMap(Double.init) ?? 5
        }

        @Test("a paused ticket worker: 202 queued meanwhile, backlog drains in order after SIGCONT")
        func stoppedWorker_GatewayQueues_AndBacklogDrainsInOrder() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }
            let workerPID = try #require(system.currentPIDs()["ticket-worker"])
            let commandsNew = (system.spoolPath as NSString).appendingPathComponent("queues/commands/new")
            func waiting() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: commandsNew)) ?? []).filter { !$0.hasPrefix(".") }.count }

            try await system.freeze("ticket-worker")
            var continued = false
            defer { if !continued { system.signal("ticket-worker", SIGCONT) } }
            let port = system.port
            let pauseEnd = Date().addingTimeInterval(Self.seconds)
            let run = UUID().uuidString.prefix(8)

            // Changes are sent one after another (each waits until its command file is on disk), each on
            // its own connection because each waits out the gateway's reply timeout before its 202.
            let answers = Mutex<[Int: Int]>([:])
            let group = DispatchGroup()
            var descriptions: [String] = []
            var readsServed = 0, readsTried = 0
            while Date() < pauseEnd || descriptions.count < 3 {
                let k = descriptions.count
                let description = "backlog \(run) #\(k): the heating in room \(k) is off"
                descriptions.append(description)
                let before = waiting()
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let client = RawHTTPClient(port: port)
                    let r = try? client.request("POST", "/api/tickets", headers: [("Content-Type", "application/json"), ("Idempotency-Key", "backlog-\(run)-\(k)")],
                                                text: #"{"description":"\#(description)"}"#)
                    answers.withLock { $0[k] = r?.status ?? -1 }
                }
                try await eventually("command \(k) in commands/new", within: .seconds(10)) { waiting() > before }
                // Reads do not need the worker.
                readsTried += 1
                let reader = RawHTTPClient(port: system.port)
                if (try? reader.request("GET", "/api/tickets?status=open"))?.status == 200 { readsServed += 1 }
                reader.close()
                try await Task.sleep(for: .milliseconds(250))  // sleep-ok: paces the changes across the pause
            }
            #expect(group.wait(timeout: .now() + 30) == .success, "the gateway did not answer while the worker was stopped")
            let statuses = answers.withLock { $0 }
            #expect(statuses.count == descriptions.count)
            #expect(statuses.values.allSatisfy { $0 == 202 }, "expected 202 queued for every change: \(statuses.sorted { $0.key < $1.key })")
            #expect(readsServed == readsTried)
            #expect(CampusDeskSystem.isAlive(workerPID))

            continued = true
            system.signal("ticket-worker", SIGCONT)
            let db = try system.openTickets()
            let expected = descriptions.count
            try await eventually("the backlog of \(expected) to drain", within: .seconds(60)) { lastSeen in
                let count = try db.prepare("SELECT count(*) FROM tickets").queryFirst([]) { Int($0.int64(at: 0)) }
                lastSeen = "\(count ?? 0) tickets"
                return count == expected
            }
            let stored = try db.prepare("SELECT description FROM tickets ORDER BY id").query([]) { $0.text(at: 0) }
            #expect(stored == descriptions, "applied out of order")
            #expect(system.currentPIDs()["ticket-worker"] == workerPID, "the worker was restarted instead of resuming")

            // Each 202 can be turned into its final answer by retrying with the same key.
            let client = RawHTTPClient(port: system.port)
            let again = try client.request("POST", "/api/tickets", headers: [("Content-Type", "application/json"), ("Idempotency-Key", "backlog-\(run)-0")],
                                           text: #"{"description":"\#(descriptions[0])"}"#)
            #expect(again.status == 201)
            #expect(try db.prepare("SELECT count(*) FROM tickets").queryFirst([]) { Int($0.int64(at: 0)) } == descriptions.count)
            print("stopped worker: paused \(Self.seconds) s, \(descriptions.count) changes answered 202 and drained in order, \(readsServed) reads served")
        }
    }
}
