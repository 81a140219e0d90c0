import Domain
import SpoolBroker
import TicketStore
import Foundation
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The whole system under steady HTTP load while a killer SIGKILLs random processes and `up`
/// restarts them; afterwards every acknowledged change is in tickets.db exactly once, the
/// analytics equal a brute-force recount, the spool is settled and the database is intact.
///
/// `CAMPUSDESK_CHAOS_SECONDS` sets the length of the killing phase (CI: 10 s; docs/reliability.md
/// records a long run).
extension SystemTests {
    @Suite("Chaos", .serialized)
    struct ChaosTests {
        /// One change the load generator asked for, and what became of it.
        struct Record {
            enum Kind: String, CaseIterable { case create, message, edit, status }
            var key: String
            var kind: Kind
            var outcome: RetryingAPIClient.Outcome
            /// The unique text the change carries (description or message body), to count in the database.
            var text: String?
        }

        /// Thread-shared results (the load threads append, the test reads after joining them).
        final class Journal: Sendable {
            let records = Mutex<[Record]>([])
            let kills = Mutex<[String: Int]>([:])
            func add(_ r: Record) { records.withLock { $0.append(r) } }
        }

        static var seconds: Double {
            ProcessInfo.processInfo.environment["CAMPUSDESK_CHAOS_SECONDS"].flatMap(Double.init) ?? 10
        }

        @Test("every acknowledged change survives random SIGKILLs exactly once")
        func chaos_KeepsEveryAcknowledgedChangeExactlyOnce() async throws {
            let system = try CampusDeskSystem()
            try await system.start()
            defer { system.stop() }

            let run = UUID().uuidString.prefix(8)
            let journal = Journal()
            let chaosEnd = Date().addingTimeInterval(Self.seconds)
            let clients = 3
            let group = DispatchGroup()
            let port = system.port, children = system.children

            for w in 0..<clients {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    Self.load(worker: w, run: String(run), port: port, until: chaosEnd, journal: journal)
                }
            }
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                Self.killer(children: children, until: chaosEnd, journal: journal)
            }
            // Load threads stop at chaosEnd but finish (retry) the change in hand: bound that too.
            #expect(group.wait(timeout: .now() + Self.seconds + 180) == .success, "load or killer did not finish")

