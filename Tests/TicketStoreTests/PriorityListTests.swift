import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// The priority order (`TicketOrder.priority`, migration 8) and the severity and priority filters:
/// the right tickets in the right order page by page in every shape of the query, cursors that
/// hold under inserts, and plans that read `tickets_by_priority` without sorting.
@Suite struct PriorityListTests {
    /// The sort key of the priority order: rank (no priority last), then oldest, then lowest id.
    static func key(_ t: Ticket) -> (Int, Int64, Int64) { (TicketCursor.rank(t.priority), t.openedAt.millisecondsSinceEpoch, t.id.rawValue) }

    /// Follows next-cursors to the end in both read paths (tickets and rows), checking that they agree.
    static func walk(_ reader: TicketReader, _ filter: TicketFilter) async throws -> [TicketID] {
        var ids: [TicketID] = []
        var filter = filter
        while true {
            let page = try await reader.list(filter)
            let rows = try await reader.withListRows(filter) { rows in
                var ids: [TicketID] = []
                try rows.forEach { ids.append($0.id) }
                return (ids, rows.nextCursor)
            }
            #expect(rows.0 == page.tickets.map(\.id), "\(filter)")
            #expect(rows.1 == page.nextCursor, "\(filter)")
            ids += page.tickets.map(\.id)
            guard let next = page.nextCursor else { break }
            #expect(next.order == filter.order && page.tickets.count == filter.limit)
            filter.cursor = next
        }
        return ids
    }

