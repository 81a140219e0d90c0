import Domain
import TicketStore
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// The real gateway process killed with SIGKILL during uploads: mid-body, and as soon as the
    /// stored file appears (between the file and its command, when the kill lands in time). Whatever
    /// the moment, no row names a missing file, and `campusdesk attachments sweep` removes exactly the
    /// files no row names (orphans and half-received bodies) and keeps every referenced one.
    @Suite("Attachments under kill -9")
    struct AttachmentCrashTests {
        static let boundary = "----CampusDeskKill9"

        /// A multipart body with one file part (hand-written: this target does not link the parser).
        static func body(_ name: String, _ bytes: [UInt8]) -> [UInt8] {
            Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
                + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        }

        static func head(ticket: Int, length: Int) -> String {
            "POST /api/tickets/\(ticket)/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(length)\r\n\r\n"
        }

        /// A text file of `size` bytes, different per `seed` (so each is its own content-addressed file).
        static func text(_ seed: Int, size: Int) -> [UInt8] {
            let line = Array("round \(seed): the lift is stuck again on floor \(seed % 7)\n".utf8)
            return Array((0..<size).map { line[$0 % line.count] })
        }

        static func files(_ data: URL) -> (stored: Set<String>, incoming: [String]) {
            let root = data.appendingPathComponent("attachments").path
            var stored = Set<String>()
            for shard in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where shard != "incoming" {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + shard)) ?? [] { stored.insert(name) }
            }
            return (stored, (try? FileManager.default.contentsOfDirectory(atPath: root + "/incoming")) ?? [])
        }

        static func referenced(_ data: URL) async throws -> Set<String> {
            try await TicketReader(path: data.appendingPathComponent("tickets.db").path, poolSize: 1).referencedAttachmentHashes()
        }

        @Test("kill -9 of the gateway mid-body and right after the file is stored: only orphans remain, and the sweep removes them and nothing else")
        func killLeavesOnlyOrphans() async throws {
            #expect(FileManager.default.isExecutableFile(atPath: CampusDeskProcesses.binary), "run swift build first")
            let system = try await GatewaySystem()
            let procs = system.processes
            let setup = RawHTTPClient(port: procs.port)
            let filed = try setup.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                          body: Array(#"{"description":"The lift in building C is stuck"}"#.utf8))
            #expect(filed.status == 201, "\(filed.text)")
            let ticket = 1
            // One file stored and referenced before any kill: it must survive everything below.
            let kept = Self.text(0, size: 2_000)
            let first = try setup.request("POST", "/api/tickets/\(ticket)/attachments",
                                          headers: [("Content-Type", "multipart/form-data; boundary=\(Self.boundary)")], body: Self.body("kept.txt", kept))
            #expect(first.status == 201, "\(first.text)")
            let keptHash = try await Self.referenced(procs.data)
            #expect(keptHash.count == 1)

            // 1. Mid-body: half of a 600 KB upload sent, its partial file in incoming/, then kill -9.
            let big = Self.body("half.txt", Self.text(1, size: 600_000))
            let half = RawHTTPClient(port: procs.port)
            try half.sendRaw(Self.head(ticket: ticket, length: big.count))
            try half.sendRaw(Array(big[0..<300_000]))
            try await eventually("the partial body is in incoming/") { !Self.files(procs.data).incoming.isEmpty }
            procs.kill9("gateway")
            half.close()
            #expect(!Self.files(procs.data).incoming.isEmpty)

            // 2. Rounds: a whole upload, and kill -9 the moment its stored file appears (polled every
            //    millisecond: often before the command is sent, sometimes after; both must be safe).
            var gateway = 0
            for round in 2..<8 {
                gateway += 1
                try procs.start("gateway-\(gateway)", ["gateway"])
                try await procs.waitForHTTP("/readyz", status: 200, within: .seconds(60))
                let before = Self.files(procs.data).stored
                let body = Self.body("round\(round).txt", Self.text(round, size: 50_000))
                let client = RawHTTPClient(port: procs.port)
                try client.sendRaw(Self.head(ticket: ticket, length: body.count))
                try client.sendRaw(body, toleratingClose: true)
                let deadline = ContinuousClock.now + .seconds(30)
                while Self.files(procs.data).stored == before && ContinuousClock.now < deadline {
                    usleep(1_000)  // sleep-ok: polls for the stored file every millisecond to kill -9 in the race window on purpose
                }
                procs.kill9("gateway-\(gateway)")
                client.close()
            }

            // The worker applies whatever commands made it into the queue; then the invariant holds.
            try await eventually("the commands queue is drained") {
                ["new", "cur"].allSatisfy { stage in
                    ((try? FileManager.default.contentsOfDirectory(atPath: procs.spool.appendingPathComponent("commands/\(stage)").path)) ?? []).isEmpty
                }
            }
            let referenced = try await Self.referenced(procs.data)
            let (stored, incoming) = Self.files(procs.data)
            #expect(referenced.isSubset(of: stored), "a row names a missing file: \(referenced.subtracting(stored))")
            #expect(keptHash.isSubset(of: referenced))
            let orphans = stored.subtracting(referenced)
            // Every round stored its own file (it was waited for): each is now referenced or an orphan.
            #expect(stored.count == 7, "the kept file and six rounds' files")

            // Within the grace period the sweep keeps everything; with none it removes exactly the orphans.
            let young = try procs.run(["attachments", "sweep"])
            #expect(young.status == 0, "\(young.stderr)")
            #expect(Self.files(procs.data).stored == stored)
            let swept = try procs.run(["attachments", "sweep", "--grace", "0"])
            #expect(swept.status == 0, "\(swept.stderr)")
            let after = Self.files(procs.data)
            #expect(after.stored == referenced)
            #expect(after.incoming.isEmpty)
            #expect(swept.stdout.components(separatedBy: "removed orphan").count - 1 == orphans.count)
            #expect(swept.stdout.components(separatedBy: "removed incoming").count - 1 == incoming.count)
            // The referenced files still serve after the sweep.
            try procs.start("gateway-last", ["gateway"])
            try await procs.waitForHTTP("/readyz", status: 200, within: .seconds(60))
            let list = try RawHTTPClient(port: procs.port).request("GET", "/api/tickets/\(ticket)/attachments")
            #expect(list.status == 200)
            let rows = ((try? JSONSerialization.jsonObject(with: Data(list.body))) as? [String: Any])?["attachments"] as? [[String: Any]] ?? []
            #expect(Set(rows.compactMap { $0["sha256"] as? String }) == referenced)
            for row in rows {
                let url = try #require(row["url"] as? String)
                #expect(try RawHTTPClient(port: procs.port).request("GET", url).status == 200, "\(url) after the sweep")
            }
            print("attachments kill test: \(orphans.count) orphans and \(incoming.count) incoming files swept, \(referenced.count) referenced kept")
        }
    }
}
