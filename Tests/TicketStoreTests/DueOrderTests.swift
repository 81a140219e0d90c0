import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The due order (`sort=due`, migration 16) and the staff list's SLA columns: the order against
/// `TicketSLA.nextDue(of:)` over tickets of every priority, met and not, both ways through the
/// keyset machinery; plans that read `tickets_by_sla_due` without a sort or a scan; and the work
/// queue's page still read from its covering index alone.
@Suite struct DueOrderTests {
    /// The fixture's tickets of every priority, some answered (first response met), a few closed,
    /// and the clock moved on so some are at risk or breached.
    static func world(_ f: StoreFixture) async throws -> [Ticket] {
        let (_, tickets) = try await PriorityListTests.world(f)
        let agent = try await f.account("Una", .agent)
        for (i, t) in tickets.enumerated() where t.status == .open && i % 4 == 1 {
            _ = try await f.run(agent.actor, .postMessage(PostMessage(ticketID: t.id, body: "Looking at it")))
        }
        f.clock.advance(by: .seconds(3 * 3_600))
        return tickets
    }

    /// Every ticket as the store has it now.
    static func current(_ reader: TicketReader) async throws -> [Ticket] {
        try await reader.list(TicketFilter(limit: 500)).tickets
    }

    static func dueOrder(_ tickets: [Ticket]) -> [TicketID] {
        tickets.sorted { (TicketSLA.nextDue(of: $0.sla), $0.id.rawValue) < (TicketSLA.nextDue(of: $1.sla), $1.id.rawValue) }.map(\.id)
    }

