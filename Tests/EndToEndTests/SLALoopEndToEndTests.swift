import Domain
import Foundation
import SQLiteKit
import Testing
import TestSupport

extension SystemTests {
    /// Issue 16 end to end: the real ticket worker computes the timers, the real SLA monitor sends
    /// the transitions, the worker records them in the audit trail; both are killed with SIGKILL
    /// while it happens, and each transition is still recorded exactly once with its true instant.
    @Suite("SLA timers to audit rows, through both processes", .serialized)
    struct SLALoopEndToEndTests {
        static let tickets = 300

        /// Tickets opened thirty days ago by the real clock (an import keeps its opening time), so all
        /// four transitions of each are due the moment the monitor sees them.
        static func csv(opened: Date) -> String {
            let at = ISO8601DateFormatter().string(from: opened)
            var text = "description,location,reporter,status,opened_at,closed_at,category\r\n"
            for i in 1...tickets { text += "SLA loop \(i): the printer in room \(i) is jammed,,,open,\(at),,it\r\n" }
            return text
        }

        /// The transitions recorded in the trail: (ticket, field, new value) → how many rows, and each row's time.
        static func recorded(_ db: Connection) throws -> (counts: [String: Int], times: [String: Int64]) {
            var counts: [String: Int] = [:], times: [String: Int64] = [:]
            _ = try db.prepare("SELECT ticket_id, field, new_value, changed_at FROM ticket_history WHERE channel = 'sla' AND new_value IN ('at_risk', 'breached')")
                .query([]) { s in
                    let key = "\(s.int64(at: 0)) \(s.text(at: 1) ?? "") \(s.text(at: 2) ?? "")"
                    counts[key, default: 0] += 1
                    times[key] = s.int64(at: 3)
                }
            return (counts, times)
        }

        @Test("kill -9 of the monitor and of the worker while transitions flow: each of 1,200 recorded once, at its due instant")
        func killBothWhileRecording() async throws {
            let system = try CampusDeskProcesses()
            try system.start("worker", ["ticket-worker"])
            let file = system.root.appendingPathComponent("overdue.csv")
            try Self.csv(opened: Date().addingTimeInterval(-30 * 86_400)).write(to: file, atomically: false, encoding: .utf8)
            let imported = try system.run(["import", file.path])
            #expect(imported.status == 0, "\(imported.stderr)")

            let db = try Connection(path: system.data.appendingPathComponent("tickets.db").path, mode: .readOnly)
            // The timers each ticket carries: the instants the trail must show.
            var due: [String: Int64] = [:]
            _ = try db.prepare("SELECT id, sla_first_response_at_risk, sla_first_response_due, sla_resolution_at_risk, sla_resolution_due FROM tickets").query([]) { s in
                let id = s.int64(at: 0)
                due["\(id) sla_first_response at_risk"] = s.int64(at: 1)
                due["\(id) sla_first_response breached"] = s.int64(at: 2)
                due["\(id) sla_resolution at_risk"] = s.int64(at: 3)
                due["\(id) sla_resolution breached"] = s.int64(at: 4)
            }
            #expect(due.count == 4 * Self.tickets)

            try system.start("monitor", ["sla-monitor"])
            // Kill the monitor once the first transitions are recorded, then the worker, and start both again.
            try await eventually("the first transitions recorded", within: .seconds(60)) { try Self.recorded(db).counts.count > 0 }
            system.kill9("monitor")
            system.kill9("worker")
            let beforeRestart = try Self.recorded(db).counts.count
            print("SLA loop: \(beforeRestart) of \(due.count) transitions recorded when both were killed")
            try system.start("worker", ["ticket-worker"])
            try system.start("monitor", ["sla-monitor"])

            try await eventually("all 1,200 transitions recorded", within: .seconds(90)) { lastSeen in
                let counts = try Self.recorded(db).counts
                let n = counts.count
                var kinds: [String: Int] = [:]
                for key in counts.keys { kinds[key.split(separator: " ").dropFirst().joined(separator: " "), default: 0] += 1 }
                lastSeen = "\(n) recorded: \(kinds.sorted { $0.key < $1.key }); monitor log: \(system.log("monitor").suffix(1500)); worker log: \(system.log("worker").suffix(1500))"
                return n == due.count
            }
            let (counts, times) = try Self.recorded(db)
            #expect(counts.values.allSatisfy { $0 == 1 }, "recorded twice: \(counts.filter { $0.value > 1 }.keys.sorted().prefix(5))")
            #expect(Set(counts.keys) == Set(due.keys))
            for (key, instant) in due { #expect(times[key] == instant, "\(key): recorded at \(times[key] ?? 0), due \(instant)") }
            // Every ticket now says breached on both timers.
            let breached = try db.prepare("SELECT count(*) FROM tickets WHERE sla_first_response_recorded = 'breached' AND sla_resolution_recorded = 'breached'").queryFirst([]) { Int($0.int64(at: 0)) }
            #expect(breached == Self.tickets)
            _ = system.stop("monitor")
            _ = system.stop("worker")
        }
    }
}
