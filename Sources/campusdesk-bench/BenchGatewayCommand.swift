import Foundation
import Synchronization
import Domain
import SpoolBroker
import Analytics
import TicketService
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench gateway`: an open-loop load generator for `POST /api/tickets` at a steady rate.
///
/// Why not wrk: wrk is closed-loop (each connection sends its next request when the previous
/// answer arrives), so it measures throughput, and its latency hides the queueing a slow answer
/// causes. Here request k is due at `start + k / rate` whatever happened before, and its latency
/// runs from that due time to the last byte of the answer (no coordinated omission); connections
/// are kept alive and taken by whichever is free.
enum BenchGatewayCommand {
    static let usage = """
        usage: campusdesk-bench gateway [--host H] [--port P] [--rate PER_SECOND] [--duration SECONDS] [--connections N]
          POSTs JSON tickets to http://H:P/api/tickets (X-CampusDesk-Role: user) at a steady rate and prints
          the status counts and latency percentiles, measured from each request's due time.

        """

    struct Settings: Sendable {
        var host = "127.0.0.1"
        var port: UInt16 = 18481
        var rate = 200.0
        var duration = 10.0
        var connections = 64
    }

    struct Sample: Sendable {
        var status: Int
        var latencyNanoseconds: UInt64
    }

    static func run(_ args: [String]) async -> Int32 {
        guard args.first == "gateway" else { return fail(usage, 64) }
        var s = Settings()
        var i = 1
        while i < args.count {
            guard i + 1 < args.count else { return fail(usage, 64) }
            let v = args[i + 1]
            switch args[i] {
            case "--host": s.host = v
            case "--port": guard let p = UInt16(v) else { return fail(usage, 64) }; s.port = p
            case "--rate": guard let r = Double(v), r > 0, r <= 100_000 else { return fail(usage, 64) }; s.rate = r
            case "--duration": guard let d = Double(v), d > 0, d <= 3600 else { return fail(usage, 64) }; s.duration = d
            case "--connections": guard let c = Int(v), (1...1024).contains(c) else { return fail(usage, 64) }; s.connections = c
            default: return fail(usage, 64)
            }
            i += 2
        }
        let total = Int(s.rate * s.duration)
        let next = Atomic<Int>(0)
        let samples = Mutex<[Sample]>([])
        let errors = Mutex<[String]>([])
        let start = now() + 100_000_000
        let interval = 1e9 / s.rate
        let settings = s
        let finished = Atomic<Int>(0)
        let threads = (0..<s.connections).map { _ in
            Thread {
                var client: BenchHTTPClient?
                var mine: [Sample] = []
                while true {
                    let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard k < total else { break }
                    let due = start + UInt64(Double(k) * interval)
                    sleep(until: due)
                    do {
                        if client == nil { client = try BenchHTTPClient(host: settings.host, port: settings.port) }
                        guard let c = client else { break }
                        let status = try c.request("POST", "/api/tickets", headers: postHeaders, body: Array(body(k).utf8)).status
                        mine.append(Sample(status: status, latencyNanoseconds: now() - due))
                        if c.closed { client = nil }
                    } catch {
                        errors.withLock { $0.append("\(error)") }
                        client?.close()
                        client = nil
                    }
                }
                client?.close()
                samples.withLock { $0 += mine }
                finished.add(1, ordering: .releasing)
            }
        }
        for t in threads {
            t.stackSize = 256 * 1024
            t.start()
        }
        // The threads end by themselves; poll for them without blocking the cooperative pool.
        while finished.load(ordering: .acquiring) < threads.count {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = Double(now() - start) / 1e9
        let all = samples.withLock { $0 }
        let failures = errors.withLock { $0 }
        print(report(all, failures: failures, settings: s, elapsed: elapsed), terminator: "")
        return failures.isEmpty ? 0 : 1
    }

    static func report(_ samples: [Sample], failures: [String], settings s: Settings, elapsed: Double) -> String {
        var out = "bench gateway: POST /api/tickets at \(Int(s.rate))/s for \(s.duration) s over up to \(s.connections) connections\n"
        var byStatus: [Int: Int] = [:]
        for x in samples { byStatus[x.status, default: 0] += 1 }
        for (status, count) in byStatus.sorted(by: { $0.key < $1.key }) { out += "status \(status): \(count)\n" }
        if !failures.isEmpty { out += "errors: \(failures.count) (first: \(failures[0]))\n" }
        let sorted = samples.map(\.latencyNanoseconds).sorted()
        func pct(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "-" }
            let idx = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return String(format: "%.2f ms", Double(sorted[max(0, idx)]) / 1e6)
        }
        out += "answered: \(samples.count) in \(String(format: "%.1f", elapsed)) s (\(String(format: "%.0f", Double(samples.count) / elapsed))/s)\n"
        out += "latency from due time: p50 \(pct(0.5))  p90 \(pct(0.9))  p99 \(pct(0.99))  max \(pct(1.0))\n"
        return out
    }

    /// The headers of every create request (the JSON API, as a simple user).
    static let postHeaders = "Content-Type: application/json\r\nX-CampusDesk-Role: user\r\n"

    static func body(_ k: Int) -> String {
        #"{"description":"The projector in room \#(k % 400) flickers when the HDMI cable moves","location":"Main hall, room \#(k % 400)","reporter":"Bench \#(k)"}"#
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    private static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }
}
