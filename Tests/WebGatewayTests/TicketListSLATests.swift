import Domain
import Foundation
import HTTPServer
import Testing
import TicketStore
@testable import WebGateway

/// The staff's list and SLA timers (issue 16): a badge per row in words, the `sla` filter in the
/// form and in every link the page writes, kept by a ticket page's way back. The world's clock
/// starts Sunday 2026-03-01 09:00 UTC; untriaged tickets run under P3 (first response at risk
/// Monday 12:00, due 13:00).
@Suite struct TicketListSLATests {
    static let monday1230 = Timestamp(millisecondsSinceEpoch: 1_772_454_600_000)
    static let monday1300 = Timestamp(millisecondsSinceEpoch: 1_772_456_400_000)

    /// The cell of row `id` that holds its SLA badge ("" when the row has none or is absent).
    static func badge(_ html: String, _ id: TicketID) -> String {
        guard let row = html.components(separatedBy: "<tr><td>#\(id.rawValue)</td>").dropFirst().first?.components(separatedBy: "</tr>").first else { return "absent" }
        guard let start = row.range(of: "<span class=\"sla ") else { return "" }
        let rest = row[start.upperBound...]
        return String(rest[(rest.range(of: "\">")?.upperBound ?? rest.startIndex)...].prefix { $0 != "<" })
    }

    @Test("staff rows show the SLA state in words at the page's clock; customers see no SLA column")
    func badges() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), al = try await world.account("Al", .agent)
        let answered = try await world.ticket(by: cy)
        let late = try await world.ticket(by: cy)
        let quiet = try await world.ticket(by: cy)
        _ = try await world.apply(al.actor, .postMessage(PostMessage(ticketID: answered.id, body: "On it")))
        _ = try await world.apply(al.actor, .changeStatus(ChangeStatus(ticketID: answered.id, status: .active)))
        _ = try await world.apply(al.actor, .changeStatus(ChangeStatus(ticketID: answered.id, status: .closed)))
        world.clock.set(Timestamp(millisecondsSinceEpoch: 1_772_452_800_000))  // Monday 12:00
        _ = try await world.apply(al.actor, .postMessage(PostMessage(ticketID: quiet.id, body: "Looking")))
        world.clock.set(Self.monday1230)
        var staff = await Browser.signedIn(world, al)
        let page = await staff.get("/tickets?sort=newest")
        #expect(page.status == .ok)
        let html = page.text
        #expect(HTMLCheck.problems(html) == [])
        #expect(html.contains("<th scope=\"col\">Priority</th><th scope=\"col\">SLA</th><th scope=\"col\">Severity</th>"))
        #expect(Self.badge(html, late.id) == "at risk" && Self.badge(html, quiet.id) == "on track" && Self.badge(html, answered.id) == "met")
        #expect(html.contains("<td class=\"muted\">None</td><td><span class=\"sla sla-at-risk\">at risk</span></td><td class=\"muted\">Not triaged</td>"))
        world.clock.set(Self.monday1300)
        staff = await Browser.signedIn(world, al)
        let later = await staff.get("/tickets").text
        #expect(Self.badge(later, late.id) == "breached" && Self.badge(later, quiet.id) == "on track")
        // The reporter's list has neither the column nor the filter.
        var reporter = await Browser.signedIn(world, cy)
        let own = await reporter.get("/tickets").text
        #expect(!own.contains("sla") && !own.contains(">SLA<"))
    }

    @Test("sla= filters the page, chosen in the form; the links, the rows' from= and the way back keep it; a bad value is 400")
    func filter() async throws {
        let world = try AccountsWorld()
        let cy = try await world.account("Cy", .customer), al = try await world.account("Al", .agent)
        var tickets: [Ticket] = []
        for i in 0..<3 { tickets.append(try await world.ticket(by: cy, "The projector in room \(i) flickers")) }
        _ = try await world.apply(al.actor, .postMessage(PostMessage(ticketID: tickets[0].id, body: "On it")))
        world.clock.set(Self.monday1300)
        var b = await Browser.signedIn(world, al)
        // Tickets 2 and 3 breached their first response; ticket 1 was answered and runs on.
        let first = await b.get("/tickets?sla=breached&limit=1")
        #expect(first.status == .ok)
        #expect(HTMLCheck.problems(first.text) == [])
        #expect(TicketListTriageTests.rowIDs(first.text) == [Int(tickets[1].id.rawValue)])
        #expect(first.text.contains("<h1>Open and active tickets, service target breached</h1>"))
        #expect(first.text.contains("<select id=\"filter-sla\" name=\"sla\">") && first.text.contains("<option value=\"breached\" selected>Breached</option>"))
        #expect(first.text.contains("Tickets 1–1 of 2 · page 1 of 2"))
        let next = try #require(TicketListPagingTests.link("Next page", in: first.text))
        #expect(next.hasPrefix("/tickets?sla=breached&limit=1&cursor="), "\(next)")
        #expect(TicketListPagingTests.link("Last page", in: first.text) == "/tickets?sla=breached&limit=1&page=last")
        let second = await b.get(next).text
        #expect(TicketListTriageTests.rowIDs(second) == [Int(tickets[2].id.rawValue)])
        #expect(TicketListPagingTests.link("Previous page", in: second) == "/tickets?sla=breached&limit=1")
        #expect(second.contains("<a href=\"/tickets/\(tickets[2].id)?from=sla%3Dbreached%26limit%3D1%26cursor%3D"))
        let onTrack = await b.get("/tickets?sla=on_track").text
        #expect(TicketListTriageTests.rowIDs(onTrack) == [Int(tickets[0].id.rawValue)])
        #expect(TicketListTriageTests.rowIDs(await b.get("/tickets?sla=").text).count == 3)
        // The ticket page's way back keeps `sla`; a value the list would refuse drops the whole query.
        let ticket = await b.get("/tickets/\(tickets[1].id)?from=" + FormDecoding.percentEncode("sla=breached&sort=newest")).text
        #expect(ticket.contains("<a href=\"/tickets?sla=breached&amp;sort=newest\">Back to the list</a>"))
        let dropped = await b.get("/tickets/\(tickets[1].id)?from=" + FormDecoding.percentEncode("sla=late")).text
        #expect(dropped.contains("<a href=\"/tickets\">Back to the list</a>"))
        #expect(await b.get("/tickets?sla=late").status == .badRequest)
        // Nothing matches: the empty result offers to clear the filters.
        let none = await b.get("/tickets?sla=met").text
        #expect(none.contains("No tickets match these filters."))
    }
}
