import Foundation
import TestSupport
import Testing
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// A real gateway with a data directory of its own (`CAMPUSDESK_GATEWAY_FILES=own`) on NATS,
    /// killed with SIGKILL while it delivers an upload to the ticket worker's attachment home.
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct RemoteGatewayCrashTests {
        static let boundary = "----CampusDeskRemoteKill9"

        /// The gateway `own` as a process of its own: its own data directory and port, the rest of `procs`' environment.
        static func startOwnGateway(_ procs: CampusDeskProcesses, data: URL, port: UInt16, log name: String = "gateway-own") throws -> Process {
            var env = procs.environment
            env["CAMPUSDESK_DATA"] = data.path
            env["PORT"] = String(port)
            env["CAMPUSDESK_GATEWAY_FILES"] = "own"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CampusDeskProcesses.binary)
            p.arguments = ["gateway"]
            p.environment = env
            let log = procs.root.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: log)
            p.standardError = p.standardOutput
            try p.run()
            return p
        }

        static func stored(_ data: URL) -> [String] {
            let root = data.appendingPathComponent("attachments").path
            return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0 != "incoming" }
                .flatMap { (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + $0)) ?? [] }
        }

        @Test("kill -9 of an own gateway while its upload waits for the home: no attachment recorded, nothing under the hash at the home; sent again, another own gateway serves it")
        func killDuringDelivery() async throws {
            let nats = try TemporaryDirectory("remote-kill9")
            defer { nats.remove() }
            let server = try NATSServerProcess(storeDirectory: nats.path("jetstream"))
            let procs = try CampusDeskProcesses(environment: ["CAMPUSDESK_BROKER": server.url])
            try procs.start("ticket-worker", ["ticket-worker"])
            let workerDB = procs.data.appendingPathComponent("tickets.db")
            try await eventually("the worker to create tickets.db") { FileManager.default.fileExists(atPath: workerDB.path) }
            // The gateway's own directory; its tickets.db is the worker's until the gateway keeps a replica (another part of issue 19).
            let own = procs.root.appendingPathComponent("gateway-own")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: own.appendingPathComponent("tickets.db").path, withDestinationPath: workerDB.path)
            let port = RawHTTPClient.freePort()
            var gateway = try Self.startOwnGateway(procs, data: own, port: port)
            defer { if gateway.isRunning { kill(gateway.processIdentifier, SIGKILL) }; gateway.waitUntilExit() }

            var filed: RawHTTPClient.Response?
            try await eventually("the own gateway to file a ticket") {
                let c = RawHTTPClient(port: port, timeout: .seconds(10))
                defer { c.close() }
                filed = try? c.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                       body: Array(#"{"description":"The heating in room 3 is off"}"#.utf8))
                return filed?.status == 201
            }
            // The worker (and with it the home) stops answering: the gateway's first chunk waits for its reply.
            try await procs.freeze("ticket-worker")
            let text = Array((0..<3_000_000).map { UInt8(97 + $0 % 26) })
            let body = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"log.txt\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
                + text + Array("\r\n--\(Self.boundary)--\r\n".utf8)
            let upload = RawHTTPClient(port: port)
            try upload.sendRaw("POST /api/tickets/1/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=\(Self.boundary)\r\nContent-Length: \(body.count)\r\n\r\n")
            try upload.sendRaw(body)
            // Stored in the gateway's own directory: the delivery to the home has begun (and cannot finish).
            try await eventually("the gateway to store the file in its own directory") { !Self.stored(own).isEmpty }
            kill(gateway.processIdentifier, SIGKILL)
            gateway.waitUntilExit()
            upload.close()
            procs.signal("ticket-worker", SIGCONT)

            let hash = try #require(Self.stored(own).first)
            // The worker answers again (a new gateway files a ticket): whatever chunk was on its way is written, nothing is committed.
            gateway = try Self.startOwnGateway(procs, data: own, port: port)
            try await eventually("the restarted gateway to file a ticket") {
                let c = RawHTTPClient(port: port, timeout: .seconds(10))
                defer { c.close() }
                return (try? c.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                       body: Array(#"{"description":"The heating in room 4 is off"}"#.utf8)))?.status == 201
            }
            #expect(try await TicketReader(path: workerDB.path, poolSize: 1).referencedAttachmentHashes().isEmpty, "no attachment recorded")
            #expect(!Self.stored(procs.data).contains(hash), "nothing under the hash at the home")
            let listed = try RawHTTPClient(port: port).request("GET", "/api/tickets/1/attachments", headers: [("X-CampusDesk-Role", "agent")])
            #expect(listed.status == 200 && listed.text.contains("\"attachments\":[]"), "\(listed.text)")

            // Sent again, whole, through the restarted gateway; a second own gateway (another directory) serves the same bytes.
            let again = try RawHTTPClient(port: port).request("POST", "/api/tickets/1/attachments",
                                                              headers: [("Content-Type", "multipart/form-data; boundary=\(Self.boundary)")], body: body)
            #expect(again.status == 201, "\(again.text)")
            let url = try #require(again.header("Location"), "\(again.headers)")
            #expect(Self.stored(procs.data).contains(hash), "the home holds it now")
            let other = procs.root.appendingPathComponent("gateway-own-2")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: other.appendingPathComponent("tickets.db").path, withDestinationPath: workerDB.path)
            let otherPort = RawHTTPClient.freePort()
            let second = try Self.startOwnGateway(procs, data: other, port: otherPort, log: "gateway-own-2")
            defer { kill(second.processIdentifier, SIGKILL); second.waitUntilExit() }
            var download: RawHTTPClient.Response?
            try await eventually("the second gateway to serve the file") {
                let c = RawHTTPClient(port: otherPort, timeout: .seconds(10))
                defer { c.close() }
                download = try? c.request("GET", url, headers: [("X-CampusDesk-Role", "agent")])
                return download?.status == 200
            }
            #expect(download?.body == text)
            #expect(Self.stored(other).contains(hash), "kept in the second gateway's own directory")
        }
    }
}
