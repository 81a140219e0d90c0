import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `TicketFilter.unassigned` in the list query: the right tickets page by page, in every branch of
/// the SQL, and a plan that walks the status-and-category index (no sort, no new index).
@Suite struct QueueListPlanTests {
    @Test("unassigned lists exactly the tickets without an assignee, alone and with status, category, text and a customer")
    func list_Unassigned() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let w = try await ReaderAccountsTests().world(f)
        let reader = try TicketReader(path: f.path)
        let newestFirst = w.tickets.sorted { ($0.openedAt, $0.id) > ($1.openedAt, $1.id) }
        let filters: [TicketFilter] = [
            TicketFilter(limit: 6, unassigned: true),
            TicketFilter(statuses: [.open, .active], limit: 4, unassigned: true),
            TicketFilter(statuses: [.closed], limit: 2, unassigned: true),
            TicketFilter(category: .it, limit: 3, unassigned: true),
            TicketFilter(text: "wifi", limit: 3, unassigned: true),
            TicketFilter(limit: 3, customerID: w.ana.id, unassigned: true),
            TicketFilter(limit: 3, assigneeID: w.e1.id, unassigned: true),
        ]
        for filter in filters {
            let expected = newestFirst.filter { t in
                t.assigneeID == nil && (filter.customerID.map { t.customerID == $0 } ?? true) && (filter.assigneeID.map { t.assigneeID == $0 } ?? true)
                    && (filter.statuses.isEmpty || filter.statuses.contains(t.status)) && (filter.category.map { t.category == $0 } ?? true)
                    && (filter.text.map { t.description.hasPrefix($0) } ?? true)
            }.map(\.id)
            #expect(filter.assigneeID == nil ? !expected.isEmpty : expected.isEmpty, "\(filter)")
            #expect(try await StorageTicketReaderTests.walk(reader, filter) == expected, "\(filter)")
            let rows = try await reader.withListRows(filter) { rows in
                var ids: [TicketID] = []
                try rows.forEach { ids.append($0.id) }
                return ids
            }
            #expect(rows == Array(expected.prefix(filter.limit)), "\(filter)")
        }
    }

    @Test("the unassigned queue walks tickets_by_status_category_opened, one range per pair, without a sort")
    func list_UnassignedPlan() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await ReaderAccountsTests().world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        for filter in [TicketFilter(statuses: [.open, .active], unassigned: true), TicketFilter(unassigned: true),
                       TicketFilter(statuses: [.open], category: .it, unassigned: true)] {
            let (statement, values) = try TicketReader.listStatement(db, filter, columns: TicketReader.ticketColumns)
            #expect(statement.sql.contains("assignee_id IS NULL"))
            let plan = try db.prepare("EXPLAIN QUERY PLAN " + statement.sql).query(values) { $0.text(at: 3) }.joined(separator: "; ")
            #expect(plan.contains("tickets_by_status_category_opened") && !plan.contains("tickets_by_assignee"), "\(plan)")
            // The inner ranges come in index order; only the merge of the few ranges sorts (as for any status filter).
            #expect(!plan.contains("SCAN tickets"), "\(plan)")
        }
    }
}
