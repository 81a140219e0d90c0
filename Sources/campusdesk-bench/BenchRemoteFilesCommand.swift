import Analytics
import Domain
import Foundation
import HTTPServer
import Logging
import NATSBroker
import RemoteFiles
import ServiceLifecycle
import SpoolBroker
import Synchronization
import TicketService
import TicketStore
import WebGateway
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench remote-files`: attachments on gateways that share the worker's files against
/// gateways with data directories of their own (`CAMPUSDESK_GATEWAY_FILES=own`, docs/nats.md).
///
/// Starts a `nats-server -js` (from PATH or /usr/sbin) on a free port and, in this process, the
/// real ticket worker on it with the attachment home beside it, a gateway on the worker's data
/// directory (shared) and two with directories of their own (own), each behind the real HTTP
/// server. Sends N 5 MB JPEG uploads one at a time through the shared gateway and through own
/// gateway 1; downloads the own uploads through own gateway 2 (cold: fetched from the home in
/// chunks, hash-checked, kept), again (warm: its cache), and through the shared gateway; then the
/// cold download again while a thread files tickets through the shared gateway as fast as it can
/// (the worker busy with command batches), and the filing rate with and without those fetches.
/// Prints MB/s per row.
enum BenchRemoteFilesCommand {
    static let usage = "usage: campusdesk-bench remote-files [--count N] [--megabytes MB]\n"

    struct Served {
        let server: Server
        let task: Task<Void, Never>
        let port: UInt16
    }

    static func run(_ args: [String]) async -> Int32 {
        var count = 10, megabytes = 5
        var i = 1
        while i < args.count {
            guard i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { return fail(usage) }
            switch args[i] {
            case "--count": count = v
            case "--megabytes": megabytes = min(v, 9)
            default: return fail(usage)
            }
            i += 2
        }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/bin"]
        guard let natsServer = dirs.map({ $0 + "/nats-server" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return fail("bench remote-files: nats-server is not installed (Debian package nats-server)\n")
        }
        let root = NSTemporaryDirectory() + "campusdesk-bench-remote-files-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let nats = Process()
        do {
            for d in ["nats", "worker", "own-1", "own-2"] { try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true) }
            let port = try freePort()
            nats.executableURL = URL(fileURLWithPath: natsServer)
            nats.arguments = ["-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", "\(root)/nats"]
            nats.standardOutput = FileHandle.nullDevice
            nats.standardError = FileHandle.nullDevice
            try nats.run()
            defer { nats.terminate(); nats.waitUntilExit() }
            let url = "nats://127.0.0.1:\(port)"
            let quiet = Logger(component: "bench", minimumLevel: .error)

            let store = try TicketStore(path: "\(root)/worker/tickets.db", classifier: FacilityClassifier(), clock: SystemClock())
            let worker = try TicketWorker(store: store, broker: try BrokerFactory.open(url: url, spoolDirectory: root, processName: "ticket-worker", logger: quiet),
                                          logger: quiet)
            let stop = Atomic<Bool>(false)
            let workerTask = Task { try await worker.run(shouldStop: { stop.load(ordering: .relaxed) }) }
            let home = try AttachmentHomeServer(url: url, name: "ticket-worker.files", files: AttachmentFiles(dataDirectory: "\(root)/worker"),
                                                maxFileBytes: 10 << 20, logger: quiet)
            defer { home.close() }
            var requesters: [RequestClient] = []
            func gateway(_ dir: String, remote: Bool) throws -> Served {
                let requester = try RequestClient(broker: try NATSMessageBroker(url: url, name: "gateway-\(dir)"), processName: "gateway-\(dir)",
                                                  options: .init(groupCommit: true), logger: quiet)
                requesters.append(requester)
                let tickets = TicketReader(openingLazily: "\(root)/worker/tickets.db")
                let analytics = BrokerAnalyticsQuerying(client: AnalyticsClient(requester: requester))
                let attachmentHome: any AttachmentHome = remote ? try RemoteAttachmentHome(url: url, name: "gateway-\(dir).files", maxFileBytes: 10 << 20)
                                                                : LocalAttachmentHome()
                let g = Gateway(configuration: Configuration(dataDirectory: "\(root)/\(dir)"), tickets: tickets,
                                commands: BrokerCommandSender(client: requester, logger: quiet), analytics: analytics,
                                readiness: BrokerReadinessProbe(client: requester, analytics: analytics, tickets: tickets),
                                csrfSecret: Array("bench-secret-0123456789".utf8), settings: GatewaySettings(commandTimeout: .seconds(30), attachments: AttachmentSettings(maxTicketBytes: 1 << 40, maxTotalBytes: 1 << 40)),
                                logger: quiet, attachmentHome: attachmentHome)
                let server = try Server(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, streamingBody: g.streamingBody), handler: g.handler)
                return Served(server: server, task: Task { await server.run() }, port: server.port)
            }
            let shared = try gateway("worker", remote: false)
            let own1 = try gateway("own-1", remote: true), own2 = try gateway("own-2", remote: true)

            let ticket = try await offPool { try createTicket(port: shared.port) }
            let count = count
            let photos = (0..<(2 * count)).map { BenchUploadsCommand.photo(bytes: megabytes * 1_000_000, seed: UInt64($0) + 1000) }
            let mb = Double(photos[0].count) / 1e6
            say("bench remote-files: \(count) uploads of \(String(format: "%.1f", mb)) MB each, one at a time; nats-server \(natsServer) on loopback; load average \(BenchUploadsCommand.loadAverage())")
            let sharedUploads = try await timed("upload, shared (gateway on the worker's data directory)", count: count, mb: mb) { k in
                try upload(port: shared.port, ticket: ticket, photos[k])
            }
            let ownURLs = try await timed("upload, own (chunks to the home before the command)", count: count, mb: mb) { k in
                try upload(port: own1.port, ticket: ticket, photos[count + k])
            }
            _ = try await timed("download, shared", count: count, mb: mb) { k in try download(port: shared.port, sharedUploads[k]) }
            _ = try await timed("download, own, cold (fetched from the home, hash-checked, kept)", count: count, mb: mb) { k in
                try download(port: own2.port, ownURLs[k])
            }
            _ = try await timed("download, own, warm (the gateway's own copy)", count: count, mb: mb) { k in try download(port: own2.port, ownURLs[k]) }

            // Cold fetches while the worker applies commands: a thread files tickets as fast as one connection can.
            let busy = Atomic<Bool>(true), filed = Atomic<Int>(0)
            let filer = Thread {
                guard let c = try? BenchHTTPClient(port: shared.port) else { return }
                while busy.load(ordering: .relaxed) {
                    if (try? c.request("POST", "/api/tickets", headers: BenchGatewayCommand.postHeaders, body: Array(BenchGatewayCommand.body(1).utf8)))?.status == 201 {
                        filed.add(1, ordering: .relaxed)
                    }
                }
            }
            filer.start()
            // The filing rate alone first (3 s), then with cold fetches running: does either slow the other?
            let alone0 = filed.load(ordering: .relaxed)
            try await Task.sleep(for: .seconds(3))
            say(String(format: "tickets filed through the shared gateway, nothing else running: %.0f/s", Double(filed.load(ordering: .relaxed) - alone0) / 3))
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(root)/own-2/attachments") where file.utf8.count == 2 {
                try FileManager.default.removeItem(atPath: "\(root)/own-2/attachments/\(file)")
            }
            let before = filed.load(ordering: .relaxed)
            let start = nanos()
            _ = try await timed("download, own, cold, while tickets are filed", count: count, mb: mb) { k in try download(port: own2.port, ownURLs[k]) }
            let seconds = Double(nanos() - start) / 1e9
            busy.store(false, ordering: .relaxed)
            say(String(format: "  (tickets filed meanwhile: %d, %.0f/s)", filed.load(ordering: .relaxed) - before, Double(filed.load(ordering: .relaxed) - before) / seconds))

            for s in [shared, own1, own2] { s.server.shutdown(); await s.task.value }
            for r in requesters { r.close() }
            stop.store(true, ordering: .relaxed)
            try await workerTask.value
            return 0
        } catch {
            if nats.isRunning { nats.terminate() }
            return fail("bench remote-files: \(error)\n")
        }
    }

    /// Runs `body` for 0..<count on a Dispatch thread (the HTTP client blocks), prints MB/s and ms per file.
    static func timed<T: Sendable>(_ label: String, count: Int, mb: Double, _ body: @escaping @Sendable (Int) throws -> T) async throws -> [T] {
        let start = nanos()
        let results = try await offPool { try (0..<count).map(body) }
        let seconds = Double(nanos() - start) / 1e9
        let padded = label.count < 66 ? label + String(repeating: " ", count: 66 - label.count) : label
        say(padded + String(format: " %6.1f MB/s  %7.1f ms per file", Double(count) * mb / seconds, seconds * 1000 / Double(count)))
        return results
    }

    static func createTicket(port: UInt16) throws -> Int {
        let c = try BenchHTTPClient(port: port)
        for _ in 0..<300 {
            let r = try c.request("POST", "/api/tickets", headers: BenchGatewayCommand.postHeaders, body: Array(BenchGatewayCommand.body(1).utf8))
            if r.status == 201, let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], let id = json["id"] as? Int { return id }
            usleep(100_000)
        }
        throw RemoteFilesError(.unavailable, "create a ticket")
    }

    static func upload(port: UInt16, ticket: Int, _ photo: [UInt8]) throws -> String {
        let c = try BenchHTTPClient(port: port)
        let r = try c.request("POST", "/api/tickets/\(ticket)/attachments", headers: BenchUploadsCommand.headers, body: BenchUploadsCommand.body(photo))
        guard r.status == 201, let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
              let url = (json["attachments"] as? [[String: Any]])?.first?["url"] as? String else {
            throw RemoteFilesError(.refused, "upload", "\(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))")
        }
        return url
    }

    static func download(port: UInt16, _ url: String) throws {
        let c = try BenchHTTPClient(port: port)
        let r = try c.request("GET", url, headers: "X-CampusDesk-Role: agent\r\n")
        guard r.status == 200, r.body.count > 1_000_000 else { throw RemoteFilesError(.refused, "download", "\(r.status)") }
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in DispatchQueue.global().async { c.resume(with: Result { try work() }) } }
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard bound == 0, withUnsafeMutablePointer(to: &addr, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }) == 0 else {
            throw RemoteFilesError(.unavailable, "free port")
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    static func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func say(_ line: String) { BenchUploadsCommand.say(line) }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return 64
    }
}

/// Every ticket a facility ticket: the benchmark measures files, not the classifier.
private struct FacilityClassifier: TicketClassifier {
    func classify(_ description: String) -> Classification { Classification(category: .facility, confidence: 0.9) }
}
