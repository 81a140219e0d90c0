import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `TicketStore(replicating: true)`'s row-image batches and `TicketReplica`: a replica that applies
/// them holds the writer's rows (docs/nats.md, "Gateways on other machines").
@Suite struct ReplicaTests {
    struct World {
        let dir: TemporaryDirectory
        let clock = TestClock()
        let store: TicketStore
        let replica: TicketReplica
        var writerPath: String { dir.path("worker/tickets.db") }
        var replicaPath: String { dir.path("gateway/tickets.db") }

        init(replicating: Bool = true) throws {
            dir = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: dir.path("worker"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir.path("gateway"), withIntermediateDirectories: true)
            store = try TicketStore(path: dir.path("worker/tickets.db"), classifier: KeywordClassifier(), clock: clock,
                                    authMode: .accounts, replicating: replicating)
            replica = try TicketReplica(path: dir.path("gateway/tickets.db"))
        }

        /// Moves every batch from the writer's outbox into the replica, in order; returns how many.
        @discardableResult
        func ship() async throws -> Int {
            let batches = try await store.unpublishedReplication(limit: 10_000)
            for batch in batches { #expect(try replica.apply(batch) == .applied) }
            if let last = batches.last { try await store.pruneReplication(through: last.seq) }
            return batches.count
        }
    }

    /// Every row of every replicated table, as text, in key order.
    static func rows(_ path: String) throws -> [String] {
        let db = try Connection(path: path, mode: .readOnly)
        var rows: [String] = []
        for table in ReplicatedTable.all {
            rows += try db.prepare("SELECT * FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))").query { s in
                table.name + ":" + (0..<Int32(s.columnCount)).map { i in
                    switch s.value(at: i) {
                    case .null: "NULL"
                    case .integer(let v): "i\(v)"
                    case .real(let v): "r\(v)"
                    case .text(let v): "t\(v)"
                    case .blob(let v): "b\(v.count):\(v.hashValue)"
                    }
                }.joined(separator: "|")
            }
        }
        return rows
    }

    /// What a full-text search finds, by key, for each word.
    static func matches(_ path: String, _ words: [String]) throws -> [String: [Int64]] {
        let db = try Connection(path: path, mode: .readOnly)
        var found: [String: [Int64]] = [:]
        for word in words {
            found[word] = try db.prepare("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid").query([.text(word)]) { $0.int64(at: 0) }
        }
        return found
    }

    static let words = ["door", "projector", "wifi", "heating", "printer", "leak", "hall", "library", "broken", "noisy"]