    /// The accounts world of `ReaderAccountsTests` (60 tickets, two customers, two engineers, some
    /// in the same millisecond), triaged in every way: severities, pinned priorities, untriaged.
    static func world(_ f: StoreFixture) async throws -> (w: (ana: User, ben: User, e1: User, e2: User, tickets: [Ticket]), tickets: [Ticket]) {
        let w = try await ReaderAccountsTests().world(f)
        let agent = try await f.account("Tia", .agent)
        var tickets: [Ticket] = []
        for (i, t) in w.tickets.enumerated() {
            guard t.status != .closed, i % 6 != 5 else {
                tickets.append(t)
                continue
            }
            let triage = SetTriage(ticketID: t.id, severity: Severity.allCases[i % 4], impact: Impact.allCases[i % 3],
                                   priority: i % 9 == 0 ? .pinned(.p4) : nil)
            tickets.append(try #require(try await f.run(agent.actor, .setTriage(triage)).ticket))
        }
        // Closed tickets keep whatever triage they had; give a few one by import, with ties in time.
        let opened = f.clock.now().adding(milliseconds: -5_000)
        for (i, priority) in [Priority.p1, .p3, nil, .p1].enumerated() {
            let reply = try await f.run(.admin, .importTicket(ImportTicket(
                description: "wifi history \(i)", status: .closed, openedAt: opened, closedAt: opened, priority: priority)))
            tickets.append(try #require(reply.ticket))
        }
        // Imported text is searchable after the worker's background pass (migration 4).
        while try await f.store.indexSearchBacklog(limit: 1_000) > 0 {}
        return (w, tickets)
    }

    @Test("priority order: P1 first, untriaged last, then oldest, then lowest id; every filter, both read paths, page by page")
    func list_PriorityOrder() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let (w, tickets) = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        #expect(Set(tickets.map(\.priority)) == [nil, .p1, .p2, .p3, .p4])
        let ordered = tickets.sorted { Self.key($0) < Self.key($1) }
        let filters: [TicketFilter] = [
            TicketFilter(statuses: [.open, .active], limit: 7, order: .priority),
            TicketFilter(statuses: [.open], limit: 4, order: .priority),
            TicketFilter(statuses: [.active], limit: 3, order: .priority),
            TicketFilter(limit: 6, order: .priority),
            TicketFilter(statuses: [.closed], limit: 2, order: .priority),
            TicketFilter(statuses: [.open, .active], category: .it, limit: 3, order: .priority),
            TicketFilter(statuses: [.open, .active], limit: 5, unassigned: true, order: .priority),
            TicketFilter(statuses: [.open, .active], limit: 5, order: .priority, severities: [.high, nil]),
            TicketFilter(statuses: [.open, .active], limit: 5, order: .priority, priorities: [.p1, .p4]),
            TicketFilter(statuses: [.open, .active], limit: 5, order: .priority, priorities: [nil]),
            TicketFilter(limit: 4, customerID: w.ana.id, order: .priority),
            TicketFilter(statuses: [.open, .active], limit: 4, assigneeID: w.e1.id, order: .priority, severities: [.critical, .medium]),
            TicketFilter(text: "wifi", limit: 3, order: .priority),
            TicketFilter(statuses: [.open], text: "door", limit: 2, order: .priority, priorities: [.p2, .p3]),
        ]
        for filter in filters {
            let expected = ordered.filter { t in
                (filter.statuses.isEmpty || filter.statuses.contains(t.status)) && (filter.category.map { t.category == $0 } ?? true)
                    && (!filter.unassigned || t.assigneeID == nil) && (filter.customerID.map { t.customerID == $0 } ?? true)
                    && (filter.assigneeID.map { t.assigneeID == $0 } ?? true)
                    && (filter.severities.isEmpty || filter.severities.contains(t.severity))
                    && (filter.priorities.isEmpty || filter.priorities.contains(t.priority))
                    && (filter.text.map { t.description.hasPrefix($0) } ?? true)
            }.map(\.id)
            #expect(expected.count > filter.limit, "\(filter)")
            #expect(try await Self.walk(reader, filter) == expected, "\(filter)")
        }
    }

    @Test("severity and priority filters in the newest order, in every shape of its query")
    func list_TriageFiltersNewestFirst() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let (w, tickets) = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let newest = tickets.sorted { ($0.openedAt, $0.id) > ($1.openedAt, $1.id) }
        let filters: [TicketFilter] = [
            TicketFilter(limit: 4, severities: [.low, .medium]),
            TicketFilter(limit: 4, priorities: [nil]),
            TicketFilter(statuses: [.open], limit: 2, priorities: [.p3, .p4]),
            TicketFilter(category: .facility, limit: 2, severities: [nil]),
            TicketFilter(limit: 2, unassigned: true, priorities: [.p2, .p3, .p4]),
            TicketFilter(limit: 3, customerID: w.ben.id, severities: [.critical, .high, .medium, .low]),
            TicketFilter(text: "canteen", limit: 2, priorities: [.p1, .p2, .p3, .p4]),
        ]
        for filter in filters {
            let expected = newest.filter { t in
                (filter.statuses.isEmpty || filter.statuses.contains(t.status)) && (filter.category.map { t.category == $0 } ?? true)
                    && (!filter.unassigned || t.assigneeID == nil) && (filter.customerID.map { t.customerID == $0 } ?? true)
                    && (filter.severities.isEmpty || filter.severities.contains(t.severity))
                    && (filter.priorities.isEmpty || filter.priorities.contains(t.priority))
                    && (filter.text.map { t.description.hasPrefix($0) } ?? true)
            }.map(\.id)
            #expect(expected.count > filter.limit, "\(filter)")
            #expect(try await Self.walk(reader, filter) == expected, "\(filter)")
        }
    }

    @Test("a priority cursor stays put while tickets arrive before, at and after it: none twice, none that existed skipped")
    func pagination_StableUnderInserts() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let base = f.clock.now().adding(milliseconds: -86_400_000)
        func importing(_ n: Int, _ priority: Priority?, at ms: Int64) -> Command {
            Command(role: .admin, action: .importTicket(ImportTicket(
                description: "queue \(n)", status: n % 2 == 0 ? .open : .active, openedAt: base.adding(milliseconds: ms), priority: priority)))
        }
        // 40 tickets, ten per priority and ten untriaged, four to a millisecond.
        let priorities: [Priority?] = [.p1, .p2, .p4, nil]
        _ = try await f.store.apply((0..<40).map { importing($0, priorities[$0 % 4], at: Int64($0 / 4)) })
        let reader = try TicketReader(path: f.path)
        let existing = try await reader.list(TicketFilter(statuses: [.open, .active], limit: 500, order: .priority)).tickets
        #expect(existing.count == 40)

