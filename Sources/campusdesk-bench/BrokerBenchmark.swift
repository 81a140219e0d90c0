import Foundation
import Synchronization
import Logging
import Domain
import SpoolBroker
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench broker`: the spool's throughput and latency against the disk's raw limit.
///
/// All figures come from one run in one directory so the ratios compare like with like:
/// raw (create+write+fsync+rename+fsync dir), durable single sends, batched producer→consumer
/// throughput, and request/reply round trips (durable and volatile requests).
public enum BrokerBenchmark {
    /// Sizes of one run.
    public struct Settings: Sendable {
        public var directory: String
        public var rawOps = 600
        public var singleSends = 600
        public var batchedMessages = 40_000
        public var batchSize = 500
        public var roundTrips = 300

        public init(directory: String) { self.directory = directory }
    }

    /// Runs everything and returns the report text.
    public static func run(_ settings: Settings) async throws -> String {
        var logger = Logger(component: "bench")
        logger.minimumLevel = .error
        let spool = try Spool(root: settings.directory, logger: logger)
        var out = "broker benchmark (\(settings.directory))\n"

        // Raw and single sends alternate in rounds so the (shared, noisy) disk treats both alike.
        let q = try spool.queue(try QueueName("bench.single"))
        let body = BenchBody(n: 0, text: String(repeating: "x", count: 100))
        let rounds = 6
        var rawTime = 0.0
        var singleTime = 0.0
        for round in 0..<rounds {
            rawTime += Double(settings.rawOps / rounds) / (try rawLimit(dir: settings.directory + "/raw\(round)", ops: settings.rawOps / rounds))
            let start = ContinuousClock.now
            for i in 0..<(settings.singleSends / rounds) {
                try q.send(try Envelope(type: "bench", body: BenchBody(n: i, text: body.text), sentAt: spool.clock.now()))
            }
            singleTime += seconds(ContinuousClock.now - start)
        }
        let raw = Double(settings.rawOps / rounds * rounds) / rawTime
        let single = Double(settings.singleSends / rounds * rounds) / singleTime
        out += line("raw create+write+fsync+rename+fsync dir", raw, "ops/s")
        out += line("durable single sends", single, "msgs/s") + String(format: "    ratio to raw: %.0f%% (target >= 80%%)\n", single / raw * 100)

        let batched = try batchedThroughput(spool: spool, settings: settings, text: body.text)
        out += line("batched producer->consumer (batch \(settings.batchSize))", batched, "msgs/s")
            + String(format: "    ratio to raw: %.1fx (target >= 20000 msgs/s)\n", batched / raw)

        for durability in [Durability.durable, .volatile] {
            let (p50, p99) = try await roundTrips(spool: spool, count: settings.roundTrips, durability: durability)
            out += pad("request/reply round trip (\(durability == .durable ? "durable" : "volatile") request)")
                + String(format: " p50 %.2f ms  p99 %.2f ms  (target p50 <= 2, p99 <= 10)\n", p50, p99)
        }
        return out
    }

    struct BenchBody: Codable { var n: Int; var text: String }

    static func line(_ label: String, _ value: Double, _ unit: String) -> String {
        pad(label) + String(format: " %10.0f ", value) + unit + "\n"
    }

    static func pad(_ s: String) -> String {
        s.count >= 56 ? s : s + String(repeating: " ", count: 56 - s.count)
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, a) = d.components
        return Double(s) + Double(a) / 1e18
    }

    /// The disk's ceiling for one durable file: the same syscalls as a send, nothing else.
    static func rawLimit(dir: String, ops: Int) throws -> Double {
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/new", withIntermediateDirectories: true)
        let dirFD = open(dir + "/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw SpoolError.posix("open directory", path: dir + "/new") }
        defer { close(dirFD) }
        let payload = [UInt8](repeating: 0x61, count: 250)
        let start = ContinuousClock.now
        for i in 0..<ops {
            let tmp = dir + "/tmp/\(i)"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw SpoolError.posix("create", path: tmp) }
            let written = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == payload.count else { throw SpoolError.posix("write", path: tmp) }
            guard fsync(fd) == 0 else { throw SpoolError.posix("fsync", path: tmp) }
            close(fd)
            guard rename(tmp, dir + "/new/\(i)") == 0 else { throw SpoolError.posix("rename", path: tmp) }
            guard fsync(dirFD) == 0 else { throw SpoolError.posix("fsync directory", path: dir) }
        }
        return Double(ops) / seconds(ContinuousClock.now - start)
    }

    /// A producer thread sending batches and a consumer thread claiming up to a batch and acking.
    static func batchedThroughput(spool: Spool, settings: Settings, text: String) throws -> Double {
        let name = try QueueName("bench.batched")
        let producerQueue = try spool.queue(name)
        let consumerQueue = try spool.queue(name)
        let total = settings.batchedMessages
        let batchSize = settings.batchSize
        let failure = Mutex<String?>(nil)
        let start = ContinuousClock.now
        let producer = Thread {
            do {
                var n = 0
                while n < total {
                    let count = min(batchSize, total - n)
                    let batch = try (n..<(n + count)).map { try Envelope(type: "bench", body: BenchBody(n: $0, text: text), sentAt: spool.clock.now()) }
                    try producerQueue.send(batch: batch)
                    n += count
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        producer.start()
        var received = 0
        while received < total {
            if failure.withLock({ $0 }) != nil { break }
            let got = try consumerQueue.claim(max: batchSize)
            if got.isEmpty {
                _ = consumerQueue.waitForMessages(timeout: .milliseconds(100))
                continue
            }
            for d in got {
                _ = try d.envelope.decodeBody(BenchBody.self)
                try consumerQueue.ack(d)
            }
            received += got.count
        }
        if let f = failure.withLock({ $0 }) { throw SpoolError(kind: .io, operation: "bench producer", path: "-", detail: f) }
        return Double(total) / seconds(ContinuousClock.now - start)
    }

    /// A responder thread answering each request; the requester measures each round trip.
    static func roundTrips(spool: Spool, count: Int, durability: Durability) async throws -> (Double, Double) {
        let service = try spool.queue(try QueueName("bench.rpc"))
        let broker = SpoolMessageBroker(spool: spool)
        let requester = try RequestClient(broker: broker, processName: "bench")
        defer { requester.close() }
        let stop = Atomic<Bool>(false)
        let responder = Thread {
            while !stop.load(ordering: .relaxed) {
                guard service.waitForMessages(timeout: .milliseconds(50)), let got = try? service.claim(max: 32) else { continue }
                for d in got {
                    try? broker.reply(to: d.envelope, type: "bench.reply", body: BenchBody(n: 0, text: "ok"), sentAt: spool.clock.now())
                    try? service.ack(d)
                }
            }
        }
        responder.start()
        defer { stop.store(true, ordering: .relaxed) }
        var latencies: [Double] = []
        for i in 0..<(count + 10) {
            let env = try Envelope(type: "bench", body: BenchBody(n: i, text: "q"), sentAt: spool.clock.now())
            let t0 = ContinuousClock.now
            _ = try await requester.request(env, to: service.name, timeout: .seconds(10), durability: durability)
            if i >= 10 { latencies.append(seconds(ContinuousClock.now - t0) * 1000) }  // first 10 warm up
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))])
    }
}
