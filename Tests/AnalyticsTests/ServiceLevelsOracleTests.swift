import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore
@testable import Analytics

/// The service-levels figures against an oracle: real commands through a real `TicketStore`, the
/// store's change events applied to the aggregate in its state file, and the same figures
/// computed by SQL straight from `tickets.db`'s ticket rows.
@Suite struct ServiceLevelsOracleTests {
    /// Per ticket row: its two timers' outcomes (`met`, `breached` or NULL) and whether it is
    /// breached or at risk at `:now` (a not-closed ticket), as docs/analytics.md defines them.
    static let judged = """
        WITH t AS (
            SELECT id, status, opened_at, assignee_id, COALESCE(priority, 'P3') AS priority,
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

    struct Oracle {
        var compliance: [SLACompliance]
        var current: [SLAStanding]
        var engineers: [EngineerWorkload]
    }

    static func oracle(_ path: String, now: Timestamp) throws -> Oracle {
        let db = try Connection(path: path, mode: .readOnly)
        let n = SQLiteValue.integer(now.millisecondsSinceEpoch)
        let compliance = try db.prepare(judged + """
            SELECT strftime('%Y-%m', opened_at / 1000, 'unixepoch'), priority,
                   SUM(fr IS 'met'), SUM(fr IS 'breached'), SUM(res IS 'met'), SUM(res IS 'breached')
            FROM j GROUP BY 1, 2 HAVING SUM(fr IS NOT NULL) + SUM(res IS NOT NULL) > 0 ORDER BY 1, 2
            """).query([n]) { s in
            SLACompliance(month: s.text(at: 0), priority: Priority(rawValue: s.text(at: 1))!,
                          firstResponse: SLAOutcomeCounts(met: Int(s.int64(at: 2)), breached: Int(s.int64(at: 3))),
                          resolution: SLAOutcomeCounts(met: Int(s.int64(at: 4)), breached: Int(s.int64(at: 5))))
        }
        let counted = try db.prepare(judged + """
            SELECT priority, SUM(NOT breached_now AND risk_now), SUM(breached_now) FROM j WHERE status != 'closed' GROUP BY priority
            """).query([n]) { s in (Priority(rawValue: s.text(at: 0))!, SLAStanding(priority: Priority(rawValue: s.text(at: 0))!, atRisk: Int(s.int64(at: 1)), breached: Int(s.int64(at: 2)))) }
        let byPriority = Dictionary(counted, uniquingKeysWith: { a, _ in a })
        let current = Priority.allCases.map { byPriority[$0] ?? SLAStanding(priority: $0, atRisk: 0, breached: 0) }
        let engineers = try db.prepare(judged + """
            , o AS (
                SELECT assignee_id AS a, opened_at, ROW_NUMBER() OVER (PARTITION BY assignee_id ORDER BY opened_at) AS rn,
                       COUNT(*) OVER (PARTITION BY assignee_id) AS n
                FROM j WHERE status != 'closed' AND assignee_id IS NOT NULL
            ), m AS (
                SELECT a, AVG(?1 - opened_at) / 1000.0 AS median FROM o WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY a
            )
            SELECT j.assignee_id, SUM(status = 'open'), SUM(status = 'active'), SUM(breached_now), m.median
            FROM j JOIN m ON m.a = j.assignee_id WHERE status != 'closed' GROUP BY j.assignee_id ORDER BY j.assignee_id
            """).query([n]) { s in
            EngineerWorkload(userID: UserID(s.int64(at: 0)), open: Int(s.int64(at: 1)), active: Int(s.int64(at: 2)),
                             breached: Int(s.int64(at: 3)), medianAgeSeconds: s.double(at: 4))
        }
        return Oracle(compliance: compliance, current: current, engineers: engineers)
    }

    @Test("figures from the store's events equal SQL over tickets.db, at several instants", arguments: [21, 22] as [UInt64])
    func matchesTheDatabase(seed: UInt64) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        f.clock.set(Timestamp(iso8601: "2026-01-28T08:00:00Z")!)  // across a month's end
        func account(_ name: String, _ role: Role) async throws -> User {
            try #require(try await f.store.apply([AccountFixture.operatorCreates(name, role)])[0].user)
        }
        let customer = try await account("Cy", .customer), agent = try await account("Ada", .agent)
        let manager = try await account("Max", .manager)
        let engineers = [try await account("Ana", .engineer), try await account("Eli", .engineer), try await account("Eva", .engineer)]
        var g = SplitMix64(seed: seed)
        var tickets: [TicketID: Ticket] = [:]
        func apply(_ actor: Actor, _ action: CommandAction, channel: Channel? = nil) async throws {
            let reply = try await f.store.apply([Command(actor: actor, action: action, channel: channel)])[0]
            if let t = reply.ticket { tickets[t.id] = t }
        }
        for _ in 0..<400 {
            f.clock.advance(by: .seconds(Int64.random(in: 0...3_600, using: &g)))
            let now = f.clock.now()
            // Sorted: a Dictionary's order changes from process to process (per-process hash seed),
            // which made the seeds draw different histories from run to run.
            guard let id = tickets.keys.sorted(by: { $0.rawValue < $1.rawValue }).randomElement(using: &g),
                  Int.random(in: 0..<5, using: &g) != 0 else {
                try await apply(customer.actor, .createTicket(CreateTicket(description: "The projector in room \(tickets.count) flickers")))
                continue
            }
            let t = tickets[id]!
            switch Int.random(in: 0..<6, using: &g) {
            case 0:
                try await apply(manager.actor, .setTriage(SetTriage(ticketID: id, priority: .pinned(Priority.allCases.randomElement(using: &g)!))))
            case 1:
                let to = Int.random(in: 0..<4, using: &g) == 0 ? nil : engineers.randomElement(using: &g)?.id
                try await apply(manager.actor, .assignTicket(AssignTicket(ticketID: id, assigneeID: to)))
            case 2:
                try await apply(agent.actor, .postMessage(PostMessage(ticketID: id, body: "Looking into it")))
            case 3:
                let next: Status = t.status == .open ? .active : t.status == .active ? .closed : .active
                try await apply(manager.actor, .changeStatus(ChangeStatus(ticketID: id, status: next, reason: t.status == .closed ? "It broke again" : nil)))
            default:
                // The SLA monitor records a crossing that fell due, at its true instant.
                guard let sla = t.sla, t.status != .closed else { continue }
                for kind in SLATimerKind.allCases where sla[kind].metAt == nil {
                    let timer = sla[kind]
                    let crossing: (state: SLAState, at: Timestamp)? = now >= timer.deadlines.due ? (.breached, timer.deadlines.due)
                        : now >= timer.deadlines.atRisk ? (.atRisk, timer.deadlines.atRisk) : nil
                    guard let (state, at) = crossing else { continue }
                    try await apply(Actor(role: .admin), .recordSLATransition(RecordSLATransition(ticketID: id, timer: kind, state: state, at: at)), channel: .sla)
                }
            }
        }

        let utc = try #require(TimeZone(identifier: "UTC"))
        let state = try AnalyticsState<ServiceLevelsAggregate>(path: f.dir.path("analytics-service-levels.db"), timeZone: utc)
        let events = try await f.store.events(from: SequenceNumber(1), limit: 100_000)
        try AnalyticsStateTests.deliver(events, to: state, seed: seed)
        let reopened = try AnalyticsState<ServiceLevelsAggregate>(path: state.path, timeZone: utc)
        for later in [0, 600_000, 86_400_000, 10 * 86_400_000] as [Int64] {
            let now = f.clock.now().adding(milliseconds: later)
            let answer = reopened.aggregate.answer(now: now)
            let oracle = try Self.oracle(f.path, now: now)
            #expect(answer.compliance == oracle.compliance)
            #expect(answer.current == oracle.current)
            #expect(answer.engineers.map(\.userID) == oracle.engineers.map(\.userID))
            for (a, o) in zip(answer.engineers, oracle.engineers) {
                #expect(a.open == o.open && a.active == o.active && a.breached == o.breached, "\(a) vs \(o)")
                #expect(abs(a.medianAgeSeconds - o.medianAgeSeconds) < 0.001, "\(a) vs \(o)")
            }
        }
        // The history is rich enough to test something: every kind of figure is non-zero somewhere.
        let answer = reopened.aggregate.answer(now: f.clock.now())
        #expect(answer.compliance.contains { $0.firstResponse.met > 0 } && answer.compliance.contains { $0.resolution.breached + $0.firstResponse.breached > 0 })
        #expect(answer.current.contains { $0.breached > 0 } && answer.engineers.count == engineers.count)
    }
}