        var filter = TicketFilter(statuses: [.open, .active], limit: 6, order: .priority)
        var seen: [Ticket] = []
        var n = 100
        while true {
            let page = try await reader.list(filter)
            seen += page.tickets
            guard let next = page.nextCursor else { break }
            #expect(next.order == .priority && next.priority == page.tickets.last?.priority)
            // Between pages: tickets of every priority, older and newer, and in the cursor's own millisecond.
            let at = next.openedAt.millisecondsSinceEpoch - base.millisecondsSinceEpoch
            let arrivals = [importing(n, .p1, at: 0), importing(n + 1, next.priority, at: at), importing(n + 2, nil, at: 20),
                            importing(n + 3, .p3, at: at + 1), importing(n + 4, next.priority, at: max(0, at - 1))]
            n += 5
            _ = try await f.store.apply(arrivals)
            filter.cursor = next
        }
        let ids = seen.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(Set(existing.map(\.id)).isSubset(of: Set(ids)))
        #expect(zip(seen, seen.dropFirst()).allSatisfy { Self.key($0) < Self.key($1) })
        // Arrivals after the cursor's position were listed; those before it (a P1, an older twin) were not.
        #expect(seen.count > existing.count)
        #expect(seen.filter { $0.description == "queue 100" }.isEmpty)
    }

    @Test("the priority order walks tickets_by_priority, without and with a status, category or triage filter, never sorting",
          arguments: [
              TicketFilter(statuses: [.open, .active], order: .priority),
              TicketFilter(statuses: [.open], order: .priority),
              TicketFilter(statuses: [.active], category: .services, order: .priority),
              TicketFilter(statuses: [.open, .active], unassigned: true, order: .priority, priorities: [.p1, .p2]),
              TicketFilter(statuses: [.open, .active], cursor: TicketCursor(priority: .p2, openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(9)),
                           order: .priority, severities: [nil]),
          ])
    func plan_PriorityUsesItsIndex(_ filter: TicketFilter) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        for columns in [TicketReader.ticketColumns, TicketReader.rowColumns] {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: columns)
            let plan = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
            // A row value seeks to the cursor: "SEARCH t USING INDEX tickets_by_priority ((priority_rank,opened_at)>(?,?))".
            #expect(plan.contains("SEARCH t USING INDEX tickets_by_priority ("), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN t"), "\(plan)")
        }
    }

    @Test("the newest order keeps its indexes with triage filters: tickets_by_opened alone, the status ranges with a status")
    func plan_NewestWithTriageFilters() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        let (unfiltered, v1) = try TicketReader.listStatement(db, TicketFilter(priorities: [.p1]), columns: TicketReader.rowColumns)
        let plan1 = try db.prepare("EXPLAIN QUERY PLAN " + unfiltered.sql).query(v1) { $0.text(at: 3) }.joined(separator: "; ")
        #expect(plan1.contains("tickets_by_opened") && !plan1.contains("TEMP B-TREE") && !plan1.contains("tickets_by_priority"), "\(plan1)")
        let (byStatus, v2) = try TicketReader.listStatement(db, TicketFilter(statuses: [.open], severities: [.high]), columns: TicketReader.rowColumns)
        let plan2 = try db.prepare("EXPLAIN QUERY PLAN " + byStatus.sql).query(v2) { $0.text(at: 3) }.joined(separator: "; ")
        #expect(plan2.contains("tickets_by_status_category_opened") && !plan2.contains("tickets_by_priority"), "\(plan2)")
    }

    @Test("closed tickets alone walk tickets_closed_by_priority in the priority order, both ways, with a category or cursor, never sorting",
          arguments: [
              TicketFilter(statuses: [.closed], order: .priority),
              TicketFilter(statuses: [.closed], category: .it, unassigned: true, order: .priority),
              TicketFilter(statuses: [.closed], cursor: TicketCursor(priority: .p3, openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(9)),
                           order: .priority, severities: [.high]),
          ])
    func plan_PriorityOfClosedUsesItsIndex(_ filter: TicketFilter) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        for columns in [TicketReader.ticketColumns, TicketReader.rowColumns] {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: columns)
            let plan = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
            #expect(plan.contains("SEARCH t USING INDEX tickets_closed_by_priority ("), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN t"), "\(plan)")
        }
    }

    /// The query plan of a list page (or count) statement, one line per node.
    static func plan(_ db: Connection, _ sql: String, _ values: [SQLiteValue]) throws -> [String] {
        try db.prepare("EXPLAIN QUERY PLAN " + sql).query(values) { $0.text(at: 3) }
    }

    /// No node of the plan reads the whole table or an index from its start.
    static func readsNoTable(_ plan: [String]) -> Bool {
        !plan.contains { $0.hasPrefix("SCAN t") }
    }

    @Test("closed with other statuses merges two ranges in the priority order, tickets_by_priority and tickets_closed_by_priority, both ways",
          arguments: [
              TicketFilter(statuses: [.open, .closed], order: .priority),
              TicketFilter(statuses: Set(Status.allCases), category: .it, unassigned: true, order: .priority, severities: [.high, nil]),
              TicketFilter(statuses: [.active, .closed], cursor: TicketCursor(priority: .p3, openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(9)),
                           order: .priority, priorities: [.p3]),
          ])
    func plan_PriorityOfClosedAndOpenMergesTwoRanges(_ filter: TicketFilter) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        for columns in [TicketReader.ticketColumns, TicketReader.rowColumns] {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: columns)
            let plan = try Self.plan(db, statement.sql, values)
            #expect(plan.contains { $0.hasPrefix("SEARCH tickets USING INDEX tickets_by_priority (") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH tickets USING INDEX tickets_closed_by_priority (") }, "\(plan)")
            #expect(Self.readsNoTable(plan), "\(plan)")
        }
        let back = TicketReader.ListQuery(filter, match: nil).priority(TicketReader.priorityKeys, backwards: true)
        let plan = try Self.plan(db, back.0, back.1)
        #expect(plan.contains { $0.hasPrefix("SEARCH tickets USING INDEX tickets_closed_by_priority (") } && Self.readsNoTable(plan), "\(plan)")
    }

    @Test("low confidence walks tickets_low_confidence_by_priority (migration 21) in the priority order and counts from it, in any status",
          arguments: [
              TicketFilter(statuses: [.open, .active], order: .priority),
              TicketFilter(statuses: [.closed], category: .facility, unassigned: true, order: .priority, severities: [.low]),
              TicketFilter(statuses: Set(Status.allCases), cursor: TicketCursor(priority: nil, openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(9)),
                           order: .priority),
          ])
    func plan_LowConfidenceUsesItsIndex(_ filter: TicketFilter) async throws {
        var filter = filter
        filter.lowConfidence = true
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        for columns in [TicketReader.ticketColumns, TicketReader.rowColumns] {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: columns)
            let plan = try Self.plan(db, statement.sql, values)
            #expect(plan.contains { $0.hasPrefix("SEARCH t USING INDEX tickets_low_confidence_by_priority (") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") } && Self.readsNoTable(plan), "\(plan)")
        }
        // The count reads the partial index (its few entries) and nothing else.
        let count = TicketReader.ListQuery(filter, match: nil).countSQL(text: nil)
        let plan = try Self.plan(db, count.0, count.1)
        #expect(plan.allSatisfy { $0.hasSuffix("USING INDEX tickets_low_confidence_by_priority") || $0.contains("USING INDEX tickets_low_confidence_by_priority (") }, "\(plan)")
    }

    @Test("at risk and on track read the running timers' range of tickets_running_sla, list and count; severity counts read the queue's covering index",
          arguments: [SLAState.atRisk, .onTrack])
    func plan_SLAStatesReadTheRunningTimers(_ state: SLAState) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        var filter = TicketFilter(statuses: [.open, .active], category: .it, order: .priority)
        filter.sla = state
        filter.slaNow = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        let (statement, values) = try TicketReader.listStatement(db, filter, columns: TicketReader.rowColumns)
        let plan = try Self.plan(db, statement.sql, values)
        // The range is read from the running timers' index (migration 23), sorted as keys; `tickets` is
        // read by primary key for the page's rows. (Not "COVERING": SQLite 3.40 never says so when a
        // generated column is named; its deferred seek reads the index's columns from the index.)
        #expect(plan.contains { $0.hasPrefix("SEARCH t USING INDEX tickets_running_sla (") } && Self.readsNoTable(plan), "\(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH t USING INTEGER PRIMARY KEY") }, "\(plan)")
        let count = TicketReader.ListQuery(filter, match: nil).countSQL(text: nil)
        let countPlan = try Self.plan(db, count.0, count.1)
        #expect(countPlan.contains { $0.hasPrefix("SEARCH t USING INDEX tickets_running_sla (") } && Self.readsNoTable(countPlan), "\(countPlan)")
        let severity = TicketReader.ListQuery(TicketFilter(statuses: [.open], order: .priority, severities: [.critical]), match: nil).countSQL(text: nil)
        let severityPlan = try Self.plan(db, severity.0, severity.1)
        #expect(severityPlan.contains { $0.contains("COVERING INDEX tickets_by_priority") }, "\(severityPlan)")
    }

    @Test("a priority filter bounds the priority order's range; low confidence and SLA states read their own range in the other orders")
    func plan_PriorityBoundAndRareRanges() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let db = try Connection(path: f.path, mode: .readOnly)
        for backwards in [false, true] {
            let (sql, values) = TicketReader.ListQuery(TicketFilter(statuses: [.open, .active], order: .priority, priorities: [.p4, nil]), match: nil)
                .priority(TicketReader.rowColumns, backwards: backwards)
            let plan = try Self.plan(db, sql, values)
            #expect(plan.contains { $0.hasPrefix("SEARCH t USING INDEX tickets_by_priority (") && $0.contains("priority_rank") && $0.contains("AND") }, "\(plan)")
        }
        for order in TicketOrder.allCases where order != .priority {
            var low = TicketFilter(statuses: [.open], order: order)
            low.lowConfidence = true
            var risk = TicketFilter(category: .it, order: order)
            risk.sla = .atRisk
            for (filter, index) in [(low, "tickets_low_confidence_by_priority"), (risk, "tickets_by_sla_due")] {
                let (statement, values) = try TicketReader.listStatement(db, filter, columns: TicketReader.rowColumns)
                let plan = try Self.plan(db, statement.sql, values)
                #expect(plan.contains { $0.contains("USING INDEX \(index)") } && !plan.contains { $0.contains("tickets_by_opened") || $0.contains("tickets_by_status_category_opened") }, "\(order) \(plan)")
            }
        }
    }

    @Test("a cursor of the other order is refused, naming the cursor")
    func list_CursorOfTheOtherOrder() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let reader = try TicketReader(path: f.path)
        let newest = TicketCursor(openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(1))
        let priority = TicketCursor(priority: nil, openedAt: Timestamp(millisecondsSinceEpoch: 5), id: TicketID(1))
        await #expect(throws: Refusal(.validation, "The cursor continues the newest order, not the priority one.", field: "cursor")) {
            _ = try await reader.list(TicketFilter(cursor: newest, order: .priority))
        }
        await #expect(throws: Refusal(.validation, "The cursor continues the priority order, not the newest one.", field: "cursor")) {
            _ = try await reader.list(TicketFilter(cursor: priority))
        }
    }

    @Test("migration 8 on a version 6 database: existing tickets get their rank, the index holds only open and active ones")
    func migrationEight() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        do {
            let db = try Connection(path: path)
            try db.migrate(TicketSchema.migrations.filter { $0.version <= 6 })
            try db.execute("""
                INSERT INTO tickets (description, category, category_source, status, opened_at, modified_at, severity, severity_source, priority, priority_source)
                VALUES ('a', 'it', 'auto', 'open', 1, 1, 'high', 'staff', 'P2', 'auto'), ('b', 'it', 'auto', 'active', 2, 2, NULL, NULL, NULL, NULL);
                INSERT INTO tickets (description, category, category_source, status, opened_at, modified_at, closed_at, priority, priority_source)
                VALUES ('c', 'it', 'auto', 'closed', 3, 3, 3, 'P1', 'staff');
                """)
        }
        _ = try TicketStore(path: path, classifier: KeywordClassifier(), clock: TestClock())
        let db = try Connection(path: path, mode: .readOnly)
        #expect(try db.userVersion() == TicketSchema.migrations.last?.version)
        #expect(try db.prepare("SELECT group_concat(priority_rank, ',') FROM (SELECT priority_rank FROM tickets ORDER BY id)").queryFirst { $0.text(at: 0) } == "2,5,1")
        #expect(try db.prepare("SELECT count(*) FROM tickets INDEXED BY tickets_by_priority WHERE status <> 'closed'").queryFirst { $0.int64(at: 0) } == 2)
        let page = try await TicketReader(path: path).list(TicketFilter(statuses: [.open, .active], order: .priority))
        #expect(page.tickets.map(\.description) == ["a", "b"])
    }
}
