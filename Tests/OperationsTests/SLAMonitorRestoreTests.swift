import Foundation
import Testing
import Fixtures
import TestSupport
import Logging
@testable import Domain
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService
@testable import SLAMonitor
@testable import Operations

/// The SLA monitor's state across a backup and a restore (docs/operations.md, "Restore"): the
/// backup leaves `sla-monitor.state` out on purpose, the restore moves the old one aside with the
/// databases, and the monitor started on the restored data rebuilds every timer by replay.
@Suite(.onDedicatedThreads) struct SLAMonitorRestoreTests {
    /// A few tickets in every SLA situation: both timers running, first response met, closed
    /// (both met); returns the last one's id.
    static func work(_ store: TicketStore, round: Int) async throws {
        var ids: [TicketID] = []
        for i in 0..<4 {
            let reply = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "Flickering light \(round)-\(i) in hall C")))])
            ids.append(try #require(reply.first?.ticket?.id))
        }
        _ = try await store.apply([Command(role: .agent, action: .postMessage(PostMessage(ticketID: ids[1], body: "On our way")))])
        _ = try await store.apply([Command(role: .agent, action: .changeStatus(ChangeStatus(ticketID: ids[2], status: .active)))])
        _ = try await store.apply([Command(role: .agent, action: .changeStatus(ChangeStatus(ticketID: ids[2], status: .closed)))])
    }

    /// The monitor's state as it follows `store`: every event applied, saved where the monitor keeps it.
    static func follow(_ store: TicketStore, into state: inout SLAMonitorState, savingTo path: String) async throws {
        while true {
            let events = try await store.events(from: state.lastSeq.next, limit: 500)
            if events.isEmpty { break }
            state.apply(events)
        }
        try SLAStateFile.save(state, to: path)
    }

    /// Each running timer's next transition, as a set (the heap's order is its own business).
    static func timers(_ state: SLAMonitorState) -> Set<PendingTransition> { Set(state.timers.entries) }

    @Test("backup leaves sla-monitor.state out; after the runbook's restore the monitor rebuilds by replay and reaches the backup's timers")
    func restore_RebuildsMonitorState() async throws {
        let dir = try TemporaryDirectory("sla-restore")
        defer { dir.remove() }
        let data = dir.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let statePath = SLAStateFile.path(inDataDirectory: data)
        let clock = TestClock()

        // The live system: tickets, and the monitor's state following them.
        var live = SLAMonitorState()
        let expected: (timers: Set<PendingTransition>, lastSeq: SequenceNumber)
        do {
            let store = try TicketStore(path: (data as NSString).appendingPathComponent("tickets.db"), classifier: KeywordClassifier(), clock: clock)
            try await Self.work(store, round: 1)
            try await Self.follow(store, into: &live, savingTo: statePath)
            expected = (Self.timers(live), live.lastSeq)
            #expect(!expected.timers.isEmpty && expected.lastSeq > .zero)

            // The backup: the databases, never the monitor's state.
            let manifest = try Backup(dataDirectory: data).run(into: dir.path("backup"))
            #expect(!manifest.entries.map(\.file).contains("sla-monitor.state"))
            #expect(!FileManager.default.fileExists(atPath: dir.path("backup/sla-monitor.state")))
            #expect(manifest.entries.last?.lastSeq == expected.lastSeq)

            // Life goes on after the backup: the state moves ahead of what the backup holds.
            clock.advance(by: .seconds(60))
            try await Self.work(store, round: 2)
            try await Self.follow(store, into: &live, savingTo: statePath)
            #expect(live.lastSeq > expected.lastSeq)
        }

        // The restore, as docs/operations.md says: everything stopped, the databases and the
        // monitor's state moved aside, `tickets.db` copied back, the `events.*` queues empty (a new spool).
        let aside = dir.path("data.damaged")
        try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: data)
        where name.hasPrefix("tickets.db") || name.hasPrefix("analytics-") || name.hasPrefix("sla-monitor.state") {
            try FileManager.default.moveItem(atPath: (data as NSString).appendingPathComponent(name), toPath: (aside as NSString).appendingPathComponent(name))
        }
        try FileManager.default.copyItem(atPath: dir.path("backup/tickets.db"), toPath: (data as NSString).appendingPathComponent("tickets.db"))
        #expect(!FileManager.default.fileExists(atPath: statePath))

        // Start: the ticket worker on the restored store, the monitor with no state file.
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let broker = SpoolMessageBroker(spool: spool)
        let store = try TicketStore(path: (data as NSString).appendingPathComponent("tickets.db"), classifier: KeywordClassifier(), clock: clock)
        let quiet = Logger(component: "test", minimumLevel: .error)
        var settings = SLAMonitor.Settings()
        settings.maxWait = .milliseconds(20)
        let monitor = try SLAMonitor(broker: broker, statePath: statePath, clock: clock, logger: quiet, settings: settings)
        let worker = try TicketWorker(store: store, broker: broker, clock: clock, logger: quiet)
        let stop = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isSet }) }
            group.addTask { try await monitor.run(shouldStop: { stop.isSet }) }
            defer { stop.set() }
            try await eventually("the monitor caught up with the restored store by replay") {
                await monitor.lastSeq == expected.lastSeq
            }
            stop.set()
            try await group.waitForAll()
        }
        // What it saved on stopping: exactly the timers the monitor had when the backup was taken,
        // and the same as the restored tickets' own timers.
        let rebuilt = try SLAStateFile.load(from: statePath)
        #expect(rebuilt.lastSeq == expected.lastSeq)
        #expect(Self.timers(rebuilt) == expected.timers)
        let db = try Connection(path: (data as NSString).appendingPathComponent("tickets.db"), mode: .readOnly)
        let fromTickets = try db.prepare("SELECT id, \(TicketSLA.columns) FROM tickets WHERE sla_version IS NOT NULL").query([]) { s in
            let id = TicketID(s.int64(at: 0))
            let sla = try #require(try TicketSLA(row: s, offset: 1))
            return SLATimerKind.allCases.compactMap { PendingTransition(ticket: id, kind: $0, timer: sla[$0]) }
        }
        #expect(Set(fromTickets.flatMap { $0 }) == expected.timers)
        #expect(await monitor.sent == 0)
    }
}
