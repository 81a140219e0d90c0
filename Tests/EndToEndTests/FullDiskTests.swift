import SpoolBroker
import Foundation
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Spool and data on a small tmpfs that fills up: changes fail with a clear 503, nothing
/// acknowledged is lost, nothing half-written reaches `new/`, the ticket worker holds and retries
/// (never publishing an event for an uncommitted change), and everything works again, with no
/// restart, once a filler file is deleted.
///
/// Needs mount(2) (root, or CAP_SYS_ADMIN); skipped with that reason where it is not permitted.
extension SystemTests {
    @Suite("Full disk", .serialized)
    struct FullDiskTests {
        static let size = "4m"

        @Test("a full disk: 503 with a human message, nothing lost or half-written, recovers without restart",
              .enabled(if: Tmpfs.canMount, "mount(2) of a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)"))
        func fullDisk_RefusesClearly_LosesNothing_RecoversWhenFreed() async throws {
            let mountPoint = try TemporaryDirectory("fulldisk")
            let disk = mountPoint.path
            #expect(mount("tmpfs", disk, "tmpfs", 0, "size=\(Self.size)") == 0, "mount: errno \(errno)")
            defer {
                umount2(disk, Int32(MNT_DETACH))
                mountPoint.remove()
            }
            let system = try CampusDeskSystem(spool: disk + "/spool", data: disk + "/data")
            try await system.start()
            defer { system.stop() }
            let pids = system.currentPIDs()
            let run = UUID().uuidString.prefix(8)
            let api = RetryingAPIClient(port: system.port)
            func create(_ name: String, deadline seconds: Double = 60) -> RetryingAPIClient.Outcome {
                api.change("POST", "/api/tickets", json: #"{"description":"full disk \#(run) \#(name): the lift is stuck"}"#,
                           key: "disk-\(run)-\(name)", deadline: Date().addingTimeInterval(seconds))
            }

            // A: applied before the disk fills.
            #expect(create("A").finalStatus == 201)

            // B: durably queued while the worker is frozen, so it waits for the worker on the full disk.
            let commandsNew = system.spoolPath + "/queues/commands/new"
            func waiting() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: commandsNew)) ?? []).filter { !$0.hasPrefix(".") } }
            try await system.freeze("ticket-worker")
            var continued = false
            defer { if !continued { system.signal("ticket-worker", SIGCONT) } }
            let port = system.port
            let bStatus = Mutex<Int?>(nil)
            let bDone = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                let c = RawHTTPClient(port: port)
                let r = try? c.request("POST", "/api/tickets", headers: [("Content-Type", "application/json"), ("Idempotency-Key", "disk-\(run)-B")],
                                       text: #"{"description":"full disk \#(run) B: the lift is stuck"}"#)
                bStatus.withLock { $0 = r?.status ?? -1 }
                bDone.signal()
            }
            // B's file, among whatever else the frozen worker has not taken yet (an analytics worker's replay request, say).
            func holdsB(_ name: String) -> Bool {
                let text = (try? String(contentsOfFile: commandsNew + "/" + name, encoding: .utf8)) ?? ""
                return text.contains("full disk \(run) B")
            }
            do {
                try await eventually("B in commands/new", within: .seconds(30)) { waiting().contains(where: holdsB) }
            } catch {
                Issue.record("\(error): \(Self.allFiles(system.spoolPath))\n\(system.log.suffix(3000))")
                throw error
            }
            let queuedBeforeFull = Set(waiting())
            // SIGSTOP may have caught the ticket worker between create and rename (publishing A's
            // events): its file waits in tmp/ for SIGCONT, and the end checks that it is gone.
            let tmpBeforeFull = Set(Self.tmpFiles(system.spoolPath))

            // Fill the disk.
            let filler = disk + "/filler"
            let filled = Tmpfs.fill(filler)
            #expect(filled > 0)

            // C: refused with a clear 503 while full; nothing of it lands in new/ or stays in tmp/.
            let client = RawHTTPClient(port: system.port)
            let c = try client.request("POST", "/api/tickets", headers: [("Content-Type", "application/json"), ("Idempotency-Key", "disk-\(run)-C")],
                                       text: #"{"description":"full disk \#(run) C: the lift is stuck"}"#)
            #expect(c.status == 503, "full disk answered \(c.status): \(c.text)")
            #expect(c.text.contains("nothing was saved"), "no human message: \(c.text)")
            #expect(c.header("Retry-After") != nil)
            // The gateway writes its log in batches (every 50 ms), and `up` relays it: poll for the line.
            await #expect(throws: Never.self, "the gateway log does not say the disk is full") {
                try await eventually("the gateway to log that the disk is full", within: .seconds(10)) { system.log.contains("disk is full") }
            }
            #expect(Set(waiting()) == queuedBeforeFull, "something new in commands/new: \(waiting())")
            // A worker retrying its publish on the full disk may be between create and unlink at any
            // instant, so one listing can catch a file in flight; a half-written file is one that stays.
            await #expect(throws: Never.self, "half-written files stay in tmp/") {
                try await eventually("no file left in any tmp/", within: .seconds(10)) { lastSeen in
                    let files = Self.tmpFiles(system.spoolPath).filter { !tmpBeforeFull.contains($0) }
                    lastSeen = "\(files.prefix(5))"
                    return files.isEmpty
                }
            }
            #expect(bDone.wait(timeout: .now() + 30) == .success)
            #expect(bStatus.withLock { $0 } == 202, "B was not acknowledged as queued")

            // The worker wakes up on a full disk: it may commit B or hold it, but never publishes an
            // event that tickets.db does not have.
            continued = true
            system.signal("ticket-worker", SIGCONT)
            let db = try system.openTickets()
            // Best effort: the worker may also find the disk full only later; the checks below hold either way.
            _ = try? await eventually("the worker to retry", within: .seconds(5)) { system.log.contains("retry") }
            for _ in 0..<10 {
                let committed = try db.prepare("SELECT coalesce(max(seq), 0) FROM events").queryFirst([]) { $0.int64(at: 0) } ?? 0
                let published = Self.publishedSequenceNumbers(system.spoolPath)
                #expect(published.allSatisfy { $0 <= committed }, "published seq \(published.max() ?? 0) > committed \(committed)")
                try await Task.sleep(for: .milliseconds(200))  // sleep-ok: watches the worker for 2 s on purpose
            }
            let sawFull = system.log.lowercased().contains("full")
            print("full disk: filler \(filled) bytes; worker log mentions a full disk: \(sawFull)")

            // Free the space: B and C go through with their own keys, no process restarted.
            try FileManager.default.removeItem(atPath: filler)
            let b = create("B"), c2 = create("C")
            #expect(b.finalStatus == 201, "B after freeing: \(b.finalStatus ?? 0) \(String(decoding: b.body, as: UTF8.self))")
            #expect(c2.finalStatus == 201, "C after freeing: \(c2.finalStatus ?? 0) \(String(decoding: c2.body, as: UTF8.self))")
            for name in ["A", "B", "C"] {
                let n = try db.prepare("SELECT count(*) FROM tickets WHERE description = ?")
                    .queryFirst([.text("full disk \(run) \(name): the lift is stuck")]) { Int($0.int64(at: 0)) }
                #expect(n == 1, "ticket \(name) stored \(n ?? 0) times")
            }
            #expect(system.currentPIDs() == pids, "a process was restarted: \(pids) → \(system.currentPIDs())\n\(system.log.suffix(4000))")

            await #expect(throws: Never.self, "analytics never matched tickets.db") {
                try await system.waitForAnalyticsToAgree(within: .seconds(60))
            }
            await #expect(throws: Never.self) {
                try await eventually("no message stuck in the spool", within: .seconds(30)) { lastSeen in
                    lastSeen = "stuck: \(system.spoolLeftovers().stuck.prefix(10))"
                    return system.spoolLeftovers().stuck.isEmpty
                }
            }
            #expect(system.spoolLeftovers().dead.isEmpty, "dead: \(system.spoolLeftovers().dead.prefix(10))")
            await #expect(throws: Never.self, "a file stays in tmp/ after the disk was freed") {
                try await eventually("every tmp/ empty", within: .seconds(10)) { lastSeen in
                    let files = Self.tmpFiles(system.spoolPath)
                    lastSeen = "\(files.prefix(5))"
                    return files.isEmpty
                }
            }
            #expect(try db.pragma("integrity_check") == "ok")
        }

        static func allFiles(_ root: String) -> [String] {
            (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        }

        /// Files in any queue's `tmp/` (a sender that failed must have removed its own).
        static func tmpFiles(_ spool: String) -> [String] {
            let queues = spool + "/queues"
            return ((try? FileManager.default.contentsOfDirectory(atPath: queues)) ?? []).flatMap { q in
                ((try? FileManager.default.contentsOfDirectory(atPath: "\(queues)/\(q)/tmp")) ?? []).map { "\(q)/tmp/\($0)" }
            }
        }

        /// Every `seq` found in the envelopes waiting in or claimed from the `events.*` queues.
        static func publishedSequenceNumbers(_ spool: String) -> [Int64] {
            let queues = spool + "/queues"
            var result: [Int64] = []
            for q in (try? FileManager.default.contentsOfDirectory(atPath: queues)) ?? [] where q.hasPrefix("events.") {
                for stage in ["new", "cur", "deferred"] {
                    let dir = "\(queues)/\(q)/\(stage)"
                    for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                        guard let data = FileManager.default.contents(atPath: "\(dir)/\(f)") else { continue }
                        for line in data.split(separator: UInt8(ascii: "\n")) {
                            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) else { continue }
                            collectSeq(object, into: &result)
                        }
                    }
                }
            }
            return result
        }

        private static func collectSeq(_ value: Any, into result: inout [Int64]) {
            if let d = value as? [String: Any] {
                for (k, v) in d {
                    if k == "seq", let n = v as? NSNumber { result.append(n.int64Value) } else { collectSeq(v, into: &result) }
                }
            } else if let a = value as? [Any] {
                for v in a { collectSeq(v, into: &result) }
            }
        }
    }
}