            let records = journal.records.withLock { $0 }
            let kills = journal.kills.withLock { $0 }
            await #expect(throws: Never.self, "not every process came back:\n\(system.log.suffix(2000))") {
                try await system.waitAllAlive(within: .seconds(90))
            }

            // Analytics first: once they agree with the database the worker has also published everything.
            await #expect(throws: Never.self, "analytics never matched tickets.db") {
                try await system.waitForAnalyticsToAgree(within: .seconds(90))
            }

            let report = try Self.verify(records, system: system)
            let total = records.count
            let acked = records.filter(\.outcome.acknowledged).count
            let killCount = kills.values.reduce(0, +)
            let retried = records.filter { $0.outcome.attempts > 1 }.count
            print("chaos: seconds=\(Self.seconds) requests=\(total) acknowledged=\(acked) retried=\(retried) kills=\(killCount) \(kills.sorted { $0.key < $1.key }) lost=\(report.lost.count) duplicated=\(report.duplicated.count) unconfirmed=\(report.unconfirmed)")

            #expect(killCount > 0, "the killer never killed anything")
            #expect(acked > 0, "no change was acknowledged")
            #expect(report.lost.isEmpty, "acknowledged but not in tickets.db: \(report.lost.prefix(10))")
            #expect(report.duplicated.isEmpty, "applied more than once: \(report.duplicated.prefix(10))")
            #expect(report.problems.isEmpty, "\(report.problems.prefix(10))")

            await #expect(throws: Never.self) {
                try await eventually("the spool to settle", within: .seconds(30)) { lastSeen in
                    let l = system.spoolLeftovers()
                    lastSeen = "messages stuck in the spool: \(l.stuck.prefix(10)); tmp files of live senders: \(l.orphans.prefix(10))"
                    return l.stuck.isEmpty && l.orphans.isEmpty
                }
            }
            let spool = system.spoolLeftovers()
            #expect(spool.dead.isEmpty, "messages in dead/: \(spool.dead.prefix(10))")

            let db = try system.openTickets()
            #expect(try db.pragma("integrity_check") == "ok")
            #expect(system.stop() == 0, "up did not stop cleanly")
        }

        // MARK: - Load

        /// One client's loop: create, message, edit, activate, and close every other ticket.
        static func load(worker w: Int, run: String, port: UInt16, until end: Date, journal: Journal) {
            let api = RetryingAPIClient(port: port)
            var i = 0
            while Date() < end {
                i += 1
                let deadline = Date().addingTimeInterval(120)
                let id = "\(run)-\(w)-\(i)"
                let description = "chaos \(id): the projector in lecture hall \(w) flickers"
                let created = api.change("POST", "/api/tickets", json: #"{"description":"\#(description)","location":"Hall \#(w)"}"#, key: "create-\(id)", deadline: deadline)
                journal.add(Record(key: "create-\(id)", kind: .create, outcome: created, text: description))
                guard created.applied, let ticket = created.json?["id"] as? Int else { continue }

                let body = "message \(id)"
                let m = api.change("POST", "/api/tickets/\(ticket)/messages", json: #"{"body":"\#(body)"}"#, key: "message-\(id)", deadline: deadline)
                journal.add(Record(key: "message-\(id)", kind: .message, outcome: m, text: body))
                let e = api.change("PATCH", "/api/tickets/\(ticket)", json: #"{"location":"Room \#(id)"}"#, key: "edit-\(id)", deadline: deadline)
                journal.add(Record(key: "edit-\(id)", kind: .edit, outcome: e))
                let a = api.change("POST", "/api/tickets/\(ticket)/status", json: #"{"status":"active"}"#, key: "active-\(id)", role: "staff", deadline: deadline)
                journal.add(Record(key: "active-\(id)", kind: .status, outcome: a))
                if i % 2 == 0 {
                    let c = api.change("POST", "/api/tickets/\(ticket)/status", json: #"{"status":"closed"}"#, key: "closed-\(id)", role: "staff", deadline: deadline)
                    journal.add(Record(key: "closed-\(id)", kind: .status, outcome: c))
                }
            }
        }

        /// SIGKILLs a random live process every 200–600 ms; at most 4 kills of one process per minute,
        /// so `up`'s crash-loop pause (5 exits in 60 s → 30 s wait) never turns the run into an outage.
        static func killer(children: ChildTable, until end: Date, journal: Journal) {
            var recent: [String: [Date]] = [:]
            var rng = SystemRandomNumberGenerator()
            while Date() < end {
                Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.6, using: &rng))  // sleep-ok: the killer's random pace
                let now = Date()
                let candidates = CampusDeskSystem.names.filter { name in
                    (recent[name] ?? []).filter { now.timeIntervalSince($0) < 60 }.count < 4 && children.isAlive(name)
                }
                guard let victim = candidates.randomElement(using: &rng) else { continue }
                if children.signal(victim, SIGKILL) != nil {
                    recent[victim, default: []].append(now)
                    journal.kills.withLock { $0[victim, default: 0] += 1 }
                }
            }
        }

        // MARK: - Verification

        struct Report {
            var lost: [String] = []
            var duplicated: [String] = []
            var problems: [String] = []
            var unconfirmed = 0
        }

        /// Compares the journal with tickets.db: acknowledged ⇒ recorded once; texts at most once;
        /// one change event per applied command of each kind.
        static func verify(_ records: [Record], system: CampusDeskSystem) throws -> Report {
            let db = try system.openTickets()
            var report = Report()
            var repliesByID: [String: CommandReply] = [:]
            var rowsPerID: [String: Int] = [:]
            let rows = try db.prepare("SELECT command_id, reply FROM applied_commands").query([]) { row in
                let id = row.text(at: 0)
                return (id, try? StoredReply.read(row, at: 1, commandID: CommandID(id)))
            }
            for (stored, reply) in rows {
                // The gateway's command id is `api:<key>:<16 hex digits of the request's digest>`.
                let id = stored.count > 21 && stored.suffix(17).first == ":" ? String(stored.dropLast(17)) : stored
                rowsPerID[id, default: 0] += 1
                if let reply { repliesByID[id] = reply }
            }
            let countDescription = try db.prepare("SELECT count(*) FROM tickets WHERE description = ?")
            let countBody = try db.prepare("SELECT count(*) FROM messages WHERE body = ?")
            var appliedPerKind: [Record.Kind: Int] = [:]
            for r in records {
                let commandID = "api:\(r.key)"
                let rows = rowsPerID[commandID] ?? 0
                if rows > 1 { report.duplicated.append("\(r.key): \(rows) applied_commands rows") }
                if r.outcome.acknowledged && rows == 0 { report.lost.append(r.key) }
                if !r.outcome.acknowledged { report.unconfirmed += 1 }
                let applied = repliesByID[commandID]?.isApplied ?? false
                if applied { appliedPerKind[r.kind, default: 0] += 1 }
                if rows > 0 && repliesByID[commandID] == nil { report.problems.append("\(r.key): unreadable stored reply") }
                if r.outcome.applied && !applied { report.problems.append("\(r.key): answered \(r.outcome.finalStatus ?? 0) but stored as refused") }
                if let text = r.text {
                    let statement = r.kind == .create ? countDescription : countBody
                    statement.reset()
                    let n = try statement.queryFirst([.text(text)]) { Int($0.int64(at: 0)) } ?? 0
                    if n > 1 { report.duplicated.append("\(r.key): text stored \(n) times") }
                    if applied && n != 1 { report.lost.append("\(r.key): applied but its text is stored \(n) times") }
                }
            }
            // Nothing but our changes was applied, and each applied change made exactly one event.
            let ours = Set(records.map { "api:\($0.key)" })
            let strangers = rowsPerID.keys.filter { !ours.contains($0) }
            if !strangers.isEmpty { report.problems.append("commands nobody sent: \(strangers.prefix(5))") }
            let events = Dictionary(uniqueKeysWithValues: try db.prepare("SELECT type, count(*) FROM events GROUP BY type").query([], { ($0.text(at: 0), Int($0.int64(at: 1))) }))
            let eventFor: [Record.Kind: String] = [.create: "ticket_opened", .message: "message_posted", .edit: "ticket_edited", .status: "status_changed"]
            for kind in Record.Kind.allCases {
                let made = events[eventFor[kind] ?? ""] ?? 0
                let expected = appliedPerKind[kind] ?? 0
                if made > expected { report.duplicated.append("\(made) \(eventFor[kind] ?? "") events for \(expected) applied \(kind.rawValue) commands") }
                if made < expected { report.lost.append("\(made) \(eventFor[kind] ?? "") events for \(expected) applied \(kind.rawValue) commands") }
            }
            let tickets = try db.prepare("SELECT count(*) FROM tickets").queryFirst([]) { Int($0.int64(at: 0)) } ?? 0
            if tickets != appliedPerKind[.create] ?? 0 { report.problems.append("\(tickets) tickets for \(appliedPerKind[.create] ?? 0) applied creates") }
            return report
        }
    }
}
