import Domain
import SQLiteKit
import SpoolBroker
import Analytics
import Supervisor
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The whole system as `campusdesk up` runs it (gateway, ticket worker, three analytics workers),
/// on a temporary spool and data directory, for the chaos, stopped-worker and full-disk tests.
///
/// Child pids come from `up`'s own log ("<name> started (pid N)"); each child runs in a process
/// group of its own, so signalling `-pid` reaches the program (and any shell a compound line keeps).
final class CampusDeskSystem {
    /// The Procfile lines of the repository's Procfile (`campusdesk` resolved by `up` to its own binary).
    static let procfile = """
        gateway: HOST=$HOST PORT=$PORT campusdesk gateway
        ticket-worker: campusdesk ticket-worker
        open-tickets: campusdesk analytics open-tickets
        resolution-time: campusdesk analytics resolution-time
        category-load: campusdesk analytics category-load
        service-levels: campusdesk analytics service-levels
        sla-monitor: campusdesk sla-monitor
        notifier: campusdesk notifier

        """
    static let names = ["gateway", "ticket-worker", "open-tickets", "resolution-time", "category-load", "service-levels", "sla-monitor", "notifier"]

    let processes: CampusDeskProcesses
    var port: UInt16 { processes.port }
    var root: URL { processes.root }
    let spoolPath: String
    let dataPath: String

    /// Prepares (does not start) a system; `spool`/`data` override the default directories under the root;
    /// `environment` is added to every process's (`CAMPUSDESK_BROKER` for NATS).
    init(spool: String? = nil, data: String? = nil, environment: [String: String] = [:]) throws {
        var env = environment
        if let spool { env["CAMPUSDESK_SPOOL"] = spool }
        if let data { env["CAMPUSDESK_DATA"] = data }
        processes = try CampusDeskProcesses(environment: env)
        spoolPath = spool ?? processes.spool.path
        dataPath = data ?? processes.data.path
    }

    /// Starts `campusdesk up` and waits until the gateway serves the ticket list (the worker has created tickets.db).
    func start(within: Duration = .seconds(60)) async throws {
        let path = root.appendingPathComponent("Procfile")
        try Self.procfile.write(to: path, atomically: false, encoding: .utf8)
        try processes.start("up", ["up", "--procfile", path.path])
        do {
            try await eventually("up to start all processes", within: within) { lastSeen in
                lastSeen = "\(self.currentPIDs())"
                return self.currentPIDs().count == Self.names.count
            }
            try await processes.waitForHTTP("/api/tickets", within: within)
        } catch {
            throw CampusDeskProcesses.Failure(description: "\(error)\nup's log:\n\(processes.log("up").suffix(3000))")
        }
    }

    /// Stops `up` with SIGTERM (it stops its children); returns its exit status, nil if it hung.
    @discardableResult
    func stop() -> Int32? { processes.stop("up", within: .seconds(20)) }

    var log: String { processes.log("up") }

    /// The children as `up` announced them; a value the load and killer threads can share.
    var children: ChildTable { ChildTable(upLog: root.appendingPathComponent("up.log").path) }

    func currentPIDs() -> [String: pid_t] { children.currentPIDs() }
    func isAlive(_ name: String) -> Bool { children.isAlive(name) }
    static func isAlive(_ pid: pid_t) -> Bool { ChildTable.isAlive(pid) }
    @discardableResult
    func signal(_ name: String, _ signal: Int32) -> pid_t? { children.signal(name, signal) }

    /// Sends SIGSTOP to the named process's group and waits until the kernel shows it stopped.
    func freeze(_ name: String) async throws {
        let pid = try #require(signal(name, SIGSTOP), "\(name) is not running")
        try await CampusDeskProcesses.waitUntilStopped(pid)
    }

    /// Waits until every process named is alive again after restarts.
    func waitAllAlive(within: Duration = .seconds(60)) async throws {
        try await eventually("every process alive", within: within) { lastSeen in
            lastSeen = "dead: \(Self.names.filter { !self.isAlive($0) })"
            return Self.names.allSatisfy { self.isAlive($0) }
        }
    }

