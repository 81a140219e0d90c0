import Domain
import SQLiteKit
import SpoolBroker
import TicketStore
import Supervisor
import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench analytics-roundtrip [--tickets N[,N...]] [--requests N] [--dashboard N] [--services S[,S...]]`: the
/// analytics query as a browser sees it, gateway → worker → gateway, beside the same answer by SQL.
///
/// Why real processes: the figure the issue asks for is the whole path (HTTP parse, request on
/// `query.<service>`, the worker's claim, answer and reply file, the gateway's wake-up), so it
/// runs the real `campusdesk ticket-worker`, the four `campusdesk analytics …` and `campusdesk
/// gateway` children of this binary on a temp spool and data directory. For each N (default
/// 10,000 and 1,000,000) it bulk-loads `tickets.db`, lets the freshly started analytics workers
/// catch up through the ticket worker's replay (events/s per worker from its first commit, CPU per
/// event), times sequential API and dashboard requests over one keep-alive loopback socket (with
/// the gateway's and worker's CPU per round trip), then times the brute-force SQL over
/// `tickets.db` (printing SQLite's plan), and exits 1 if the two answers differ. The SQL runs
/// after all requests because it takes seconds at 1 M and the gateway closes idle connections.
enum BenchAnalyticsRoundTripCommand {
    static let usage = "usage: campusdesk-bench analytics-roundtrip [--tickets N[,N...]] [--requests N] [--dashboard N] [--services S[,S...]]\n"

    /// What one run measures; defaults are the issue's.
    struct Options {
        var sizes = [10_000, 1_000_000]
        var requests = 2_000
        var dashboard = 500
        var warmUp = 200
        /// The analytics workers started and asked (all by default; fewer skips `/dashboard` and
        /// waits for the first service's answer instead of `/readyz`, which wants them all).
        var services = AnalyticsService.allCases
    }

