import Domain
import SQLiteKit
import SpoolBroker
import TicketStore
import TicketService
import HTTPServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench store [--tickets N] [--import-batch B] [--import-only]`: measures the ticket store.
///
/// Raw SQLite commit rate per synchronous mode, create-ticket throughput by batch size, the time to
/// import N historical tickets (default 1,000,000) through `TicketStore.apply` in transactions of B
/// (default 1,000), then the background full-text pass over the imported tickets (with a live create
/// between its chunks), then list/detail query times at that size. `--import-only` skips the first two
/// parts (for profiling the import under callgrind). Everything happens in a fresh temp directory,
/// removed at the end.
enum BenchStoreCommand {
    static func run(_ args: [String]) async -> Int32 {
        var tickets = 1_000_000
        var importBatch = 1_000
        var importOnly = false
        var rest = args[...]
        if rest.first == "store" { rest = rest.dropFirst() }
        while let arg = rest.popFirst() {
            switch arg {
            case "--tickets":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return usage() }
                tickets = v
            case "--import-batch":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return usage() }
                importBatch = v
            case "--import-only":
                importOnly = true
            default: return usage()
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-bench-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            if !importOnly {
                try rawCommits(dir)
                try await batchedCreates(dir)
            }
            try await importsAndQueries(dir, count: tickets, batch: importBatch)
            return 0
        } catch {
            FileHandle.standardError.write(Data("bench store: \(error)\n".utf8))
            return 1
        }
    }

    private static func usage() -> Int32 {
        FileHandle.standardError.write(Data("usage: campusdesk-bench store [--tickets N] [--import-batch B] [--import-only]\n".utf8))
        return 64
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

    /// The worker's background full-text pass, chunk by chunk, with one live `create_ticket` applied
    /// after each chunk: the worker runs the same alternation, so a live command arriving during the
    /// pass waits at most one chunk and then takes as long as the create below.
    static func searchPass(_ store: TicketStore, chunk: Int, importSeconds: Double) async throws {
        print("## background full-text pass (chunks of \(chunk), a live create between chunks)")
        let backlog = try await store.searchBacklog
        var chunkTimes: [Double] = []
        var createTimes: [Double] = []
        var indexed = 0
        let s = try await seconds {
            while true {
                var n = 0
                chunkTimes.append(try await seconds { n = try await store.indexSearchBacklog(limit: chunk) })
                indexed += n
                if n < chunk { break }
                createTimes.append(try await seconds {
                    _ = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "Live ticket during the pass")))])
                })
            }
        }
        guard indexed == backlog, try await store.searchBacklog == 0 else {
            throw Refusal(.validation, "search pass indexed \(indexed) of \(backlog)")
        }
        func ms(_ xs: [Double], _ q: Double) -> String {
            guard !xs.isEmpty else { return "-" }
            let sorted = xs.sorted()
            return fmt(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000, 1)
        }
        print("indexed \(indexed) in \(fmt(s, 1)) s (\(fmt(Double(indexed) / max(s, 1e-9), 0)) tickets/s); "
              + "full-text searchable \(fmt(importSeconds + s, 1)) s after the import started")
        print("chunk of \(chunk): median \(ms(chunkTimes, 0.5)) ms, p99 \(ms(chunkTimes, 0.99)) ms, max \(ms(chunkTimes, 1)) ms; "
              + "live create between chunks: median \(ms(createTimes, 0.5)) ms, max \(ms(createTimes, 1)) ms (\(createTimes.count) creates)")
    }

    /// User and system CPU seconds of this process so far (getrusage).
    static func processCPU() -> (user: Double, system: Double) {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return (0, 0) }
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (secs(usage.ru_utime), secs(usage.ru_stime))
    }

    /// One-row transactions in WAL mode: what a commit (and its fsync, or not) costs.
    static func rawCommits(_ dir: URL) throws {
        print("## raw SQLite commits (WAL, 1 row per transaction)")
        for mode in Connection.Synchronous.allCases {
            let db = try Connection(path: dir.appendingPathComponent("raw-\(mode.rawValue).db").path, synchronous: mode)
            try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            let n = mode == .full ? 300 : 2_000
            let s = try seconds {
                for i in 0..<n {
                    try db.transaction { db in try db.execute("INSERT INTO t (v) VALUES (?)", [.text("row \(i)")]) }
                }
            }
            print("synchronous=\(mode.rawValue): \(n) commits in \(fmt(s, 3)) s = \(fmt(Double(n) / s, 0)) commits/s")
        }
    }

    /// create_ticket commands through `apply`, one transaction per batch, synchronous=FULL.
    static func batchedCreates(_ dir: URL) async throws {
        print("## create_ticket through TicketStore.apply (synchronous=FULL)")
        let store = try TicketStore(path: dir.appendingPathComponent("creates.db").path, classifier: BenchClassifier(), clock: SystemClock())
        for (batch, total) in [(1, 300), (10, 2_000), (100, 10_000), (1_000, 20_000)] {
            var i = 0
            let s = try await seconds {
                while i < total {
                    let commands = (0..<batch).map { k in
                        Command(role: .customer, action: .createTicket(CreateTicket(description: "Radiator cold in room \(i + k)", location: "B\(k % 9)")))
                    }
                    _ = try await store.apply(commands)
                    i += batch
                }
            }
            print("batch \(batch): \(total) commands in \(fmt(s, 2)) s = \(fmt(Double(total) / s, 0)) commands/s")
        }
    }

    /// N imports in transactions of `batch`, then query timings at that size.
    static func importsAndQueries(_ dir: URL, count: Int, batch: Int) async throws {
        let path = dir.appendingPathComponent("tickets.db").path
        let store = try TicketStore(path: path, classifier: BenchClassifier(), clock: SystemClock())
        let words = ["heating", "wifi", "printer", "canteen", "library", "door", "window", "projector", "shuttle", "fees"]
        let now = SystemClock().now()
        let start = now.adding(milliseconds: -3 * 365 * 86_400_000)
        let step = max(1, (now.millisecondsSinceEpoch - start.millisecondsSinceEpoch - 86_400_000) / Int64(count))
        print("## import \(count) tickets (batches of \(batch), synchronous=FULL)")
        var done = 0
        let cpuBefore = processCPU()
        let s = try await seconds {
            while done < count {
                let n = min(batch, count - done)
                let commands = (0..<n).map { k -> Command in
                    let i = done + k
                    let opened = start.adding(milliseconds: Int64(i) * step)
                    let status = i < count - 5_000 ? Status.closed : Status.allCases[i % 3]
                    return Command(role: .agent, action: .importTicket(ImportTicket(
                        description: "\(words[i % words.count]) problem reported, case \(i)", location: "Building \(i % 80)",
                        reporter: i % 100 == 0 ? "Reporter \(i)" : nil, category: i % 10 == 0 ? nil : Category.allCases[i % 3],
                        status: status, openedAt: opened, closedAt: status == .closed ? opened.adding(milliseconds: 3_600_000) : nil,
                        messages: i % 20 == 0 ? [ImportedMessage(authorRole: .customer, body: "any news?", sentAt: opened.adding(milliseconds: 60_000))] : [])))
                }
                let replies = try await store.apply(commands)
                if let refused = replies.first(where: { !$0.isApplied }) {
                    throw Refusal(.validation, "import refused: \(refused.refusal?.reason ?? "?")")
                }
                done += n
            }
        }
        let cpuImport = processCPU()
        print("imported \(count) in \(fmt(s, 1)) s = \(fmt(Double(count) / s, 0)) tickets/s (listed, events in the outbox); "
              + "CPU \(fmt(cpuImport.user - cpuBefore.user, 1)) s user + \(fmt(cpuImport.system - cpuBefore.system, 1)) s sys")
        try await searchPass(store, chunk: 2_000, importSeconds: s)
        let cpuPass = processCPU()
        print("search pass CPU \(fmt(cpuPass.user - cpuImport.user, 1)) s user + \(fmt(cpuPass.system - cpuImport.system, 1)) s sys")
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("file \(size / 1_048_576) MiB")

        print("## queries at \(count) tickets (median of 5, read-only connection)")
        let reader = try TicketReader(path: path)
        let first = try await reader.list(TicketFilter(limit: 50))
        var deep = TicketFilter(limit: 50)
        for _ in 0..<20 { deep.cursor = try await reader.list(deep).nextCursor }
        let queries: [(String, () async throws -> Void)] = [
            ("list first page, no filter, 50", { _ = try await reader.list(TicketFilter(limit: 50)) }),
            ("list page 21 by cursor, 50", { _ = try await reader.list(deep) }),
            ("list status=open, 50", { _ = try await reader.list(TicketFilter(statuses: [.open], limit: 50)) }),
            ("list open+active, category=it, 500", { _ = try await reader.list(TicketFilter(statuses: [.open, .active], category: .it, limit: 500)) }),
            ("search rare word (\"Reporter 4200\"), 50", { _ = try await reader.list(TicketFilter(text: "Reporter 4200", limit: 50)) }),
            ("search common prefix (\"heat\", 10%), 50", { _ = try await reader.list(TicketFilter(text: "heat", limit: 50)) }),
            ("detail with messages", { _ = try await reader.detail(first.tickets.last?.id ?? TicketID(1)) }),
            ("counts by status", { _ = try await reader.counts() }),
        ]
        for (name, q) in queries {
            var times: [Double] = []
            for _ in 0..<5 { times.append(try await seconds { try await q() }) }
            print("\(name): \(fmt(times.sorted()[2] * 1000, 2)) ms")
        }
    }
}

/// A stand-in classifier for the benchmark (the real one lives on the classifier branch):
/// keyword lookups, about as cheap as the store's own work so it does not hide the store's cost.
private struct BenchClassifier: TicketClassifier {
    func classify(_ description: String) -> Classification {
        if description.contains("wifi") || description.contains("printer") { return Classification(category: .it, confidence: 0.9) }
        if description.contains("canteen") || description.contains("fees") { return Classification(category: .services, confidence: 0.8) }
        return Classification(category: .facility, confidence: 0.5)
    }
}