    // MARK: - The spool

    /// Every message file that is not where a settled system would leave it: `stuck` (new, cur,
    /// deferred of any queue except reply queues of processes that are gone), `dead`, and
    /// `orphans`: files in `tmp/` whose sender is still alive. (A sender killed between create and
    /// rename leaves its tmp file, which was never sent and which the spool sweeps after an hour.)
    func spoolLeftovers() -> (stuck: [String], dead: [String], orphans: [String]) {
        let fm = FileManager.default
        let queues = (spoolPath as NSString).appendingPathComponent("queues")
        var stuck: [String] = [], dead: [String] = [], orphans: [String] = []
        for queue in (try? fm.contentsOfDirectory(atPath: queues)) ?? [] {
            // reply.<process>.<pid>: a reply to a process that died waits for nobody; the next
            // RequestClient removes the queue. Anything else must be settled.
            if queue.hasPrefix("reply."), let pid = pid_t(queue.split(separator: ".").last ?? ""), !Self.isAlive(pid) { continue }
            for stage in ["new", "cur", "deferred"] {
                let dir = "\(queues)/\(queue)/\(stage)"
                for f in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !f.hasPrefix(".") { stuck.append("\(queue)/\(stage)/\(f)") }
            }
            for f in (try? fm.contentsOfDirectory(atPath: "\(queues)/\(queue)/tmp")) ?? [] where !f.hasPrefix(".") {
                // <millis>-<counter>-<pid>-<random>.json
                let parts = f.split(separator: "-")
                if parts.count >= 3, let pid = pid_t(parts[2]), !Self.isAlive(pid) { continue }
                orphans.append("\(queue)/tmp/\(f)")
            }
            for f in (try? fm.contentsOfDirectory(atPath: "\(queues)/\(queue)/dead")) ?? [] { dead.append("\(queue)/dead/\(f)") }
        }
        return (stuck.sorted(), dead.sorted(), orphans.sorted())
    }

    // MARK: - tickets.db, read-only

    /// A read-only connection to tickets.db (the test's own, beside the worker's).
    func openTickets() throws -> Connection {
        try Connection(path: (dataPath as NSString).appendingPathComponent("tickets.db"), mode: .readOnly)
    }

