import Testing
import Domain
import Fixtures
import TicketStore
import TestSupport
@testable import Notifier

/// The notifier's read of a real ticket store (the ticket worker's file, read-only, as the process does).
@Suite struct TicketReaderContextTests {
    @Test func readsTheTicketAndItsPeople_FromTheStore() async throws {
        let fixture = try StoreFixture(authMode: .accounts)
        defer { fixture.dir.remove() }
        func account(_ name: String, _ role: Role) async throws -> User {
            let reply = try await fixture.store.apply([AccountFixture.operatorCreates(name, role)])[0]
            guard let user = reply.user else { throw DeliberateError() }
            return user
        }
        let customer = try await account("Zoe", .customer)
        let agent = try await account("Ann", .agent)
        let manager = try await account("Max", .manager)
        let reply = try await fixture.store.apply([Command(actor: customer.actor, action: .createTicket(CreateTicket(description: "Wi-Fi is down", preferredContactTime: "Mon-Fri 9:00 to 12:00")))])[0]
        let ticket = try #require(reply.ticket)
        let event = ChangeEvent(seq: SequenceNumber(9), type: .ticketOpened, ticketID: ticket.id, occurredAt: ticket.openedAt, before: nil,
                                after: TicketFacts(category: ticket.category, status: .open, openedAt: ticket.openedAt, closedAt: nil))
        let context = TicketReaderContext(reader: try TicketReader(path: fixture.path))
        let (snapshot, directory) = try #require(try await context.context(for: event))
        #expect(snapshot.customerID == customer.id)
        #expect(snapshot.description == "Wi-Fi is down")
        // The contact window as stored (canonical text), parsed for the schedule.
        #expect(snapshot.preferredContactTime?.text == "weekdays 09:00-12:00")
        #expect(directory.user(customer.id)?.email == "zoe@campus.example")
        #expect(directory.agentsOnDuty.map(\.id) == [agent.id])
        #expect(directory.managers.map(\.id) == [manager.id])
        let notices = Audience.notices(for: event, ticket: snapshot, directory: directory)
        #expect(notices.map(\.recipient.email) == ["zoe@campus.example"])
        // A ticket that is not there is nobody's business.
        var missing = event
        missing.ticketID = TicketID(999)
        #expect(try await context.context(for: missing) == nil)
    }

    @Test func configuration_ReadsTheRelayAndRefusesNonsense() throws {
        let config = try NotifierConfiguration.fromEnvironment(["CAMPUSDESK_SMTP": "mail.campus.test:2525", "CAMPUSDESK_SMTP_USER": "desk",
                                                                "CAMPUSDESK_SMTP_PASSWORD": "pw", "CAMPUSDESK_MAIL_FROM": "desk@campus.test"])
        #expect(config.relay?.host == "mail.campus.test")
        #expect(config.relay?.port == 2525)
        #expect(config.relay?.username == "desk")
        #expect(config.from == "desk@campus.test")
        #expect(try NotifierConfiguration.fromEnvironment([:]).relay == nil)
        #expect(SMTPRelay(parsing: "[::1]:25")?.host == "::1")
        #expect(throws: NotifierConfiguration.Invalid.self) { try NotifierConfiguration.fromEnvironment(["CAMPUSDESK_SMTP": "nohost"]) }
        #expect(throws: NotifierConfiguration.Invalid.self) { try NotifierConfiguration.fromEnvironment(["CAMPUSDESK_MAIL_FROM": "A <a@b>"]) }
    }
}
