import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import TicketStore
@testable import TicketService

/// The ticket worker's background full-text pass over imported tickets (the pass itself is tested in TicketStoreTests).
@Suite(.onDedicatedThreads) struct TicketWorkerSearchTests {
    @Test("the ticket worker indexes the imported tickets when the commands queue is idle, and counts them")
    func worker_IndexesBacklogWhenIdle() async throws {
        var settings = TicketWorker.Settings()
        settings.searchChunk = 7
        let world = try TicketWorkerWorld(settings: settings)
        defer { world.remove() }
        let base = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        let imports = (0..<30).map { StoreFixture.importing("gutter blocked \($0)", openedAt: base.adding(milliseconds: Int64($0) * 1_000)) }
        let path = world.dir.path("tickets.db")
        let found = try await world.running {
            try world.commands.send(batch: try imports.map { try TicketWorkerWorld.envelope($0) })
            try world.commands.send(batch: [try TicketWorkerWorld.envelope(TicketWorkerWorld.create("gutter overflowing now"))])
            var found: [TicketID] = []
            try await eventually("31 tickets found by \"gutter\"", within: .seconds(30)) { lastSeen in
                found = try await StoreFixture.search(path, "gutter")
                lastSeen = "\(found.count) found"
                return found.count == 31
            }
            return found
        }
        #expect(found.count == 31)
        #expect(try await world.store.searchBacklog == 0)
        #expect(await world.worker.counters.ticketsSearchIndexed == 30)
    }
}