    @Test("after a random mix of commands, the replica holds the writer's rows in every replicated table and finds the same tickets")
    func randomMix_IdenticalRows() async throws {
        let w = try World()
        defer { w.dir.remove() }
        var random = SplitMix64(seed: 19)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func text() -> String { "\(pick(Self.words)) \(pick(Self.words)) in \(pick(["hall B", "room 12", "the library"]))" }

        let admin = Actor(role: .admin)
        var users: [User] = []
        for (name, role) in [("Ana", Role.customer), ("Agnes", .agent), ("Max", .manager), ("Eli", .engineer), ("Eva", .engineer)] {
            users.append(try #require(try await w.store.apply([AccountFixture.operatorCreates(name, role)])[0].user))
        }
        let (customer, agent, manager) = (users[0].actor, users[1].actor, users[2].actor)
        let engineers = [users[3], users[4]]
        var tickets: [TicketID] = []
        #expect(try await w.ship() == 6)  // everything at open (SLA version 1, issue types), then five accounts

        for round in 0..<40 {
            var batch: [Command] = []
            for _ in 0..<(1 + Int(random.next() % 12)) {
                w.clock.advance(by: .seconds(Int64(random.next() % 90)))
                let action: CommandAction
                let actor: Actor
                switch (tickets.isEmpty ? 0 : random.next() % 11) {
                case 0, 1:
                    (actor, action) = (customer, .createTicket(CreateTicket(description: text(), location: pick([nil, "Hall B"]))))
                case 2:
                    (actor, action) = (agent, .importTicket(ImportTicket(description: text(), status: pick([.open, .active]), openedAt: w.clock.now())))
                case 3:
                    (actor, action) = (agent, .changeStatus(ChangeStatus(ticketID: pick(tickets), status: pick([.active, .closed, .open]), reason: "checked")))
                case 4:
                    (actor, action) = (pick([customer, agent]), .postMessage(PostMessage(ticketID: pick(tickets), body: text())))
                case 5:
                    (actor, action) = (agent, .assignTicket(AssignTicket(ticketID: pick(tickets), assigneeID: pick(engineers).id)))
                case 6:
                    (actor, action) = (agent, .editTicket(EditTicket(ticketID: pick(tickets), description: text())))
                case 7:
                    (actor, action) = (agent, .setTriage(SetTriage(ticketID: pick(tickets), priority: .pinned(pick([.p1, .p2, .p3])))))
                case 8:
                    var policies = SLAPolicies.default.policies
                    policies[0].resolution = SLATarget(.minutes(Int(30 + random.next() % 300)), clock: .aroundTheClock)
                    (actor, action) = (manager, .setSLAPolicies(SetSLAPolicies(policies: try SLAPolicies(policies))))
                case 9:
                    (actor, action) = (customer, .followTicket(FollowTicket(ticketID: pick(tickets))))
                default:
                    (actor, action) = (agent, .setCategory(SetCategory(ticketID: pick(tickets), category: pick([.it, .facility, .services]))))
                }
                batch.append(Command(actor: actor, action: action))
            }
            if round == 10 { batch.append(Command(role: .admin, action: .updateUser(UpdateUser(userID: users[4].id, active: false)))) }
            if round == 20 { batch.append(Command(actor: admin, action: .updateUser(UpdateUser(userID: users[4].id, active: true)))) }
            let replies = try await w.store.apply(batch)
            tickets += replies.compactMap { $0.refusal == nil && $0.ticket.map { t in !tickets.contains(t.id) } == true ? $0.ticket?.id : nil }
            if round % 7 == 3 { try await w.store.indexSearchBacklog(limit: 5) }
            if round % 5 == 0 { try await w.ship() }
        }
        try await w.store.indexSearchBacklog(limit: 10_000)
        try await w.ship()

        #expect(tickets.count > 20)
        let writer = try Self.rows(w.writerPath)
        #expect(writer.count > 200)
        #expect(try Self.rows(w.replicaPath) == writer)
        let found = try Self.matches(w.writerPath, Self.words)
        #expect(found.values.filter { !$0.isEmpty }.count == Self.words.count)
        #expect(try Self.matches(w.replicaPath, Self.words) == found)
        // The filter words (migration 22) follow category and priority changes on the replica too.
        let filterWords = ["filters : categoryit", "filters : categoryfacility", "filters : categoryservices", "filters : priority1",
                           "filters : priority3", "filters : priority5", "projector AND filters : categoryit",
                           // The compound tokens (category and word) follow category changes and edits too.
                           "filters : citxprojector", "filters : cfacilityxprojector", "filters : cservicesxdoor", "filters : citxlibrary",
                           "filters : cfacilityxhall AND filters : cfacilityxbroken", "filters : cservicesxle*"]
        let filtered = try Self.matches(w.writerPath, filterWords)
        #expect(filtered.values.filter { !$0.isEmpty }.count >= 10)
        #expect(try Self.matches(w.replicaPath, filterWords) == filtered)
        try Connection(path: w.replicaPath).execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 0)")
        #expect(try await w.replica.appliedSeq == w.store.lastReplicationSeq)
        // What the gateway reads: the same detail through a TicketReader on each file.
        let reader = try TicketReader(path: w.replicaPath)
        for id in tickets.prefix(10) { #expect(try await reader.detail(id) == TicketReader(path: w.writerPath).detail(id)) }
    }

    @Test("a redelivered batch changes nothing; a missing one stops the replica with a gap and applies nothing")
    func duplicateAndGap() async throws {
        let w = try World()
        defer { w.dir.remove() }
        _ = try await w.store.apply([AccountFixture.operatorCreates("Ana", .customer)])
        let ana = try #require(try await w.store.apply([AccountFixture.operatorCreates("Bo", .customer)])[0].user)
        _ = try await w.store.apply([Command(actor: ana.actor, action: .createTicket(CreateTicket(description: "Broken door")))])
        let batches = try await w.store.unpublishedReplication(limit: 10)
        #expect(batches.map(\.seq) == [1, 2, 3, 4])
        #expect(try w.replica.apply(batches[0]) == .applied)
        #expect(try w.replica.apply(batches[0]) == .duplicate)
        #expect(throws: TicketReplica.ReplicaError.gap(expected: 2, received: 3)) { try w.replica.apply(batches[2]) }
        #expect(try w.replica.appliedSeq == 1)
        for batch in batches.dropFirst() { try w.replica.apply(batch) }
        #expect(try Self.rows(w.replicaPath) == Self.rows(w.writerPath))
    }

    @Test("an empty replica refuses a first batch without the whole file (seed it from a backup); a seeded one continues after the backup's batch")
    func firstBatchWithoutSnapshot() async throws {
        let w = try World()
        defer { w.dir.remove() }
        let partial = ReplicationBatch(seq: 1, images: RowImages.encode([RowImage(table: "status_counts", key: [.text("open")], row: [.text("open"), .integer(1)])]))
        #expect(throws: TicketReplica.ReplicaError.needsSeed) { try w.replica.apply(partial) }
        #expect(try w.replica.appliedSeq == 0)

        _ = try await w.store.apply([AccountFixture.operatorCreates("Ana", .customer)])
        let ana = try #require(try await w.store.apply([AccountFixture.operatorCreates("Bo", .customer)])[0].user)
        _ = try await w.store.apply([Command(actor: ana.actor, action: .createTicket(CreateTicket(description: "Broken door")))])
        // `campusdesk backup` copies the file with the SQLite backup API; so does this.
        let seedPath = w.dir.path("seeded.db")
        try Connection(path: w.writerPath).backup(toFile: seedPath)
        let seeded = try TicketReplica(path: seedPath)
        #expect(try seeded.appliedSeq == 4)
        _ = try await w.store.apply([Command(actor: ana.actor, action: .createTicket(CreateTicket(description: "Leaking tap")))])
        for batch in try await w.store.unpublishedReplication(limit: 10) { try seeded.apply(batch) }
        #expect(try seeded.appliedSeq == 5)
        #expect(try Self.rows(seedPath) == Self.rows(w.writerPath))
    }

    @Test("a store that does not replicate writes no batches")
    func notReplicating() async throws {
        let w = try World(replicating: false)
        defer { w.dir.remove() }
        _ = try await w.store.apply([AccountFixture.operatorCreates("Ana", .customer)])
        #expect(try await w.store.unpublishedReplication(limit: 10).isEmpty)
        #expect(try await w.store.lastReplicationSeq == 0)
    }

    @Test("row images survive encoding: every storage class, empty text and blob, deletes")
    func rowImageCoding() throws {
        let images = [
            RowImage(table: "tickets", key: [.integer(-5)], row: [.null, .integer(.max), .real(-0.25), .text("café ✓"), .text(""), .blob([]), .blob([0, 255])]),
            RowImage(table: "ticket_followers", key: [.integer(1), .text("x")], row: nil),
        ]
        #expect(try RowImages.decode(RowImages.encode(images)) == images)
        #expect(throws: SQLiteError.self) { try RowImages.decode(Array(RowImages.encode(images).dropLast())) }
    }
}
