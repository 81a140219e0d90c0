import Domain
import Logging
import SQLiteKit
import SpoolBroker
import Classifier
import TicketStore
import Analytics
import TicketService
import HTTPServer
import Foundation
import ServiceLifecycle
import Synchronization

/// `campusdesk-bench worker [--commands N]`: create-ticket commands per second through the ticket worker.
///
/// End to end in one process on a real spool and a real SQLite file (synchronous=FULL, the real
/// classifier, three bound `events.*` queues as in production): commands sent in batch files to
/// `commands`, applied, published as change events, acked. Beside it, in the same run, the raw
/// SQLite commit rate of this disk, which bounds any design that commits per command.
/// Everything happens in a fresh temp directory, removed at the end.
enum BenchWorkerCommand {
    static let usage = "usage: campusdesk-bench worker [--commands N] [--compare-triage ROUNDS] [--replication ROUNDS]\n"

    static func run(_ args: [String]) async -> Int32 {
        var total = 20_000
        var compareRounds = 0
        var replicationRounds = 0
        var rest = args[...]
        if rest.first == "worker" { rest = rest.dropFirst() }
        while let arg = rest.popFirst() {
            switch arg {
            case "--commands":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return fail(usage, 64) }
                total = v
            case "--compare-triage":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return fail(usage, 64) }
                compareRounds = v
            case "--replication":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return fail(usage, 64) }
                replicationRounds = v
            default: return fail(usage, 64)
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-bench-worker-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            if compareRounds > 0 {
                try await compareTriage(dir, total: total, rounds: compareRounds)
                return 0
            }
            if replicationRounds > 0 {
                try await compareReplication(dir, total: total, rounds: replicationRounds)
                return 0
            }
            try rawCommits(dir)
            print("## ticket worker, create_ticket end to end (commands queue -> tickets.db -> events exchange, 3 subscribers)")
            try await drain(dir.appendingPathComponent("drain"), total: total, replies: false)
            try await drain(dir.appendingPathComponent("replies"), total: total, replies: true)
            try await concurrent(dir.appendingPathComponent("concurrent"), total: total)
            return 0
        } catch {
            FileHandle.standardError.write(Data("bench worker: \(error)\n".utf8))
            return 1
        }
    }

    private static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }

    // MARK: - Pieces

    /// One-row transactions, synchronous=FULL: what one commit costs on this disk.
    static func rawCommits(_ dir: URL) throws {
        let db = try Connection(path: dir.appendingPathComponent("raw.db").path, synchronous: .full)
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        let n = 300
        let s = try seconds {
            for i in 0..<n { try db.transaction { db in try db.execute("INSERT INTO t (v) VALUES (?)", [.text("row \(i)")]) } }
        }
        print("raw SQLite commits (WAL, synchronous=FULL, 1 row each): \(n) in \(fmt(s, 3)) s = \(fmt(Double(n) / s, 0)) commits/s")
    }

    struct World {
        let spool: Spool
        let store: TicketStore
        let worker: TicketWorker
        let commands: SpoolQueue

        init(_ dir: URL, triage: Bool = false, replicating: Bool = false) throws {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            spool = try Spool(root: dir.appendingPathComponent("spool").path, logger: Logger(component: "spool", minimumLevel: .warning))
            for service in AnalyticsService.allCases { try spool.exchange(.events).bind(.events(service)) }
            // As the worker runs (`triage`): TriageModel files, suggests severity and keeps the suggestion.
            let model = triage ? try TriageModel.standard() : nil
            store = try TicketStore(path: dir.appendingPathComponent("tickets.db").path,
                                    classifier: try model ?? NaiveBayesClassifier.standard(), clock: SystemClock(), triage: model,
                                    replicating: replicating)
            worker = try TicketWorker(store: store, broker: SpoolMessageBroker(spool: spool), logger: Logger(component: "ticket-worker", minimumLevel: .warning))
            commands = try spool.queue(.commands)
        }

        /// `count` create commands in files of `perFile`, optionally asking for replies.
        func send(_ count: Int, from start: Int = 0, perFile: Int, replyTo: QueueName?) throws {
            var i = start
            while i < start + count {
                let n = min(perFile, start + count - i)
                let now = SystemClock().now()
                let batch = try (0..<n).map { k in
                    let c = Command(role: .customer, action: .createTicket(CreateTicket(
                        description: "The radiator in room \(i + k) is cold and the window does not close", location: "Block \(k % 9)")))
                    return try Envelope(type: TicketWorkerMessageType.command, body: c, replyTo: replyTo,
                                        correlationID: replyTo == nil ? nil : "c\(i + k)", sentAt: now)
                }
                try commands.send(batch: batch)
                i += n
            }
        }

        /// Runs the worker until `total` events are published; returns the seconds it ran.
        func runUntilPublished(_ total: Int) async throws -> Double {
            let stop = StopSignal()
            let worker = self.worker
            return try await withThrowingTaskGroup(of: Void.self) { group in
                let start = ContinuousClock.now
                group.addTask { try await worker.run(shouldStop: { stop.isRequested }) }
                while await worker.counters.eventsPublished < total {
                    try await Task.sleep(for: .milliseconds(2))
                }
                let elapsed = ContinuousClock.now - start
                stop.requestStop()
                try await group.waitForAll()
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
        }
    }

    /// A full queue drained by the worker: its own throughput, sends timed apart.
    static func drain(_ dir: URL, total: Int, replies: Bool) async throws {
        let world = try World(dir)
        let replyQueue = try QueueName("reply.bench.\(getpid())")
        if replies { _ = try world.spool.queue(replyQueue) }
        let sendSeconds = try seconds { try world.send(total, perFile: 500, replyTo: replies ? replyQueue : nil) }
        let cpuBefore = cpuSeconds()
        let s = try await world.runUntilPublished(total)
        let cpu = cpuSeconds() - cpuBefore
        let counters = await world.worker.counters
        let label = replies ? "pre-filled queue, every command with reply_to (reply files)" : "pre-filled queue, no replies"
        print("\(label): \(total) commands in \(fmt(s, 2)) s = \(fmt(Double(total) / s, 0)) creates/s "
              + "(\(counters.batchesCommitted) batches, avg \(total / max(1, counters.batchesCommitted)) per commit; "
              + "sending in files of 500 took \(fmt(sendSeconds, 2)) s = \(fmt(Double(total) / sendSeconds, 0)) msgs/s)")
        // CPU time is steadier than wall time on a shared machine: it says what one idle core would sustain.
        print("  process CPU (user+sys) \(fmt(cpu, 2)) s = \(fmt(cpu / Double(total) * 1e6, 0)) µs per create "
              + "(\(fmt(Double(total) / cpu, 0)) creates per CPU-second)")
        print("  events published: \(counters.eventsPublished) = \(fmt(Double(counters.eventsPublished) / s, 0)) events/s "
              + "(one file per batch into each of 3 queues); worker batch size \(TicketWorker.Settings().batchSize)")
        if replies {
            let queue = try world.spool.queue(replyQueue)
            let files = try FileManager.default.contentsOfDirectory(atPath: queue.path + "/new").count
            print("  replies written: \(try queue.stats().waiting) in \(files) files")
        }
    }

    /// Create throughput with the classifier alone (before triage) and with the triage model (as the
    /// worker runs now), alternating so both see the same load; the figure is the ratio.
    static func compareTriage(_ dir: URL, total: Int, rounds: Int) async throws {
        print("## create_ticket through the worker: classifier only vs TriageModel (suggestion, severity, kept JSON)")
        var ratios: [Double] = []
        for r in 1...rounds {
            var rate: [Bool: Double] = [:], cpuPer: [Bool: Double] = [:]
            for triage in [false, true] {
                let world = try World(dir.appendingPathComponent("round\(r)-\(triage)"), triage: triage)
                try world.send(total, perFile: 500, replyTo: nil)
                let cpuBefore = cpuSeconds()
                let s = try await world.runUntilPublished(total)
                cpuPer[triage] = (cpuSeconds() - cpuBefore) / Double(total) * 1e6
                rate[triage] = Double(total) / s
            }
            let ratio = rate[true]! / rate[false]!
            ratios.append(ratio)
            print("round \(r): classifier \(fmt(rate[false]!, 0)) creates/s (\(fmt(cpuPer[false]!, 0)) µs CPU each), "
                  + "triage \(fmt(rate[true]!, 0)) creates/s (\(fmt(cpuPer[true]!, 0)) µs CPU each), triage/classifier \(fmt(ratio, 3))")
        }
        print("median triage/classifier: \(fmt(ratios.sorted()[ratios.count / 2], 3))")
    }

    /// The worker's cost of replication (row images and the outbox row in each batch's transaction;
    /// nothing published, the outbox keeps them), alternating with a store that does not replicate;
    /// then the replica's apply rate over the batches the replicating run wrote.
    static func compareReplication(_ dir: URL, total: Int, rounds: Int) async throws {
        print("## create_ticket through the worker, every command with reply_to: not replicating vs replicating (row images + outbox)")
        var ratios: [Double] = []
        for r in 1...rounds {
            var rate: [Bool: Double] = [:], cpuPer: [Bool: Double] = [:]
            for replicating in [false, true] {
                let world = try World(dir.appendingPathComponent("round\(r)-\(replicating)"), replicating: replicating)
                let replyQueue = try QueueName("reply.bench.\(getpid())")
                _ = try world.spool.queue(replyQueue)
                try world.send(total, perFile: 500, replyTo: replyQueue)
                let cpuBefore = cpuSeconds()
                let s = try await world.runUntilPublished(total)
                cpuPer[replicating] = (cpuSeconds() - cpuBefore) / Double(total) * 1e6
                rate[replicating] = Double(total) / s
                if replicating && r == rounds { try await applyToReplica(world, dir.appendingPathComponent("replica-\(r).db"), total: total) }
            }
            let ratio = rate[true]! / rate[false]!
            ratios.append(ratio)
            print("round \(r): plain \(fmt(rate[false]!, 0)) creates/s (\(fmt(cpuPer[false]!, 0)) µs CPU each), "
                  + "replicating \(fmt(rate[true]!, 0)) creates/s (\(fmt(cpuPer[true]!, 0)) µs CPU each), replicating/plain \(fmt(ratio, 3))")
        }
        print("median replicating/plain: \(fmt(ratios.sorted()[ratios.count / 2], 3))")
    }

    /// Applies every batch of the world's outbox to a fresh replica, timing it.
    static func applyToReplica(_ world: World, _ path: URL, total: Int) async throws {
        let batches = try await world.store.unpublishedReplication(limit: 1_000_000)
        let bytes = batches.reduce(0) { $0 + $1.images.count }
        let replica = try TicketReplica(path: path.path)
        let s = try seconds { for batch in batches { try replica.apply(batch) } }
        print("  replica: \(batches.count) batches (\(fmt(Double(bytes) / Double(max(1, batches.count)) / 1024, 0)) KiB each, "
              + "\(fmt(Double(bytes) / Double(total), 0)) bytes per create) applied in \(fmt(s, 2)) s = "
              + "\(fmt(Double(batches.count) / s, 0)) batches/s = \(fmt(Double(total) / s, 0)) creates/s")
    }

    /// A producer thread sending files of 100 while the worker runs: first send to last event published.
    static func concurrent(_ dir: URL, total: Int) async throws {
        let world = try World(dir)
        let failure = Mutex<String?>(nil)
        let start = ContinuousClock.now
        let producer = Thread {
            do { try world.send(total, perFile: 100, replyTo: nil) } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        producer.start()
        _ = try await world.runUntilPublished(total)
        let elapsed = ContinuousClock.now - start
        if let f = failure.withLock({ $0 }) { throw BenchFailure(description: f) }
        let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let counters = await world.worker.counters
        print("producer sending files of 100 while the worker runs: \(total) commands in \(fmt(s, 2)) s = "
              + "\(fmt(Double(total) / s, 0)) creates/s (\(counters.batchesCommitted) batches, avg \(total / max(1, counters.batchesCommitted)) per commit)")
    }

    /// User plus system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    struct BenchFailure: Error, CustomStringConvertible { var description: String }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
}
