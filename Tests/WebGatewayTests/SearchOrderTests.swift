import Domain
import Testing
@testable import WebGateway

/// A search is newest first on the list page for everyone (issue 22): FTS5 reads its matches in
/// that order and stops at the page; staff without words keep the work queue's priority order,
/// and `sort` still chooses.
@Suite struct SearchOrderTests {
    @Test func search_IsNewestFirstUnlessSortSaysOtherwise() throws {
        let staff = Actor(role: .agent)
        let q = { (s: String) throws -> FormFields in try FormDecoding.decodeQuery(s) }
        #expect(TicketListQuery.pageOrder(staff, query: try q("")) == .priority)
        #expect(TicketListQuery.pageOrder(staff, query: try q("q=+++")) == .priority)
        #expect(TicketListQuery.pageOrder(staff, query: try q("q=projector")) == .newest)
        #expect(TicketListQuery.pageOrder(Actor(role: .customer), query: try q("q=projector")) == .newest)
        let fields = try q("q=projector")
        let filter = try TicketListQuery.filter(from: fields, role: .agent, defaultOrder: TicketListQuery.pageOrder(staff, query: fields))
        #expect(filter.order == .newest && filter.statuses.isEmpty && filter.text == "projector")
        let chosen = try q("q=projector&sort=priority")
        let sorted = try TicketListQuery.filter(from: chosen, role: .agent, defaultOrder: TicketListQuery.pageOrder(staff, query: chosen))
        #expect(sorted.order == .priority && sorted.statuses == [.open, .active])
    }
}