    /// The three analytics recomputed by brute force from tickets.db.
    struct BruteForce: Equatable, CustomStringConvertible {
        var openCount: Int
        var months: [String: (closed: Int, average: Double)]
        var load: [String: [String: Int]]
        static func == (a: BruteForce, b: BruteForce) -> Bool {
            a.openCount == b.openCount && a.load == b.load && a.months.keys.sorted() == b.months.keys.sorted()
                && a.months.allSatisfy { k, v in
                    guard let w = b.months[k] else { return false }
                    return v.closed == w.closed && abs(v.average - w.average) <= 0.001
                }
        }
        var description: String { "open=\(openCount) months=\(months.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.closed)/\($0.value.average)" }) load=\(load)" }
    }

    /// Counts from SQL over `tickets` (UTC months: the test systems run with the default campus time zone).
    static func bruteForce(_ db: Connection, openSince: Int64) throws -> BruteForce {
        let open = try db.prepare("SELECT count(*) FROM tickets WHERE status <> 'closed' AND opened_at >= ?")
            .queryFirst([.integer(openSince)]) { Int($0.int64(at: 0)) } ?? 0
        var months: [String: (Int, Double)] = [:]
        for row in try db.prepare("""
            SELECT strftime('%Y-%m', opened_at / 1000, 'unixepoch'), count(*), avg((closed_at - opened_at) / 1000.0)
            FROM tickets WHERE status = 'closed' GROUP BY 1
            """).query([], { ($0.text(at: 0), Int($0.int64(at: 1)), $0.double(at: 2)) }) {
            months[row.0] = (row.1, row.2)
        }
        var load: [String: [String: Int]] = [:]
        for c in ["facility", "it", "services"] { load[c] = ["open": 0, "active": 0, "closed": 0] }
        for row in try db.prepare("SELECT category, status, count(*) FROM tickets GROUP BY 1, 2").query([], { ($0.text(at: 0), $0.text(at: 1), Int($0.int64(at: 2))) }) {
            load[row.0, default: [:]][row.1] = row.2
        }
        return BruteForce(openCount: open, months: months, load: load)
    }

    /// The three analytics as the gateway serves them (staff), in the shape of `BruteForce`, plus
    /// the `since` of the open-tickets answer; nil while any service does not answer.
    func servedAnalytics(hours: Int) -> (BruteForce, since: Int64)? {
        let client = RawHTTPClient(port: port)
        defer { client.close() }
        let staff = [("X-CampusDesk-Role", "staff")]
        let decoder = JSONDecoder()
        guard let o = try? client.request("GET", "/api/analytics/open-tickets?hours=\(hours)", headers: staff), o.status == 200,
              let open = try? decoder.decode(OpenTicketsAnswer.self, from: Data(o.body)),
              let r = try? client.request("GET", "/api/analytics/resolution-time", headers: staff), r.status == 200,
              let res = try? decoder.decode(ResolutionTimeAnswer.self, from: Data(r.body)),
              let c = try? client.request("GET", "/api/analytics/category-load", headers: staff), c.status == 200,
              let cat = try? decoder.decode(CategoryLoadAnswer.self, from: Data(c.body)) else { return nil }
        var months: [String: (closed: Int, average: Double)] = [:]
        for m in res.months { months[m.month] = (m.closed, m.averageSeconds) }
        var load: [String: [String: Int]] = [:]
        for l in cat.categories { load[l.category.rawValue] = ["open": l.open, "active": l.active, "closed": l.closed] }
        return (BruteForce(openCount: open.count, months: months, load: load), open.since.millisecondsSinceEpoch)
    }

    /// Waits until every analytics answer equals the brute-force recomputation (the workers catch
    /// up from events asynchronously); a timeout names the last pair seen.
    func waitForAnalyticsToAgree(within: Duration) async throws {
        let db = try openTickets()
        try await eventually("the analytics answers to equal a recomputation from tickets.db", within: within) { lastSeen in
            guard let (served, since) = servedAnalytics(hours: 24) else {
                lastSeen = "no answer"
                return false
            }
            let computed = try Self.bruteForce(db, openSince: since)
            lastSeen = "served \(served), computed \(computed)"
            return served == computed
        }
    }
}

/// `up`'s children, read from its log ("<name> started (pid N)"): the latest pid per name.
struct ChildTable: Sendable {
    let upLog: String

    func currentPIDs() -> [String: pid_t] {
        let log = (try? String(contentsOfFile: upLog, encoding: .utf8)) ?? ""
        var result: [String: pid_t] = [:]
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: " started (pid ") else { continue }
            let before = line[..<range.lowerBound]
            guard let name = before.split(separator: " ").last.map(String.init), CampusDeskSystem.names.contains(name) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let pid = pid_t(digits) { result[name] = pid }
        }
        return result
    }

    /// True when the named process's latest incarnation is alive (not a zombie).
    func isAlive(_ name: String) -> Bool {
        guard let pid = currentPIDs()[name] else { return false }
        return Self.isAlive(pid)
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie still answers kill(0): look at its state in /proc.
        guard let state = state(pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// The process state letter of `/proc/<pid>/stat` (R, S, T, Z, ...), nil when there is none.
    static func state(_ pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].first
    }

    /// Sends `signal` to the named process's whole group; returns the pid signalled.
    @discardableResult
    func signal(_ name: String, _ signal: Int32) -> pid_t? {
        guard let pid = currentPIDs()[name] else { return nil }
        return kill(-pid, signal) == 0 ? pid : nil
    }
}
