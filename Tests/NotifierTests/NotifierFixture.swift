import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Domain
import Logging
import SpoolBroker
import TestSupport
@testable import Notifier

/// The ticket and accounts a test's events are about, given as values (the store's read side is
/// tested in TicketStoreTests; here it is only the input to the audience).
struct FixedContext: TicketContext {
    var ticket: TicketSnapshot
    var users: [User]
    func context(for event: ChangeEvent) async throws -> (TicketSnapshot, AccountDirectory)? {
        event.ticketID == ticket.id ? (ticket, AccountDirectory(users)) : nil
    }
}

enum People {
    static let at = Timestamp(millisecondsSinceEpoch: 1_772_355_600_000)
    static let customer = User(id: UserID(1), name: "Zoë Customer", email: "zoe@campus.test", phone: "+41790000001", role: .customer, createdAt: at)
    static let agent = User(id: UserID(2), name: "Ann Agent", email: "ann@campus.test", phone: "+41790000002", role: .agent, createdAt: at)
    static let engineer = User(id: UserID(3), name: "Eve Engineer", email: "eve@campus.test", role: .engineer, createdAt: at)
    static let manager = User(id: UserID(4), name: "Max Manager", email: "max@campus.test", role: .manager, createdAt: at)
    static let all = [customer, agent, engineer, manager]

    static func ticket(priority: Priority? = .p3, assignee: UserID? = nil, description: String = "Wi-Fi down in the library") -> TicketSnapshot {
        TicketSnapshot(id: TicketID(42), description: description, status: .open, category: .it, priority: priority,
                       customerID: customer.id, assigneeID: assignee)
    }

    static func event(_ type: ChangeEventType, seq: Int64 = 1, before: TicketFacts? = nil, after: TicketFacts? = nil,
                      changes: [HistoryEntry]? = nil) -> ChangeEvent {
        let facts = TicketFacts(category: .it, status: .open, openedAt: at, closedAt: nil)
        var e = ChangeEvent(seq: SequenceNumber(seq), type: type, ticketID: TicketID(42), occurredAt: at,
                            before: type == .ticketOpened ? nil : (before ?? facts), after: after ?? facts)
        e.changes = changes
        return e
    }

    static func change(_ field: AuditField, by actor: User?, old: String?, new: String?) -> HistoryEntry {
        HistoryEntry(id: 1, ticketID: TicketID(42), changedAt: at, actorID: actor?.id, actorRole: actor?.role ?? .admin, actorName: actor?.name,
                     channel: .web, field: field, oldValue: old, newValue: new)
    }
}

/// A notifier over a spool in a temporary directory, its queue file and the given relay (nil: the Maildir mock).
struct NotifierRig {
    let dir: TemporaryDirectory
    let clock = TestClock(People.at)
    let queue: DeliveryQueue
    let outbox: Outbox
    let notifier: Notifier

    init(relay: SMTPRelay?, ticket: TicketSnapshot = People.ticket(), policy: DeliveryQueue.RetryPolicy = .init(maxAttempts: 3),
         settings: Notifier.Settings = .init(), webhook: Webhook? = nil, users: [User] = People.all) throws {
        dir = try TemporaryDirectory("notifier")
        let broker = try SpoolMessageBroker(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        outbox = try Outbox(directory: dir.path("outbox"))
        let dispatcher = Dispatcher(relay: relay, outbox: outbox, from: .init(name: "CampusDesk", email: "desk@campus.test"), webhook: webhook)
        notifier = try Notifier(broker: broker, queuePath: dir.path("notifications.db"), policy: policy, context: FixedContext(ticket: ticket, users: users),
                                dispatcher: dispatcher, clock: clock, logger: Logger(component: "notifier", minimumLevel: .error), settings: settings)
        // The test's own connection, as `campusdesk outbox` would have.
        queue = try DeliveryQueue(path: dir.path("notifications.db"), policy: policy)
    }

    /// The notifier restarted on the same queue file and spool, talking to `relay`.
    static func reopen(_ rig: NotifierRig, relay: SMTPRelay?, webhook: Webhook? = nil) throws -> Notifier {
        let broker = try SpoolMessageBroker(root: rig.dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let dispatcher = Dispatcher(relay: relay, outbox: rig.outbox, from: .init(name: "CampusDesk", email: "desk@campus.test"), webhook: webhook)
        return try Notifier(broker: broker, queuePath: rig.queue.path, policy: rig.queue.policy,
                            context: FixedContext(ticket: People.ticket(), users: People.all), dispatcher: dispatcher, clock: rig.clock,
                            logger: Logger(component: "notifier", minimumLevel: .error))
    }
}

/// A loopback port nothing listens on (bound, read, closed).
func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &addr) { p in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            try #require(bind(fd, sa, len) == 0)
            try #require(getsockname(fd, sa, &len) == 0)
        }
    }
    return UInt16(bigEndian: addr.sin_port)
}
