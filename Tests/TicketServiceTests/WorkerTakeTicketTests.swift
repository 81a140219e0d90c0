import Foundation
import Testing
import Fixtures
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService

/// `take_ticket` in the ticket worker, commands sent straight to its queue: an engineer may give an
/// unassigned ticket to themselves and to nobody else; everything else about assignment is as the
/// rest of the table says (`WorkerPermissionTableTests` leaves this row to this suite, because
/// "to oneself" is a different command for each actor).
@Suite("take_ticket in the ticket worker", .onDedicatedThreads)
struct WorkerTakeTicketTests {
    @Test("an engineer takes an unassigned ticket; not for a peer, not one assigned to a peer, not back; a customer not at all")
    func engineerTakesOnlyForThemselves() async throws {
        let world = try TicketWorkerWorld(authMode: .accounts)
        defer { world.remove() }
        let client = try RequestClient(broker: world.broker, processName: "take-ticket")
        defer { client.close() }
        let operatorActor = Actor(role: .admin)

        try await world.running {
            func send(_ commands: [Command]) async throws -> [CommandReply] {
                var options = RequestClient.BulkOptions()
                options.giveUpAfter = TestTime.scaled(.seconds(60))
                let outcome = await client.send(commands, options: options)
                return try outcome.replies.enumerated().map { i, reply in try #require(reply, "no reply to \(commands[i].action.type)") }
            }
            let people = try await send([AccountFixture.operatorCreates("Eve", .engineer), AccountFixture.operatorCreates("Fay", .engineer),
                                         AccountFixture.operatorCreates("Cy", .customer)]).map { try #require($0.user) }
            let (eve, fay, cy) = (people[0], people[1], people[2])
            let tickets = try await send((0..<5).map { i in Command(actor: cy.actor, action: .createTicket(CreateTicket(description: "Case \(i)"))) })
                .map { try #require($0.ticket?.id) }
            #expect(try await send([Command(actor: operatorActor, action: .assignTicket(AssignTicket(ticketID: tickets[1], assigneeID: fay.id))),
                                    Command(actor: operatorActor, action: .assignTicket(AssignTicket(ticketID: tickets[2], assigneeID: eve.id)))])
                .allSatisfy(\.isApplied))

            let replies = try await send([
                Command(actor: eve.actor, action: .assignTicket(AssignTicket(ticketID: tickets[0], assigneeID: eve.id))),  // takes
                Command(actor: eve.actor, action: .assignTicket(AssignTicket(ticketID: tickets[3], assigneeID: fay.id))),  // gives away
                Command(actor: eve.actor, action: .assignTicket(AssignTicket(ticketID: tickets[1], assigneeID: eve.id))),  // Fay's
                Command(actor: eve.actor, action: .assignTicket(AssignTicket(ticketID: tickets[2], assigneeID: nil))),     // hands back
                Command(actor: cy.actor, action: .assignTicket(AssignTicket(ticketID: tickets[4], assigneeID: cy.id))),    // a customer
            ])
            #expect(replies[0].isApplied, "\(replies[0].refusal?.reason ?? "")")
            #expect(replies[0].ticket?.assigneeID == eve.id)
            for (i, reply) in replies.enumerated().dropFirst() {
                #expect(reply.refusal?.code == .forbidden, "command \(i): \(reply.refusal.map { "\($0.code)" } ?? "applied")")
            }
            #expect(replies[1].refusal?.reason == "An engineer may not assign ticket.")
            let reader = try TicketReader(path: world.dir.path("tickets.db"))
            #expect(try await reader.detail(tickets[3])?.ticket.assigneeID == nil)
            #expect(try await reader.detail(tickets[1])?.ticket.assigneeID == fay.id)
            #expect(try await reader.detail(tickets[2])?.ticket.assigneeID == eve.id)
        }
    }
}
