import Testing
import Domain
@testable import Notifier

@Suite struct AudienceTests {
    let directory = AccountDirectory(People.all)

    func who(_ event: ChangeEvent, _ ticket: TicketSnapshot = People.ticket()) -> Set<String> {
        Set(Audience.notices(for: event, ticket: ticket, directory: directory).map { "\($0.recipient.key)/\($0.channel.rawValue)" })
    }

    @Test func created_TellsTheReporter_AndAgentsOnDutyOnlyForP1P2() {
        #expect(who(People.event(.ticketOpened)) == ["user:1/email"])
        #expect(who(People.event(.ticketOpened), People.ticket(priority: .p1)) == ["user:1/email", "user:1/sms", "user:2/email", "user:2/sms"])
    }

    @Test func assigned_TellsTheEngineer_NotWhenTheyTookItThemselves() {
        let byAgent = People.event(.ticketAssigned, changes: [People.change(.assignee, by: People.agent, old: nil, new: "3")])
        #expect(who(byAgent) == ["user:3/email"])
        let bySelf = People.event(.ticketAssigned, changes: [People.change(.assignee, by: People.engineer, old: nil, new: "3")])
        #expect(who(bySelf).isEmpty)
    }

    @Test func statusChanged_TellsTheReporter_UnlessTheyDidIt() {
        let closed = TicketFacts(category: .it, status: .closed, openedAt: People.at, closedAt: People.at)
        #expect(who(People.event(.statusChanged, after: closed, changes: [People.change(.status, by: People.agent, old: "open", new: "closed")]))
                == ["user:1/email"])
        #expect(who(People.event(.statusChanged, after: closed, changes: [People.change(.status, by: People.customer, old: "open", new: "closed")]))
                .isEmpty)
    }

    @Test func message_GoesToTheOtherSide() {
        var fromCustomer = People.ticket(assignee: People.engineer.id)
        fromCustomer.lastMessageAuthorRole = .customer
        #expect(who(People.event(.messagePosted), fromCustomer) == ["user:3/email"])
        var unassigned = People.ticket()
        unassigned.lastMessageAuthorRole = .customer
        #expect(who(People.event(.messagePosted), unassigned) == ["user:2/email"])
        var fromStaff = People.ticket(assignee: People.engineer.id)
        fromStaff.lastMessageAuthorRole = .engineer
        #expect(who(People.event(.messagePosted), fromStaff) == ["user:1/email"])
    }

    @Test func sla_TellsAssigneeAndManagers_BreachIsUrgent() {
        func sla(_ state: SLAState) -> TicketSLA {
            let d = SLADeadlines(atRisk: People.at, due: People.at)
            return TicketSLA(policyVersion: 1, firstResponse: SLATimer(deadlines: d, recorded: state), resolution: SLATimer(deadlines: d))
        }
        func facts(_ s: SLAState) -> TicketFacts { TicketFacts(category: .it, status: .open, openedAt: People.at, closedAt: nil, sla: sla(s)) }
        let ticket = People.ticket(assignee: People.engineer.id)
        #expect(who(People.event(.slaChanged, before: facts(.onTrack), after: facts(.atRisk)), ticket) == ["user:3/email", "user:4/email"])
        let breached = Audience.notices(for: People.event(.slaChanged, before: facts(.atRisk), after: facts(.breached)), ticket: ticket, directory: directory)
        #expect(breached.allSatisfy { $0.kind == .slaBreached && $0.urgent })
    }

    @Test func edits_TellNobody_AndACampusReporterIsReachedByTheirContact() {
        #expect(who(People.event(.ticketEdited)).isEmpty)
        var campus = People.ticket()
        campus.customerID = nil
        campus.contactEmail = "Visitor@Campus.test"
        #expect(who(People.event(.ticketOpened), campus) == ["contact:visitor@campus.test/email"])
    }

    @Test func templates_CarryNumberExcerptStatusAndLink() {
        let text = Templates.render(.ticketCreated, ticket: People.ticket(description: String(repeating: "long ", count: 100)),
                                    baseURL: "https://desk.campus.test/")
        #expect(text.subject == "Ticket #42 has been created")
        #expect(text.body.contains("Ticket #42 has been created (IT, P3)."))
        #expect(text.body.contains("Status: open\n"))
        #expect(text.body.contains("Link: https://desk.campus.test/tickets/42\n"))
        #expect(text.body.contains("…"))
    }
}