    static func run(_ args: [String]) async -> Int32 {
        var rest = args
        if rest.first == "analytics-roundtrip" { rest.removeFirst() }
        var options = Options()
        while let flag = rest.first {
            rest.removeFirst()
            guard let raw = rest.first else { return usageError() }
            rest.removeFirst()
            switch flag {
            case "--tickets":
                let sizes = raw.split(separator: ",").compactMap { Int($0) }
                guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 100 }) else { return usageError() }
                options.sizes = sizes
            case "--requests":
                guard let v = Int(raw), v >= 10 else { return usageError() }
                options.requests = v
            case "--services":
                let services = raw.split(separator: ",").compactMap { AnalyticsService(rawValue: String($0)) }
                guard !services.isEmpty, services.count == raw.split(separator: ",").count else { return usageError() }
                options.services = AnalyticsService.allCases.filter(services.contains)
            case "--dashboard":
                guard let v = Int(raw), v >= 10 else { return usageError() }
                options.dashboard = v
            default: return usageError()
            }
        }
        // The services run as the real `campusdesk` built beside this benchmark (`swift build -c release`).
        let executable: String
        do {
            let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            executable = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("campusdesk")
        } catch {
            FileHandle.standardError.write(Data("bench analytics-roundtrip: cannot find own executable: \(error)\n".utf8))
            return 1
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            FileHandle.standardError.write(Data("bench analytics-roundtrip: no campusdesk at \(executable); build it first (swift build -c release)\n".utf8))
            return 1
        }
        say("analytics round trip: real ticket-worker, \(options.services.count) analytics workers and gateway processes (\(executable)); load average \(loadAverage())")
        var status: Int32 = 0
        for n in options.sizes {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-bench-roundtrip-\(UUID().uuidString)").path
            let world = World(root: root, tickets: n, executable: executable)
            do {
                let ok = try await world.measure(options)
                if !ok { status = 1 }
            } catch {
                FileHandle.standardError.write(Data("bench analytics-roundtrip (\(n) tickets): \(error)\n".utf8))
                status = 1
            }
            await world.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        return status
    }

    private static func usageError() -> Int32 {
        FileHandle.standardError.write(Data(usage.utf8))
        return 64
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// Writes one line to stdout at once (unbuffered), so a long run written to a file shows its progress.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// p50 / p99 / max of durations in nanoseconds, as milliseconds.
    struct Percentiles: CustomStringConvertible {
        var p50: Double, p99: Double, max: Double
        init(_ samples: [UInt64]) {
            let s = samples.sorted()
            func at(_ q: Double) -> Double { Double(s[Swift.min(s.count - 1, Int(Double(s.count) * q))]) / 1e6 }
            p50 = at(0.50)
            p99 = at(0.99)
            max = Double(s.last ?? 0) / 1e6
        }
        var description: String { String(format: "p50 %.3f ms  p99 %.3f ms  max %.3f ms", p50, p99, max) }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}

// MARK: - One world (temp dir, processes) per ticket count

extension BenchAnalyticsRoundTripCommand {
    final class World {
        let root: String
        let tickets: Int
        let executable: String
        var data: String { root + "/data" }
        /// Elsewhere than `root/spool` when set (`bench scale` puts it on a tmpfs; the spool refuses a symlink).
        var spoolOverride: String?
        var spool: String { spoolOverride ?? root + "/spool" }
        var children: [(name: String, process: Process)] = []
        let now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))

        init(root: String, tickets: Int, executable: String) {
            self.root = root
            self.tickets = tickets
            self.executable = executable
        }

        /// Runs the whole measurement; false when an answer differs from SQL.
        func measure(_ options: Options) async throws -> Bool {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            let n = tickets
            say("\n== \(n) tickets ==")

            // 1. tickets.db: migrated by TicketStore, then one bulk transaction through the same wrapper.
            let loadStart = nanos()
            try BulkTickets.write(path: data + "/tickets.db", count: n, now: now)
            let loadSeconds = Double(nanos() - loadStart) / 1e9
            say(String(format: "tickets.db: %d tickets + %d outbox events bulk-inserted in one transaction: %.1f s (%.0f tickets/s)", n, n, loadSeconds, Double(n) / loadSeconds))

            // 2. The ticket worker and the fresh analytics workers: each asks for a replay from seq 1.
            try start("ticket-worker", ["ticket-worker"], port: nil)
            let replayStart = nanos()
            for service in options.services { try start(service.rawValue, ["analytics", service.rawValue], port: nil) }
            // Per worker: when its first event committed, when its last did, and its CPU time then.
            // The ticket worker answers the three replay requests one after another, so a worker's
            // rate from its own first commit is its apply rate; from the start it includes the wait.
            var firstApplied: [AnalyticsService: (seconds: Double, seq: Int64)] = [:]
            var caughtUp: [AnalyticsService: (seconds: Double, cpu: Double)] = [:]
            let replayDeadline = replayStart + UInt64(max(120, n / 2_000)) * 1_000_000_000
            while caughtUp.count < options.services.count {
                for service in options.services where caughtUp[service] == nil {
                    guard let seq = lastSeq(service) else { continue }
                    let t = Double(nanos() - replayStart) / 1e9
                    if seq > 0, firstApplied[service] == nil { firstApplied[service] = (t, seq) }
                    if seq >= Int64(n) { caughtUp[service] = (t, cpuSeconds(service.rawValue)) }
                }
                try checkChildren()
                guard nanos() < replayDeadline else { throw BenchError("analytics workers did not catch up in time: \(caughtUp)") }
                try await Task.sleep(for: .milliseconds(20))
            }
            say("replay from seq 1 into \(options.services.count) fresh workers at once (polled every 20 ms; CPU from /proc/<pid>/stat):")
            for service in options.services {
                guard let done = caughtUp[service], let first = firstApplied[service] else { continue }
                let applying = max(done.seconds - first.seconds, 0.001)
                say(String(format: "  %@: first commit at %.1f s (seq %lld), caught up at %.1f s: %.0f events/s from its first commit, %.0f events/s from the start; %.1f s CPU = %.1f µs CPU per event",
                             service.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0), first.seconds, first.seq, done.seconds,
                             Double(Int64(n) - first.seq) / applying, Double(n) / done.seconds, done.cpu, done.cpu / Double(n) * 1e6))
            }
            let all = caughtUp.values.map(\.seconds).max() ?? 0
            say(String(format: "  all caught up after %.1f s: %.0f events/s applied in total; ticket worker (replay sender) %.1f s CPU", all,
                       Double(options.services.count * n) / all, cpuSeconds("ticket-worker")))

            // 3. The gateway on a free loopback port.
            let port = try freePort()
            try start("gateway", ["gateway"], port: port)
            let client = try await connect(port: port)
            defer { client.close() }
            let allPaths: [AnalyticsService: String] = [
                .openTickets: "/api/analytics/open-tickets?days=30", .resolutionTime: "/api/analytics/resolution-time",
                .categoryLoad: "/api/analytics/category-load", .serviceLevels: "/api/analytics/service-levels"]
            let paths = options.services.map { allPaths[$0] ?? "/" }
            let everyService = options.services == AnalyticsService.allCases
            try await waitReady(client, probe: everyService ? "/readyz" : paths[0])

            // 4. Round trips over the real socket, all before any SQL: the gateway closes a keep-alive
            //    connection left idle past its idle timeout, and the SQL takes seconds at 1 M tickets.
            let apiHeaders = "X-CampusDesk-Role: staff\r\n"
            var bodies: [String: [UInt8]] = [:]
            var roundTrips: [Percentiles] = []
            say("sequential requests on one keep-alive connection, \(options.warmUp) warm-up + \(options.requests) timed each; then SQL on a read-only connection:")
            // CPU per request of the gateway and the answering worker: steadier than wall time on a shared machine.
            var cpuPerRequest: [(gateway: Double, worker: Double)] = []
            for (path, service) in zip(paths, options.services) {
                for _ in 0..<options.warmUp { _ = try client.request("GET", path, headers: apiHeaders) }
                let cpuBefore = (cpuSeconds("gateway"), cpuSeconds(service.rawValue))
                var samples: [UInt64] = []
                samples.reserveCapacity(options.requests)
                for _ in 0..<options.requests {
                    let t = nanos()
                    let r = try client.request("GET", path, headers: apiHeaders)
                    samples.append(nanos() - t)
                    guard r.status == 200 else { throw BenchError("\(path) answered \(r.status): \(String(decoding: r.body.prefix(300), as: UTF8.self))") }
                    bodies[path] = r.body
                }
                roundTrips.append(Percentiles(samples))
                let requests = Double(options.requests)
                cpuPerRequest.append(((cpuSeconds("gateway") - cpuBefore.0) / requests * 1e6, (cpuSeconds(service.rawValue) - cpuBefore.1) / requests * 1e6))
            }

            // 5. The dashboard page (three analytics asked concurrently + HTML and SVG rendering).
            let cookie = "Cookie: cd_role=staff; cd_browser=\(String(repeating: "0123456789abcdef", count: 2))\r\n"
            for _ in 0..<(everyService ? min(options.warmUp, 50) : 0) { _ = try client.request("GET", "/dashboard", headers: cookie) }
            var dash: [UInt64] = []
            var size = 0
            for _ in 0..<(everyService ? options.dashboard : 0) {
                let t = nanos()
                let r = try client.request("GET", "/dashboard", headers: cookie)
                dash.append(nanos() - t)
                guard r.status == 200 else { throw BenchError("/dashboard answered \(r.status)") }
                size = r.body.count
            }

            // 6. The same answers by brute-force SQL over tickets.db, timed, then compared.
            let sql = try SQLAnswers(path: data + "/tickets.db")
            let sqlRounds = n <= 100_000 ? 200 : 10
            let plans = try sql.plans()
            for (path, service) in zip(paths, options.services) {
                say("  SQL plan for \(path): \(plans[AnalyticsService.allCases.firstIndex(of: service) ?? 0])")
            }
            for (i, path) in paths.enumerated() {
                var sqlSamples: [UInt64] = []
                for _ in 0..<sqlRounds {
                    let t = nanos()
                    switch options.services[i] {
                    case .openTickets: _ = try sql.openTickets(since: now.adding(milliseconds: -720 * 3_600_000))
                    case .resolutionTime: _ = try sql.resolutionTime()
                    case .categoryLoad: _ = try sql.categoryLoad()
                    case .serviceLevels: _ = try sql.serviceLevels(now: now)
                    }
                    sqlSamples.append(nanos() - t)
                }
                say("  \(path.padding(toLength: 38, withPad: " ", startingAt: 0)) round trip \(roundTrips[i])   SQL (\(sqlRounds)×) \(Percentiles(sqlSamples))")
                say(String(format: "  %@ CPU per round trip: gateway %.0f µs, worker %.0f µs", String(repeating: " ", count: 38), cpuPerRequest[i].gateway, cpuPerRequest[i].worker))
            }
            if everyService { say("  GET /dashboard (staff cookie, \(options.dashboard)×, \(size) bytes)     \(Percentiles(dash))") }
            var answers: [AnalyticsService: [UInt8]] = [:]
            for (path, service) in zip(paths, options.services) { answers[service] = bodies[path] }
            let equal = try compare(answers, sql: sql)
            say("load average after: \(loadAverage())")
            return equal
        }

        // MARK: Answers

        /// Decodes the API bodies and compares them with SQL; prints every mismatch loudly.
        func compare(_ bodies: [AnalyticsService: [UInt8]], sql: SQLAnswers) throws -> Bool {
            let decoder = JSONDecoder()
            var ok = true
            func mismatch(_ what: String) {
                FileHandle.standardError.write(Data("MISMATCH (\(tickets) tickets): \(what)\n".utf8))
                ok = false
            }
            var summary: [String] = []
            if let body = bodies[.openTickets] {
                let open = try decoder.decode(OpenTicketsAnswer.self, from: Data(body))
                let openSQL = try sql.openTickets(since: open.since)
                if open.count != openSQL || open.hours != 720 { mismatch("open-tickets API \(open.count) (hours \(open.hours)) vs SQL \(openSQL) since \(open.since.iso8601)") }
                summary.append("open-tickets 30 days = \(open.count)")
            }

            if let body = bodies[.resolutionTime] {
                let resolution = try decoder.decode(ResolutionTimeAnswer.self, from: Data(body))
                let resolutionSQL = try sql.resolutionTime()
                if resolution.months.map(\.month) != resolutionSQL.map(\.month) {
                    mismatch("resolution-time months API \(resolution.months.map(\.month)) vs SQL \(resolutionSQL.map(\.month))")
                } else {
                    for (a, b) in zip(resolution.months, resolutionSQL)
                    where a.closed != b.closed || abs(a.averageSeconds - b.averageSeconds) > 1e-9 * max(1, abs(b.averageSeconds)) {
                        mismatch("resolution-time \(a.month): API \(a.closed) closed, avg \(a.averageSeconds) s vs SQL \(b.closed), \(b.averageSeconds) s")
                    }
                }
                summary.append("\(resolution.months.count) months")
            }

            if let body = bodies[.categoryLoad] {
                let load = try decoder.decode(CategoryLoadAnswer.self, from: Data(body))
                let loadSQL = try sql.categoryLoad()
                if load != loadSQL { mismatch("category-load API \(load) vs SQL \(loadSQL)") }
                summary.append("category-load \(load.categories.map { "\($0.category.rawValue) \($0.open)/\($0.active)/\($0.closed)" }.joined(separator: ", "))")
            }

            if let body = bodies[.serviceLevels] {
                let levels = try decoder.decode(ServiceLevelsAnswer.self, from: Data(body))
                let levelsSQL = try sql.serviceLevels(now: levels.asOf)
                if levels.compliance != levelsSQL.compliance { mismatch("service-levels compliance API \(levels.compliance.count) cells vs SQL \(levelsSQL.compliance.count)") }
                if levels.current != levelsSQL.current { mismatch("service-levels now API \(levels.current) vs SQL \(levelsSQL.current)") }
                if levels.engineers.count != levelsSQL.engineers.count
                    || zip(levels.engineers, levelsSQL.engineers).contains(where: { a, b in
                        a.userID != b.userID || a.open != b.open || a.active != b.active || a.breached != b.breached
                            || abs(a.medianAgeSeconds - b.medianAgeSeconds) > 0.001 }) {
                    mismatch("service-levels engineers API \(levels.engineers.prefix(3)) vs SQL \(levelsSQL.engineers.prefix(3))")
                }
                summary.append("service-levels \(levels.compliance.count) cells, breached now \(levels.current.map(\.breached).reduce(0, +)), \(levels.engineers.count) engineers")
            }
            say("answers equal to SQL: \(ok ? "yes" : "NO") (\(summary.joined(separator: "; ")))")
            return ok
        }

        // MARK: Processes

        func start(_ name: String, _ arguments: [String], port: UInt16?) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["CAMPUSDESK_SPOOL"] = spool
            env["CAMPUSDESK_DATA"] = data
            env["CAMPUSDESK_TZ"] = "UTC"
            env["HOST"] = "127.0.0.1"
            if let port { env["PORT"] = String(port) }
            p.environment = env
            let log = root + "/\(name).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            p.standardError = FileHandle(forWritingAtPath: log)
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            children.append((name, p))
        }

        func checkChildren() throws {
            for c in children where !c.process.isRunning {
                let tail = (try? String(contentsOfFile: root + "/\(c.name).log", encoding: .utf8))?.suffix(600) ?? ""
                throw BenchError("\(c.name) exited with \(c.process.terminationStatus): \(tail)")
            }
        }

        /// SIGTERM to each child, waiting up to 10 s for a graceful exit, then SIGKILL.
        func stopAll() async {
            for c in children where c.process.isRunning { c.process.terminate() }
            let deadline = nanos() + 10_000_000_000
            while children.contains(where: { $0.process.isRunning }), nanos() < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            for c in children where c.process.isRunning { kill(c.process.processIdentifier, SIGKILL) }
            children.removeAll()
        }

        /// User + system CPU seconds a child has used so far (`/proc/<pid>/stat` fields 14 and 15).
        func cpuSeconds(_ name: String) -> Double {
            guard let child = children.first(where: { $0.name == name }),
                  let stat = try? String(contentsOfFile: "/proc/\(child.process.processIdentifier)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return .nan }
            // Fields after the ")" that ends the command name start at field 3 (state).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// The worker's committed `last_seq`, read from its state file (nil until it exists and is migrated).
        func lastSeq(_ service: AnalyticsService) -> Int64? {
            let path = data + "/analytics-\(service.rawValue).db"
            guard FileManager.default.fileExists(atPath: path + "-wal") else { return nil }
            guard let db = try? Connection(path: path, mode: .readOnly) else { return nil }
            return try? db.prepare("SELECT last_seq FROM progress WHERE id = 1").queryFirst { $0.int64(at: 0) }
        }

        func freePort() throws -> UInt16 {
            let s = try Socket.listen(host: "127.0.0.1", port: 0)
            defer { s.close() }
            return try s.boundPort()
        }

        func connect(port: UInt16) async throws -> BenchHTTPClient {
            let deadline = nanos() + 30_000_000_000
            while true {
                do { return try BenchHTTPClient(port: port) } catch {
                    try checkChildren()
                    guard nanos() < deadline else { throw error }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }

        /// Polls `probe` (`/readyz`: every check, store and analytics workers, is ready) until it answers 200.
        func waitReady(_ client: BenchHTTPClient, probe: String, within seconds: UInt64 = 60) async throws {
            let deadline = nanos() + seconds * 1_000_000_000
            while try client.request("GET", probe, headers: "X-CampusDesk-Role: staff\r\n").status != 200 {
                try checkChildren()
                guard nanos() < deadline else { throw BenchError("gateway not ready within \(seconds) s") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

// MARK: - tickets.db bulk load and the brute-force SQL

extension BenchAnalyticsRoundTripCommand {
    /// N tickets opened over two years (ids in opening order), mostly closed when older than a
    /// month, with their `ticket_imported` events in the outbox marked published (the workers get
    /// them by replay, as a worker that starts after an import does). Each runs SLA timers under
    /// version 1 (the defaults, UTC calendar) with a priority (a fifth untriaged), and most not
    /// closed are assigned to one of 40 engineers, so service-levels has every kind of figure.
    enum BulkTickets {
        static let descriptions = [
            "The wifi in the library drops every few minutes on the second floor",
            "Printer in room %d is jammed and shows a paper error",
            "Heating in lecture hall %d does not work, it is very cold",
            "Canteen card was charged twice for one lunch",
            "Cannot log in to the course portal since the password change",
            "Water leaking from the ceiling near the stairs in building %d",
            "Projector in seminar room %d shows no picture",
            "Question about the semester fees invoice",
        ]

        static func write(path: String, count: Int, now: Timestamp) throws {
            // TicketStore creates the file and runs every migration (schema, triggers, FTS).
            do { _ = try TicketStore(path: path, classifier: FixedClassifier(), clock: SystemClock()) }
            let db = try Connection(path: path, synchronous: .normal)
            // The search triggers call it (migration 9).
            try SearchText.register(on: db)
            try db.execute("PRAGMA cache_size = -262144")
            var g = SystemRandomNumberGenerator()
            let twoYears: Int64 = 730 * 86_400_000
            let sla = SLAVersion(version: 1, policies: .default, calendar: .standard(timeZone: TimeZone(identifier: "UTC") ?? .current))
            let engineers = 40
            let opened = (0..<count).map { _ in now.millisecondsSinceEpoch - Int64.random(in: 1...twoYears, using: &g) }.sorted()
            try db.transaction(.immediate) { db in
                for e in 1...engineers {
                    try db.execute("INSERT INTO users (id, name, email, role, password_hash, created_at) VALUES (?, ?, ?, 'engineer', '-', ?)",
                                   [.integer(Int64(e)), .text("Engineer \(e)"), .text("engineer\(e)@campus.example"), .integer(now.millisecondsSinceEpoch)])
                }
                let ticket = try db.prepare("""
                    INSERT INTO tickets (id, description, location, reporter, category, category_source, category_confidence, status, opened_at, modified_at, closed_at,
                                         priority, assignee_id, sla_version, sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at,
                                         sla_first_response_recorded, sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at, sla_resolution_recorded)
                    VALUES (?, ?, ?, ?, ?, 'auto', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let event = try db.prepare("""
                    INSERT INTO events (seq, ticket_id, type, occurred_at, after_category, after_status, after_opened_at, after_closed_at, after_sla)
                    VALUES (?, ?, 'ticket_imported', ?, ?, ?, ?, ?, ?)
                    """)
                for (i, openedAt) in opened.enumerated() {
                    let id = Int64(i + 1)
                    let age = now.millisecondsSinceEpoch - openedAt
                    let status: Status = age > 30 * 86_400_000 && Int.random(in: 0..<10, using: &g) < 9 ? .closed : Status.allCases[Int.random(in: 0..<3, using: &g)]
                    let closedAt: Int64? = status == .closed ? min(now.millisecondsSinceEpoch, openedAt + Int64.random(in: 60_000...(20 * 86_400_000), using: &g)) : nil
                    let modifiedAt = closedAt ?? min(now.millisecondsSinceEpoch, openedAt + Int64.random(in: 0...86_400_000, using: &g))
                    let category = Category.allCases[Int.random(in: 0..<3, using: &g)]
                    let template = descriptions[Int.random(in: 0..<descriptions.count, using: &g)]
                    let description = template.contains("%d") ? template.replacingOccurrences(of: "%d", with: String(100 + i % 400)) : template
                    let priority: Priority? = Int.random(in: 0..<5, using: &g) == 0 ? nil : Priority.allCases.randomElement(using: &g)
                    let assignee: UserID? = status != .closed && Int.random(in: 0..<10, using: &g) < 7 ? UserID(Int64.random(in: 1...Int64(engineers), using: &g)) : nil
                    var timers = sla.timers(priority: priority, opened: Timestamp(millisecondsSinceEpoch: openedAt))
                    // First response: by the move past open (at its last change) or, for some open ones, a reply within a day.
                    if status != .open || Bool.random(using: &g) { timers.firstResponse.metAt = Timestamp(millisecondsSinceEpoch: min(modifiedAt, openedAt + Int64.random(in: 60_000...86_400_000, using: &g))) }
                    if let closedAt { timers.resolution.metAt = Timestamp(millisecondsSinceEpoch: closedAt) }
                    // What the SLA monitor would have recorded by now (or by the time the target was met).
                    for kind in SLATimerKind.allCases {
                        let until = timers[kind].metAt ?? now
                        timers[kind].recorded = until >= timers[kind].deadlines.due ? .breached : until >= timers[kind].deadlines.atRisk ? .atRisk : .onTrack
                    }
                    let facts = TicketFacts(category: category, status: status, openedAt: Timestamp(millisecondsSinceEpoch: openedAt),
                                            closedAt: closedAt.map(Timestamp.init(millisecondsSinceEpoch:)), sla: timers, priority: priority, assigneeID: assignee)
                    try ticket.execute { s in
                        try s.bind(.integer(id), at: 1)
                        try s.bind(.text(description), at: 2)
                        try s.bind(.text("Building \(i % 40)"), at: 3)
                        try s.bind(.text("student\(i % 20_000)@campus.example"), at: 4)
                        try s.bind(.text(category.rawValue), at: 5)
                        try s.bind(.real(0.8), at: 6)
                        try s.bind(.text(status.rawValue), at: 7)
                        try s.bind(.integer(openedAt), at: 8)
                        try s.bind(.integer(modifiedAt), at: 9)
                        try s.bind(.optionalInteger(closedAt), at: 10)
                        try s.bind(.optionalText(priority?.rawValue), at: 11)
                        try s.bind(.optionalInteger(assignee?.rawValue), at: 12)
                        try s.bind(.integer(1), at: 13)
                        var column: Int32 = 14
                        for kind in SLATimerKind.allCases {
                            try s.bind(.integer(timers[kind].deadlines.atRisk.millisecondsSinceEpoch), at: column)
                            try s.bind(.integer(timers[kind].deadlines.due.millisecondsSinceEpoch), at: column + 1)
                            try s.bind(.optionalInteger(timers[kind].metAt?.millisecondsSinceEpoch), at: column + 2)
                            try s.bind(.text(timers[kind].recorded.rawValue), at: column + 3)
                            column += 4
                        }
                    }
                    try event.execute { s in
                        try s.bind(.integer(id), at: 1)
                        try s.bind(.integer(id), at: 2)
                        try s.bind(.integer(now.millisecondsSinceEpoch), at: 3)
                        try s.bind(.text(category.rawValue), at: 4)
                        try s.bind(.text(status.rawValue), at: 5)
                        try s.bind(.integer(openedAt), at: 6)
                        try s.bind(.optionalInteger(closedAt), at: 7)
                        try s.bind(.optionalText(SLAFactsText.encode(facts)), at: 8)
                    }
                }
                try db.execute("UPDATE outbox_state SET published_through = ?", [.integer(Int64(count))])
            }
        }
    }

    /// Only for `TicketStore.init` (migrations); the bulk load sets categories itself.
    struct FixedClassifier: TicketClassifier {
        func classify(_ description: String) -> Classification { Classification(category: .facility, confidence: 0.5) }
    }

    /// The four answers computed by brute force over `tickets.db` on a read-only connection (UTC months).
    final class SQLAnswers {
        let db: Connection
        let open: Statement
        let resolution: Statement
        let load: Statement
        let compliance: Statement
        let current: Statement
        let workload: Statement

        init(path: String) throws {
            db = try Connection(path: path, mode: .readOnly)
            open = try db.prepare(Self.openSQL)
            resolution = try db.prepare(Self.resolutionSQL)
            load = try db.prepare(Self.loadSQL)
            compliance = try db.prepare(Self.complianceSQL)
            current = try db.prepare(Self.currentSQL)
            workload = try db.prepare(Self.workloadSQL)
        }

        /// Each ticket with timers judged as docs/analytics.md says: the two timers' outcomes, and
        /// (for a ticket not closed) whether it is breached or at risk at `?1` (ms).
        static let judged = """
            WITH t AS (
                SELECT status, opened_at, assignee_id, COALESCE(priority, 'P3') AS priority,
                    sla_first_response_at_risk AS fr_risk, sla_first_response_due AS fr_due, sla_first_response_met_at AS fr_met,
                    sla_resolution_at_risk AS res_risk, sla_resolution_due AS res_due, sla_resolution_met_at AS res_met,
                    CASE WHEN sla_first_response_recorded = 'breached' OR sla_first_response_met_at >= sla_first_response_due THEN 'breached'
                         WHEN sla_first_response_met_at IS NOT NULL THEN 'met' END AS fr,
                    CASE WHEN sla_resolution_recorded = 'breached' OR sla_resolution_met_at >= sla_resolution_due THEN 'breached'
                         WHEN sla_resolution_met_at IS NOT NULL THEN 'met' END AS res
                FROM tickets WHERE sla_version IS NOT NULL
            ), j AS (
                SELECT *,
                    (fr IS 'breached' OR res IS 'breached' OR (fr_met IS NULL AND ?1 >= fr_due) OR (res_met IS NULL AND ?1 >= res_due)) AS breached_now,
                    ((fr_met IS NULL AND ?1 >= fr_risk) OR (res_met IS NULL AND ?1 >= res_risk)) AS risk_now
                FROM t
            )
            """
        static let complianceSQL = judged + """
            SELECT strftime('%Y-%m', opened_at / 1000, 'unixepoch'), priority,
                   SUM(fr IS 'met'), SUM(fr IS 'breached'), SUM(res IS 'met'), SUM(res IS 'breached')
            FROM j GROUP BY 1, 2 HAVING SUM(fr IS NOT NULL) + SUM(res IS NOT NULL) > 0 ORDER BY 1, 2
            """
        static let currentSQL = judged + """
            SELECT priority, SUM(NOT breached_now AND risk_now), SUM(breached_now) FROM j WHERE status != 'closed' GROUP BY priority
            """
        static let workloadSQL = judged + """
            , o AS (
                SELECT assignee_id AS a, opened_at, ROW_NUMBER() OVER (PARTITION BY assignee_id ORDER BY opened_at) AS rn,
                       COUNT(*) OVER (PARTITION BY assignee_id) AS n
                FROM j WHERE status != 'closed' AND assignee_id IS NOT NULL
            ), m AS (
                SELECT a, AVG(?1 - opened_at) / 1000.0 AS median FROM o WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY a
            )
            SELECT j.assignee_id, SUM(status = 'open'), SUM(status = 'active'), SUM(breached_now), m.median
            FROM j JOIN m ON m.a = j.assignee_id WHERE status != 'closed' GROUP BY j.assignee_id ORDER BY j.assignee_id
            """

        /// The service-levels answer by SQL, as of `now`.
        func serviceLevels(now: Timestamp) throws -> ServiceLevelsAnswer {
            let at = SQLiteValue.integer(now.millisecondsSinceEpoch)
            let cells = try compliance.query([at]) { s in
                SLACompliance(month: s.text(at: 0), priority: Priority(rawValue: s.text(at: 1)) ?? .p3,
                              firstResponse: SLAOutcomeCounts(met: Int(s.int64(at: 2)), breached: Int(s.int64(at: 3))),
                              resolution: SLAOutcomeCounts(met: Int(s.int64(at: 4)), breached: Int(s.int64(at: 5))))
            }
            var standing: [String: SLAStanding] = [:]
            for row in try current.query([at], { s in SLAStanding(priority: Priority(rawValue: s.text(at: 0)) ?? .p3, atRisk: Int(s.int64(at: 1)), breached: Int(s.int64(at: 2))) }) {
                standing[row.priority.rawValue] = row
            }
            let engineers = try workload.query([at]) { s in
                EngineerWorkload(userID: UserID(s.int64(at: 0)), open: Int(s.int64(at: 1)), active: Int(s.int64(at: 2)),
                                 breached: Int(s.int64(at: 3)), medianAgeSeconds: s.double(at: 4))
            }
            return ServiceLevelsAnswer(asOf: now, compliance: cells,
                                       current: Priority.allCases.map { standing[$0.rawValue] ?? SLAStanding(priority: $0, atRisk: 0, breached: 0) },
                                       engineers: engineers)
        }

        static let openSQL = "SELECT count(*) FROM tickets WHERE opened_at >= ? AND status <> 'closed'"
        static let resolutionSQL = """
            SELECT strftime('%Y-%m', opened_at / 1000, 'unixepoch') AS month, count(*), sum(closed_at - opened_at)
            FROM tickets WHERE status = 'closed' GROUP BY month ORDER BY month
            """
        static let loadSQL = "SELECT category, status, count(*) FROM tickets GROUP BY category, status"

        /// SQLite's plan for each query (for service-levels, the workload query: the heaviest of its three), so the figures say what the SQL did.
        func plans() throws -> [String] {
            try [(Self.openSQL, [SQLiteValue.integer(0)]), (Self.resolutionSQL, []), (Self.loadSQL, []), (Self.workloadSQL, [SQLiteValue.integer(0)])].map { sql, values in
                try db.prepare("EXPLAIN QUERY PLAN " + sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
            }
        }

        func openTickets(since: Timestamp) throws -> Int {
            Int(try open.queryFirst([.integer(since.millisecondsSinceEpoch)]) { $0.int64(at: 0) } ?? 0)
        }

        func resolutionTime() throws -> [MonthResolution] {
            try resolution.query { s in
                let closed = s.int64(at: 1)
                return MonthResolution(month: s.text(at: 0), closed: Int(closed), averageSeconds: Double(s.int64(at: 2)) / Double(closed) / 1000)
            }
        }

        func categoryLoad() throws -> CategoryLoadAnswer {
            var counts: [String: Int] = [:]
            for (key, n) in try load.query([], { s in (s.text(at: 0) + "/" + s.text(at: 1), Int(s.int64(at: 2))) }) { counts[key] = n }
            return CategoryLoadAnswer(categories: Category.allCases.map { c in
                CategoryLoad(category: c, open: counts["\(c.rawValue)/open"] ?? 0, active: counts["\(c.rawValue)/active"] ?? 0,
                             closed: counts["\(c.rawValue)/closed"] ?? 0)
            })
        }
    }
}

// MARK: - A minimal keep-alive HTTP/1.1 client
