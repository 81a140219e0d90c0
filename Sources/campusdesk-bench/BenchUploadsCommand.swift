import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench uploads`: issue 18's benchmark. Starts a real ticket worker and gateway
/// (the `campusdesk` built beside this binary, in a temporary directory), creates a ticket, then
/// sends N 5 MB JPEG uploads (`POST /api/tickets/{id}/attachments`, multipart) 16 at a time over
/// their own connections, and prints MB/s, uploads/s and the gateway's peak RSS (`VmHWM` of its
/// `/proc/<pid>/status`) before and after: the memory of the process that serves the uploads.
enum BenchUploadsCommand {
    static let usage = "usage: campusdesk-bench uploads [--count N] [--concurrency C] [--megabytes MB]\n"

    static func run(_ args: [String]) async -> Int32 {
        var count = 64, concurrency = 16, megabytes = 5
        var i = 1
        while i < args.count {
            guard i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { return fail(usage) }
            switch args[i] {
            case "--count": count = v
            case "--concurrency": concurrency = min(v, 256)
            case "--megabytes": megabytes = min(v, 9)
            default: return fail(usage)
            }
            i += 2
        }
        let own = CommandLine.arguments[0]
        let executable = ((URL(fileURLWithPath: own).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("campusdesk")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            return fail("bench uploads: no campusdesk at \(executable); build it first (swift build -c release --product campusdesk)\n")
        }
        let root = NSTemporaryDirectory() + "campusdesk-bench-uploads-\(getpid())"
        let world = BenchAnalyticsRoundTripCommand.World(root: root, tickets: 0, executable: executable)
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            try FileManager.default.createDirectory(atPath: world.data, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: world.spool, withIntermediateDirectories: true)
            setenv("CAMPUSDESK_ATTACHMENT_MAX_TICKET_BYTES", String(1 << 40), 1)
            try world.start("ticket-worker", ["ticket-worker"], port: nil)
            let port = try world.freePort()
            try world.start("gateway", ["gateway"], port: port)
            let client = try await world.connect(port: port)
            defer { client.close() }
            var created = try client.request("POST", "/api/tickets", headers: BenchGatewayCommand.postHeaders, body: Array(BenchGatewayCommand.body(1).utf8))
            let deadline = BenchAnalyticsRoundTripCommand.nanos() + 60_000_000_000
            while created.status != 201 && BenchAnalyticsRoundTripCommand.nanos() < deadline {
                try world.checkChildren()
                try await Task.sleep(for: .milliseconds(100))
                created = try client.request("POST", "/api/tickets", headers: BenchGatewayCommand.postHeaders, body: Array(BenchGatewayCommand.body(1).utf8))
            }
            guard created.status == 201,
                  let json = try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any],
                  let ticket = (json["id"] as? Int) ?? ((json["ticket"] as? [String: Any])?["id"] as? Int) else {
                throw BenchAnalyticsRoundTripCommand.BenchError("creating the ticket answered \(created.status): \(String(decoding: created.body.prefix(300), as: UTF8.self))")
            }
            guard let gateway = world.children.first(where: { $0.name == "gateway" })?.process.processIdentifier else { return 1 }
            let before = status(gateway)
            let bodies = (0..<count).map { body(photo(bytes: megabytes * 1_000_000, seed: UInt64($0))) }
            let next = Atomic<Int>(0), finished = Atomic<Int>(0)
            let failures = Mutex<[String]>([])
            let sent = Atomic<Int>(0)
            let path = "/api/tickets/\(ticket)/attachments"
            let total = count
            let start = BenchAnalyticsRoundTripCommand.nanos()
            let threads = (0..<concurrency).map { _ in
                Thread {
                    while true {
                        let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard k < total else { break }
                        do {
                            let c = try BenchHTTPClient(port: port)
                            defer { c.close() }
                            let r = try c.request("POST", path, headers: headers, body: bodies[k])
                            if r.status == 201 { sent.add(1, ordering: .relaxed) } else {
                                failures.withLock { $0.append("\(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))") }
                            }
                        } catch {
                            failures.withLock { $0.append("\(error)") }
                        }
                    }
                    finished.add(1, ordering: .releasing)
                }
            }
            for t in threads { t.start() }
            while finished.load(ordering: .acquiring) < threads.count { try? await Task.sleep(for: .milliseconds(5)) }
            let seconds = Double(BenchAnalyticsRoundTripCommand.nanos() - start) / 1e9
            let after = status(gateway)
            let ok = sent.load(ordering: .relaxed)
            let megabytesSent = Double(bodies.prefix(count).reduce(0) { $0 + $1.count }) / 1e6
            say("bench uploads: \(count) JPEG uploads of \(megabytes) MB (multipart), \(concurrency) at once, one connection each; gateway pid \(gateway); load average \(loadAverage())")
            say(String(format: "201: %d of %d in %.2f s: %.1f MB/s, %.1f uploads/s", ok, count, seconds, megabytesSent / seconds, Double(ok) / seconds))
            say("gateway before: VmHWM \(before.hwm) kB, VmRSS \(before.rss) kB; after: VmHWM \(after.hwm) kB, VmRSS \(after.rss) kB; peak rise \(after.hwm - before.hwm) kB")
            let errors = failures.withLock { $0 }
            if !errors.isEmpty { say("failures: \(errors.count) (first: \(errors[0]))") }
            await world.stopAll()
            return errors.isEmpty ? 0 : 1
        } catch {
            await world.stopAll()
            return fail("bench uploads: \(error)\n")
        }
    }

    static let boundary = "campusdeskbench7e3f0c"
    static let headers = "Content-Type: multipart/form-data; boundary=\(boundary)\r\nX-CampusDesk-Role: customer\r\n"

    static func body(_ photo: [UInt8]) -> [UInt8] {
        Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"IMG_0001.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            + photo + Array("\r\n--\(boundary)--\r\n".utf8)
    }

    /// A baseline JPEG whose scan is `bytes` of random entropy-coded data (no 0xFF, so no marker):
    /// each seed a different file, so each upload is a new content-addressed file on disk.
    static func photo(bytes: Int, seed: UInt64) -> [UInt8] {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        var out: [UInt8] = [0xFF, 0xD8] + segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        out += segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))
        out += segment(0xC0, [8, 0x0F, 0xC0, 0x0F, 0xC0, 1, 1, 0x11, 0])
        out += segment(0xC4, [0x00, 1] + [UInt8](repeating: 0, count: 15) + [0x00])
        out += segment(0xC4, [0x10, 1] + [UInt8](repeating: 0, count: 15) + [0x00])
        out += segment(0xDA, [1, 1, 0x00, 0, 63, 0])
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        out.reserveCapacity(out.count + bytes + 2)
        for _ in 0..<(bytes / 8) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var x = state
            for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: x) & 0xFE); x >>= 8 }
        }
        return out + [0xFF, 0xD9]
    }

    /// `VmHWM` (peak resident) and `VmRSS` of a process, in kB, from `/proc/<pid>/status`.
    static func status(_ pid: Int32) -> (hwm: Int, rss: Int) {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return 64
    }
}