    @Test("due order: next due first (breached first), none running last, then id; every filter, forwards by cursor and backwards by anchor")
    func order_MatchesNextDue() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let all = try await Self.current(reader)
        let now = f.clock.now()
        // The order's point: breached tickets first, then running ones by due time, then none running.
        let states = Self.dueOrder(all).compactMap { id in all.first { $0.id == id }?.sla?.state(now: now) }
        #expect(states.contains(.breached) && states.contains(.met))
        #expect(states.first == .breached && states.last == .met)
        for filter in [TicketFilter(limit: 4, order: .due), TicketFilter(statuses: [.open, .active], limit: 3, order: .due),
                       TicketFilter(statuses: [.closed], category: .it, limit: 2, order: .due), TicketFilter(text: "wifi", limit: 3, order: .due),
                       TicketFilter(limit: 3, order: .due, priorities: [.p1, .p4])] {
            let expected = Self.dueOrder(all.filter { t in
                (filter.statuses.isEmpty || filter.statuses.contains(t.status)) && (filter.category.map { t.category == $0 } ?? true)
                    && (filter.text.map { t.description.lowercased().contains($0) } ?? true)
                    && (filter.priorities.isEmpty || filter.priorities.contains(t.priority))
            })
            #expect(!expected.isEmpty, "\(filter)")
            // Forwards, following the cursors (each round-trips through its text form).
            var f2 = filter
            var forward: [[TicketID]] = []
            for _ in 0..<100 {
                let page = try await reader.list(f2)
                forward.append(page.tickets.map(\.id))
                guard let next = page.nextCursor else { break }
                #expect(TicketCursor(encoded: next.encoded) == next && next.encoded.hasPrefix("u."), "\(next.encoded)")
                f2.cursor = next
            }
            #expect(forward.flatMap { $0 } == expected, "\(filter)")
            // Backwards from the last page, through the anchors: the same pages in reverse.
            var backward: [[TicketID]] = []
            var anchor = TicketPageAnchor.last
            for _ in 0..<100 {
                let (ids, first) = try await reader.withListRows(filter, from: anchor, countingUpTo: TicketCount.defaultCap) { rows, _ in
                    var ids: [TicketID] = []
                    try rows.forEach { ids.append($0.id) }
                    return (ids, rows.firstCursor)
                }
                backward.append(ids)
                guard let first else { break }
                anchor = .before(first)
            }
            #expect(Array(backward.reversed()) == forward, "\(filter)")
        }
    }

    @Test("the due order reads tickets_by_sla_due by a row value, either way, with any filter: no sort, no scan",
          arguments: [
              TicketFilter(order: .due),
              TicketFilter(statuses: [.closed], order: .due),
              TicketFilter(statuses: [.open, .active], category: .it, unassigned: true, order: .due, severities: [nil]),
              TicketFilter(cursor: TicketCursor(order: .due, key: 1_772_000_000_000, id: TicketID(9)), order: .due),
          ])
    func plan_DueUsesItsIndex(_ filter: TicketFilter) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        var slaFiltered = filter
        slaFiltered.sla = .breached
        slaFiltered.slaNow = f.clock.now()
        let db = try Connection(path: f.path, mode: .readOnly)
        for candidate in [filter, slaFiltered] {
            var queries = [TicketReader.ListQuery(candidate, match: nil).keyed(TicketReader.rowColumnsWithDue), TicketReader.ListQuery(candidate, match: nil).keyed(TicketReader.ticketColumns)]
            queries.append(TicketReader.backwardsSQL(candidate, match: nil))
            for (sql, values) in queries {
                let plan = try db.prepare("EXPLAIN QUERY PLAN " + sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
                #expect(plan.contains("SEARCH t USING INDEX tickets_by_sla_due (") || plan.contains("SEARCH t USING COVERING INDEX tickets_by_sla_due ("), "\(plan)")
                #expect(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN t"), "\(plan)")
            }
        }
    }

    @Test("the store's sla_next_due is TicketSLA.nextDue(of:) for every ticket")
    func column_MatchesSwift() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let db = try Connection(path: f.path, mode: .readOnly)
        for t in try await Self.current(reader) {
            let stored = try db.prepare("SELECT sla_next_due FROM tickets WHERE id = ?").queryFirst([.integer(t.id.rawValue)]) { $0.int64(at: 0) }
            #expect(stored == TicketSLA.nextDue(of: t.sla), "\(t.id)")
        }
    }

    @Test("the staff's default page (the work queue) still reads its rows, SLA instants included, from tickets_by_priority alone")
    func plan_QueueStaysCovered() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        let filter = TicketFilter(statuses: [.open, .active], order: .priority)
        let (statement, values) = try TicketReader.listStatement(db, filter, columns: TicketReader.rowColumns)
        let plan = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
        #expect(plan.contains("SEARCH t USING INDEX tickets_by_priority ("), "\(plan)")
        // The plan says INDEX, not COVERING INDEX (the table has a virtual column), but SQLite only
        // defers the seek into the table (`DeferredSeek`) and reads every column the index holds
        // from the index: the bytecode reads no column from the table's cursor, so the seek never runs.
        let root = try db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'tickets'").queryFirst([]) { $0.int64(at: 0) }
        let program = try db.prepare("EXPLAIN " + statement.sql).query(values) { ($0.text(at: 1), $0.int64(at: 2), $0.int64(at: 3)) }
        let tableCursors = Set(program.filter { $0.0 == "OpenRead" && $0.2 == root }.map(\.1))
        #expect(tableCursors.count == 1)
        #expect(program.contains { $0.0 == "DeferredSeek" })
        #expect(!program.contains { $0.0 == "Column" && tableCursors.contains($0.1) }, "\(program)")
    }

    @Test("a row's SLA state read in place is the ticket's TicketSLA.state(now:), at every instant where a state changes and either side of it")
    func row_SLAState() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let all = Dictionary(uniqueKeysWithValues: try await Self.current(reader).map { ($0.id, $0) })
        // The page's clock, and each timer's at-risk, due and met instants, a millisecond either side too
        // (the in-place reading skips columns by what it has read so far; each skip is a boundary here).
        var instants: Set<Int64> = [f.clock.now().millisecondsSinceEpoch]
        for t in all.values { for kind in SLATimerKind.allCases { if let timer = t.sla?[kind] {
            for ms in [timer.deadlines.atRisk.millisecondsSinceEpoch, timer.deadlines.due.millisecondsSinceEpoch, timer.metAt?.millisecondsSinceEpoch].compactMap({ $0 }) {
                instants.formUnion([ms - 1, ms, ms + 1])
            }
        } } }
        var seen: Set<SLAState> = []
        for ms in instants.sorted() {
            let now = Timestamp(millisecondsSinceEpoch: ms)
            let pairs = try await reader.withListRows(TicketFilter(limit: 500)) { rows in
                var pairs: [(TicketID, SLAState?)] = []
                try rows.forEach { pairs.append(($0.id, $0.slaState(now: now))) }
                return pairs
            }
            #expect(pairs.count == all.count)
            for (id, state) in pairs { #expect(state == all[id]?.sla?.state(now: now), "\(id) at \(ms)") }
            seen.formUnion(pairs.compactMap(\.1))
        }
        #expect(seen == Set(SLAState.allCases), "\(seen)")
    }
}
