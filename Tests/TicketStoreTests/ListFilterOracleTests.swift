import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Every list filter in every order (the priority order half the time) against a brute-force filter and sort of
/// the same tickets: 400 random tickets (statuses, categories, triage, classifier confidence, SLA
/// timers in every state, assignees, ties in time), random filters, walked page by page.
@Suite(.serialized) struct ListFilterOracleTests {
    /// The instant the SLA states are taken at.
    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    /// Writes the random tickets straight into the store's file (the reader reads what is there) and
    /// reads them back as the reader returns them.
    static func world(_ f: StoreFixture, seed: UInt64) async throws -> (tickets: [Ticket], engineers: [UserID]) {
        var rng = SplitMix64(seed: seed)
        let e1 = try await f.account("Eve", .engineer)
        let e2 = try await f.account("Ed", .engineer)
        let engineers = [e1.id, e2.id]
        let db = try Connection(path: f.path)
        try SearchText.register(on: db)
        let insert = try db.prepare("""
            INSERT INTO tickets (description, category, category_source, category_confidence, status, opened_at, modified_at, closed_at,
                                 assignee_id, severity, severity_source, priority, priority_source, sla_version,
                                 sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at, sla_first_response_recorded,
                                 sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at, sla_resolution_recorded)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let version = try db.prepare("SELECT max(version) FROM sla_versions").queryFirst { $0.optionalInt64(at: 0) } ?? nil
        let n = now.millisecondsSinceEpoch
        /// A timer's (at risk, due, met) around `now`: every state, met or not.
        func timer(_ rng: inout SplitMix64) -> [SQLiteValue] {
            let due = n + Int64.random(in: -50_000...50_000, using: &rng)
            let atRisk = due - Int64.random(in: 0...40_000, using: &rng)
            let met: SQLiteValue = Bool.random(using: &rng) ? .null : .integer(min(n, atRisk + Int64.random(in: -20_000...60_000, using: &rng)))
            return [.integer(atRisk), .integer(due), met, .text("on_track")]
        }
        for i in 0..<400 {
            let status = Status.allCases.randomElement(using: &rng)!
            let opened = n - 1_000_000 + Int64.random(in: 0...300, using: &rng) * 7
            let source = Int.random(in: 0..<3, using: &rng) == 0 ? "staff" : "auto"
            let confidence: SQLiteValue = source == "auto" ? .real(Double(Int.random(in: 30...99, using: &rng)) / 100) : .null
            let severity = ([nil] + Severity.allCases.map(Optional.some)).randomElement(using: &rng)!
            let priority = severity == nil && Bool.random(using: &rng) ? nil : ([nil] + Priority.allCases.map(Optional.some)).randomElement(using: &rng)!
            let assignee: SQLiteValue = Int.random(in: 0..<3, using: &rng) == 0 ? .null : .integer(engineers.randomElement(using: &rng)!.rawValue)
            let timed = version != nil && Int.random(in: 0..<5, using: &rng) > 0
            var sla: [SQLiteValue] = timed ? [.integer(version!)] + timer(&rng) + timer(&rng) : Array(repeating: .null, count: 9)
            if timed && status == .closed, case .null = sla[7] { sla[7] = .integer(opened + 10) }
            let category: SQLiteValue = .text(Category.allCases.randomElement(using: &rng)!.rawValue)
            let closedAt: SQLiteValue = status == .closed ? .integer(opened + 10) : .null
            let severityValue: SQLiteValue = severity.map { .text($0.rawValue) } ?? .null
            let severitySource: SQLiteValue = severity == nil ? .null : .text("staff")
            let priorityValue: SQLiteValue = priority.map { .text($0.rawValue) } ?? .null
            let prioritySource: SQLiteValue = priority == nil ? .null : .text("staff")
            var row: [SQLiteValue] = [.text("ticket \(i)"), category, .text(source), confidence, .text(status.rawValue)]
            row += [.integer(opened), .integer(opened + 10), closedAt, assignee, severityValue, severitySource, priorityValue, prioritySource]
            try insert.execute(row + sla)
        }
        let reader = try TicketReader(path: f.path)
        let all = try await reader.list(TicketFilter(statuses: Set(Status.allCases), limit: 500)).tickets
        #expect(all.count == 400)
        return (all, engineers)
    }

    /// What `filter` should list, by brute force over `tickets`, in its order.
    static func expected(_ tickets: [Ticket], _ filter: TicketFilter) -> [TicketID] {
        let kept = tickets.filter { t in
            (filter.statuses.isEmpty || filter.statuses.contains(t.status))
                && (filter.category == nil || filter.category == t.category)
                && (filter.assigneeID == nil || filter.assigneeID == t.assigneeID)
                && (!filter.unassigned || t.assigneeID == nil)
                && (filter.severities.isEmpty || filter.severities.contains(t.severity))
                && (filter.priorities.isEmpty || filter.priorities.contains(t.priority))
                && (!filter.lowConfidence || (t.categorySource == .auto && (t.categoryConfidence ?? 1) < Classification.lowConfidenceThreshold))
                && (filter.sla == nil || t.sla?.state(now: filter.slaNow) == filter.sla)
        }
        typealias Key = (Int64, Int64, Int64)
        func opened(_ t: Ticket) -> Int64 { t.openedAt.millisecondsSinceEpoch }
        // Each order as an ascending key.
        let key: (Ticket) -> Key = switch filter.order {
        case .priority: { (Int64(TicketCursor.rank($0.priority)), opened($0), $0.id.rawValue) }
        case .newest: { (-opened($0), -$0.id.rawValue, 0) }
        case .oldest: { (opened($0), $0.id.rawValue, 0) }
        case .number: { ($0.id.rawValue, 0, 0) }
        case .numberDescending: { (-$0.id.rawValue, 0, 0) }
        case .activity: { (-$0.modifiedAt.millisecondsSinceEpoch, -$0.id.rawValue, 0) }
        case .activityAscending: { ($0.modifiedAt.millisecondsSinceEpoch, $0.id.rawValue, 0) }
        case .due: { (TicketSLA.nextDue(of: $0.sla), $0.id.rawValue, 0) }
        case .status: { (Int64(TicketOrder.rank($0.status)), -opened($0), -$0.id.rawValue) }
        }
        let sorted = kept.sorted { key($0) < key($1) }
        return sorted.map(\.id)
    }

    /// A random filter over every dimension the list offers (no text: the search branch's).
    static func randomFilter(_ rng: inout SplitMix64, engineers: [UserID]) -> TicketFilter {
        // The priority order half the time (staff's list), any other order otherwise.
        let order = Bool.random(using: &rng) ? .priority : TicketOrder.allCases.randomElement(using: &rng)!
        var f = TicketFilter(limit: Int.random(in: 1...9, using: &rng), order: order)
        let statusSets: [Set<Status>] = [[], [.open], [.active], [.closed], [.open, .active], [.open, .closed], [.active, .closed], Set(Status.allCases)]
        f.statuses = statusSets.randomElement(using: &rng)!
        if Bool.random(using: &rng) { f.category = Category.allCases.randomElement(using: &rng) }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: f.assigneeID = engineers.randomElement(using: &rng)
        case 1: f.unassigned = true
        default: break
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            f.severities = Set(([nil] + Severity.allCases.map(Optional.some)).filter { _ in Bool.random(using: &rng) })
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            f.priorities = Set(([nil] + Priority.allCases.map(Optional.some)).filter { _ in Bool.random(using: &rng) })
        }
        f.lowConfidence = Int.random(in: 0..<3, using: &rng) == 0
        if Int.random(in: 0..<2, using: &rng) == 0 {
            f.sla = SLAState.allCases.randomElement(using: &rng)
            f.slaNow = now
        }
        return f
    }

    @Test("every filter in every order lists what a brute-force filter and sort of the same tickets gives, page by page, and counts it")
    func oracle_EveryFilterMatchesBruteForce() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let (tickets, engineers) = try await Self.world(f, seed: 22)
        let reader = try TicketReader(path: f.path)
        // The data holds every SLA state and low-confidence tickets in every status.
        #expect(Set(tickets.compactMap { $0.sla?.state(now: Self.now) }) == Set(SLAState.allCases))
        #expect(Set(tickets.filter { $0.categorySource == .auto && ($0.categoryConfidence ?? 1) < 0.6 }.map(\.status)) == Set(Status.allCases))
        var rng = SplitMix64(seed: 2_026)
        var listed = 0
        for _ in 0..<400 {
            let filter = Self.randomFilter(&rng, engineers: engineers)
            let want = Self.expected(tickets, filter)
            if !want.isEmpty { listed += 1 }
            let got = try await PriorityListTests.walk(reader, filter)
            #expect(got == want, "\(filter)")
            let count = try await reader.count(filter)
            #expect(count.total == want.count, "\(filter)")
            // The last page (the ranges read backwards, then forwards from where they stop).
            let whole = want.count % filter.limit == 0 ? filter.limit : want.count % filter.limit
            let last = try await reader.withListRows(filter, from: .last, countingUpTo: 1_000) { rows, count in
                var ids: [TicketID] = []
                try rows.forEach { ids.append($0.id) }
                return (ids, count.before)
            }
            #expect(last.0 == Array(want.suffix(whole)), "last page of \(filter)")
            #expect(want.isEmpty || last.1 == want.count - whole, "last page of \(filter)")
        }
        // Most filters list something: the comparison is not of empty lists.
        #expect(listed > 200, "\(listed)")
    }
}
