import Foundation
import Testing
import Fixtures
import TestSupport
@testable import Domain
@testable import Logging
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService
#if canImport(Glibc)
import Glibc
#endif

/// The ticket worker in-process, on a real spool and a real SQLite file per test.
@Suite("Ticket worker", .onDedicatedThreads)
struct TicketWorkerTests {
    @Test("a command sent through the RequestClient gets the stored reply; events arrive in seq order")
    func replies_AndEventsInOrder() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let requester = try RequestClient(broker: world.broker, processName: "test")
        defer { requester.close() }
        let (first, second) = try await world.running {
            let first = try await requester.request(try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Wifi down in room 4")),
                                                    to: .commands, timeout: .seconds(20))
            // A batch of 40 more in one file, without reply_to.
            try world.commands.send(batch: (0..<40).map { try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Broken chair \($0)")) })
            let refused = Command(role: .customer, action: .changeStatus(ChangeStatus(ticketID: TicketID(1), status: .active)))
            let second = try await requester.request(try TicketWorkerWorld.envelope(refused), to: .commands, timeout: .seconds(20))
            return (first, second)
        }
        #expect(first.type == TicketWorkerMessageType.commandReply)
        let reply = try first.decodeBody(CommandReply.self)
        #expect(reply.isApplied)
        #expect(reply.ticket?.id == TicketID(1))
        #expect(reply.ticket?.category == .it)
        let refusal = try second.decodeBody(CommandReply.self).refusal
        #expect(refusal?.code == .forbidden)

        let events = try await world.collectEvents(41)
        #expect(events.map(\.seq.rawValue) == Array(1...41))
        #expect(events.allSatisfy { $0.type == .ticketOpened })
        #expect(try await world.store.publishedThrough == SequenceNumber(41))
        #expect(try world.count("tickets") == 41)
        #expect(try world.commands.stats().waiting == 0)
        #expect(try world.commands.stats().claimed == 0)
    }

    @Test("replies of one batch go out as one file per reply queue, in batch order; a vanished reply queue is skipped")
    func replies_OneFilePerQueueAndBatch() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let a = try QueueName("reply.test-a.1")
        let b = try QueueName("reply.test-b.2")
        let gone = try QueueName("reply.test-gone.3")
        _ = try world.spool.queue(a)
        _ = try world.spool.queue(b)
        let targets = [a, b, a, gone, b, a]
        let now = SystemClock().now()
        // One file of six commands: the worker claims and commits them as one batch.
        try world.commands.send(batch: try targets.enumerated().map { i, q in
            try Envelope(type: TicketWorkerMessageType.command, body: TicketWorkerWorld.create("Broken lamp \(i)"),
                         replyTo: q, correlationID: "c\(i)", sentAt: now)
        })
        try await world.running {
            try await eventually("3 replies in \(a.rawValue) and 2 in \(b.rawValue)") { lastSeen in
                let waiting = (try world.spool.queue(a).stats().waiting, try world.spool.queue(b).stats().waiting)
                lastSeen = "\(waiting)"
                return waiting == (3, 2)
            }
        }
        for (queue, expected) in [(a, ["c0", "c2", "c5"]), (b, ["c1", "c4"])] {
            let files = try FileManager.default.contentsOfDirectory(atPath: world.dir.path("spool/queues/\(queue.rawValue)/new"))
            #expect(files.count == 1)
            let replies = try world.spool.queue(queue).claim(max: 10)
            #expect(replies.map(\.envelope.correlationID) == expected)
            #expect(replies.allSatisfy { $0.envelope.type == TicketWorkerMessageType.commandReply })
            #expect(try replies.allSatisfy { try $0.envelope.decodeBody(CommandReply.self).isApplied })
        }
        #expect(!world.spool.queueExists(gone))
        #expect(try world.count("tickets") == 6)
        #expect(try world.commands.stats().waiting == 0)
        #expect(try world.commands.stats().claimed == 0)
    }

    @Test("an import_ticket from the import tools (channel import) is answered without its ticket, others with it; the stored reply keeps it")
    func importReplies_CarryNoTicketOnTheImportChannel() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let q = try QueueName("reply.test-import.1")
        _ = try world.spool.queue(q)
        let opened = SystemClock().now().adding(milliseconds: -60_000)
        let fromTool = Command(id: CommandID("import-run-2"), role: .admin,
                               action: .importTicket(ImportTicket(description: "Old lamp", status: .open, openedAt: opened)), channel: .import)
        let fromElsewhere = Command(id: CommandID("import-other-3"), role: .admin,
                                    action: .importTicket(ImportTicket(description: "Old tap", status: .open, openedAt: opened)))
        let now = SystemClock().now()
        // The tool's command twice: the second is a redelivery, answered from the stored reply.
        let commands = [fromTool, fromElsewhere, fromTool]
        try await world.running {
            for (i, c) in commands.enumerated() {
                try world.commands.send(batch: [try Envelope(type: TicketWorkerMessageType.command, body: c, replyTo: q,
                                                              correlationID: c.id.rawValue, sentAt: now)])
                try await eventually("reply \(i + 1)") { lastSeen in
                    let waiting = try world.spool.queue(q).stats().waiting
                    lastSeen = "\(waiting) replies"
                    return waiting == i + 1
                }
            }
        }
        let replies = try world.spool.queue(q).claim(max: 10).map { try $0.envelope.decodeBody(CommandReply.self) }
        #expect(replies.map(\.commandID) == commands.map(\.id))
        #expect(replies.allSatisfy { $0.isApplied })
        #expect(replies.map { $0.ticket == nil } == [true, false, true])
        #expect(replies[1].ticket?.description == "Old tap")
        #expect(try world.count("tickets") == 2)
        // The stored reply still has the ticket (a store-level repeat answers with it).
        let stored = try await world.store.apply([fromTool])
        #expect(stored.first?.ticket?.description == "Old lamp")
    }

    @Test("a replay request re-sends events from N (inclusive) to the end into the bound queue")
    func replay_FromN() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let replayed = try await world.running {
            try world.commands.send(batch: (0..<10).map { try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Leaking tap \($0)")) })
            let firstRound = try await world.collectEvents(10)
            #expect(firstRound.map(\.seq.rawValue) == Array(1...10))
            let request = ["from": 4, "queue": TicketWorkerWorld.eventsQueue.rawValue] as [String: any Sendable]
            let body = try JSONSerialization.data(withJSONObject: request)
            try world.commands.send(Envelope(type: "replay_request", sentAt: SystemClock().now(), rawBody: body))
            return try await world.collectEvents(7)
        }
        #expect(replayed.map(\.seq.rawValue) == Array(4...10))
        #expect(await world.worker.counters.eventsReplayed == 7)
        #expect(try world.deadReasons().isEmpty)
    }

    /// One message per batch and a replay slice of two events: each loop turn is visible in the queue's order.
    static func slicingWorld() throws -> TicketWorkerWorld {
        var settings = TicketWorker.Settings()
        settings.batchSize = 1
        settings.eventsPerFile = 2
        settings.replaySlice = 2
        return try TicketWorkerWorld(settings: settings)
    }

    static func replayRequest(from: Int) throws -> Envelope {
        let body = try JSONSerialization.data(withJSONObject: ["from": from, "queue": TicketWorkerWorld.eventsQueue.rawValue] as [String: any Sendable])
        return Envelope(type: "replay_request", sentAt: SystemClock().now(), rawBody: body)
    }

    /// Scaling finding 9: one replay of a million events kept every command waiting ~1.5 min. Now a
    /// replay goes a slice per loop turn; with one message per batch the commands queued behind the
    /// request are applied while it runs, and the replay carries their events too (the relay leaves
    /// the replaying queue out), so the queue still sees each seq once, in order.
    @Test("a replay goes in slices between command batches; commands behind it are applied meanwhile and the queue sees every seq once, in order")
    func replay_InSlicesBetweenBatches() async throws {
        let world = try Self.slicingWorld()
        defer { world.remove() }
        try await world.running {
            try world.commands.send(batch: (0..<30).map { try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Leaking tap \($0)")) })
            #expect(try await world.collectEvents(30).map(\.seq.rawValue) == Array(1...30))
        }
        // Stopped: the request, then five commands, each its own message, wait in order.
        try world.commands.send(Self.replayRequest(from: 1))
        for i in 0..<5 { try world.commands.send(TicketWorkerWorld.envelope(TicketWorkerWorld.create("Broken chair \(i)"))) }
        let seen = try await world.running {
            let events = try await world.collectEvents(35)
            try await eventually("the replay's request acknowledged") { try world.commands.stats().claimed == 0 && world.commands.stats().waiting == 0 }
            return events
        }
        #expect(seen.map(\.seq.rawValue) == Array(1...35))
        // The five were committed before the replay caught up, so it sent their events (a one-shot replay sent 30).
        #expect(await world.worker.counters.eventsReplayed == 35)
        #expect(try world.events.stats().waiting == 0)
        #expect(try world.deadReasons().isEmpty)
    }

    @Test("a second request for a queue with a replay in progress joins it; one from earlier moves it back")
    func replay_RequestsForOneQueueJoin() async throws {
        let world = try Self.slicingWorld()
        defer { world.remove() }
        try await world.running {
            try world.commands.send(batch: (0..<20).map { try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Leaking tap \($0)")) })
            _ = try await world.collectEvents(20)
        }
        for from in [11, 15, 5] { try world.commands.send(Self.replayRequest(from: from)) }
        let seen = try await world.running {
            let events = try await world.collectEvents(20)
            try await eventually("all three requests acknowledged") { try world.commands.stats().claimed == 0 && world.commands.stats().waiting == 0 }
            return events
        }
        // One message and one slice per turn: 11–12, then the request from 15 joins (13–14 go), then
        // the one from 5 moves the job back to 5, which runs to the end.
        #expect(seen.map(\.seq.rawValue) == [11, 12, 13, 14] + Array(5...20))
        #expect(await world.worker.counters.eventsReplayed == 20)
        #expect(try world.events.stats().waiting == 0)
    }

    /// The path behind the `FullDiskTests` flake: a replay request claimed while the spool's disk is
    /// full can send neither its events nor the retry copy of itself. The spool used to leave that
    /// claim counted in cur/ for as long as the worker lived (a failed reject: for the 300 s lease);
    /// now the queue writes the retry once there is room, and the replay is answered.
    @Test("a replay request claimed on a full spool disk is answered once space is freed; nothing stays claimed",
          .enabled(if: Tmpfs.canMount, "mount(2) of a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)"))
    func replay_OnFullDisk_AnsweredWhenFreed() async throws {
        let disk = try TemporaryDirectory("replay-full")
        try #require(mount("tmpfs", disk.path, "tmpfs", 0, "size=512k") == 0, "mount: errno \(errno)")
        defer {
            umount2(disk.path, Int32(MNT_DETACH))
            disk.remove()
        }
        // Only the spool is on the small disk: the database commits, the spool refuses.
        let world = try TicketWorkerWorld(spoolRoot: disk.path("spool"))
        defer { world.remove() }
        try await world.running {
            try world.commands.send(batch: (0..<3).map { try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Leaking tap \($0)")) })
            #expect(try await world.collectEvents(3).count == 3)
        }
        // With the worker stopped, a replay request waits in new/; then the disk fills.
        let body = try JSONSerialization.data(withJSONObject: ["from": 1, "queue": TicketWorkerWorld.eventsQueue.rawValue] as [String: any Sendable])
        try world.commands.send(Envelope(type: "replay_request", sentAt: SystemClock().now(), rawBody: body))
        let filler = disk.path("filler")
        #expect(Tmpfs.fill(filler) > 0)
        let replayed = try await world.running {
            try await eventually("the worker to fail the replay on the full disk") { await world.worker.counters.replaysFailed >= 1 }
            #expect(world.commandFiles("cur").count == 1, "the request stays claimed while the disk is full")
            #expect(world.commandFiles("deferred").isEmpty && world.commandFiles("dead").isEmpty)
            try FileManager.default.removeItem(atPath: filler)
            let events = try await world.collectEvents(3)
            try await eventually("commands settled") { lastSeen in
                lastSeen = "new \(world.commandFiles("new")), cur \(world.commandFiles("cur")), deferred \(world.commandFiles("deferred"))"
                return world.commandFiles("new").isEmpty && world.commandFiles("cur").isEmpty && world.commandFiles("deferred").isEmpty
            }
            return events
        }
        #expect(replayed.map(\.seq.rawValue) == [1, 2, 3])
        #expect(world.commandFiles("dead").isEmpty)
        #expect(await world.worker.counters.eventsReplayed == 3)
    }

    @Test("a replay into a queue that is not a bound events.* queue goes to dead with the reason", arguments: [
        ("commands", "not an events.* queue"),
        ("events.nobody", "not bound to the events exchange"),
        ("../escape", "not a valid queue name"),
    ])
    func replay_RefusedTargets(queue: String, reason: String) async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        try await world.running {
            try world.commands.send(TicketWorkerWorld.envelope(TicketWorkerWorld.create("Lamp broken")))
            _ = try await world.collectEvents(1)
            let body = try JSONSerialization.data(withJSONObject: ["from": 1, "queue": queue] as [String: any Sendable])
            try world.commands.send(Envelope(type: "replay_request", sentAt: SystemClock().now(), rawBody: body))
            try await eventually("the replay request in dead/") { try world.deadReasons().count == 1 }
        }
        let reasons = try world.deadReasons()
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains(reason) == true)
        #expect(!world.spool.queueExists(try QueueName("events.nobody")))
        #expect(try world.events.stats().waiting == 0)
    }

    @Test("undecodable and unknown-type messages go to dead with a reason; the rest of the batch is applied")
    func poisonMessages_DeadWithReason_NextStillProcessed() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let now = SystemClock().now()
        let batch = [
            Envelope(type: TicketWorkerMessageType.command, sentAt: now, rawBody: Data(#"{"id":"x","role":"user","action":{"type":"launch_rocket"}}"#.utf8)),
            Envelope(type: "tickle", sentAt: now, rawBody: Data("{}".utf8)),
            try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Heating off in lab 2")),
        ]
        try world.commands.send(batch: batch)
        try await world.running {
            try await eventually("1 ticket and 2 dead messages") { lastSeen in
                lastSeen = "\(try world.count("tickets")) tickets, dead: \(try world.deadReasons())"
                return try world.count("tickets") == 1 && world.deadReasons().count == 2
            }
        }
        let reasons = try world.deadReasons()
        #expect(reasons.contains { $0.hasPrefix("undecodable command") && $0.contains("launch_rocket") })
        #expect(reasons.contains { $0.contains("unknown message type 'tickle'") })
        #expect(try await world.collectEvents(1).map(\.seq.rawValue) == [1])
        #expect(try world.commands.stats().claimed == 0)
        #expect(await world.worker.counters.rejected == 2)
    }

    @Test("a redelivered command (same id) is applied once and answered with the same reply")
    func redelivery_IsIdempotent() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        let requester = try RequestClient(broker: world.broker, processName: "test")
        defer { requester.close() }
        let command = TicketWorkerWorld.create("Printer jammed on floor 3")
        let replies = try await world.running {
            let a = try await requester.request(try TicketWorkerWorld.envelope(command), to: .commands, timeout: .seconds(20))
            let b = try await requester.request(try TicketWorkerWorld.envelope(command), to: .commands, timeout: .seconds(20))
            // Twice more in one batch file: both copies in the same transaction.
            try world.commands.send(batch: [try TicketWorkerWorld.envelope(command), try TicketWorkerWorld.envelope(command)])
            try await eventually("the commands queue to drain") { try world.commands.stats().waiting == 0 && world.commands.stats().claimed == 0 }
            return [a, b]
        }
        let decoded = try replies.map { try $0.decodeBody(CommandReply.self) }
        #expect(decoded[0] == decoded[1])
        #expect(decoded[0].isApplied)
        #expect(try world.count("tickets") == 1)
        #expect(try world.count("applied_commands") == 1)
        #expect(try world.count("events") == 1)
        #expect(try await world.collectEvents(1, within: 1).count == 1)
    }

    @Test("on start, a crashed worker's claims are taken back and committed-but-unpublished events are published")
    func recovery_ReturnsClaims_AndPublishesOutbox() async throws {
        let world = try TicketWorkerWorld()
        defer { world.remove() }
        // A crash between commit and publish: the store has events the exchange never got.
        _ = try await world.store.apply((0..<5).map { TicketWorkerWorld.create("Door stuck \($0)") })
        // A crash while holding a claim: a file in cur/ owned by a process that no longer exists.
        let dead = try deadPid()
        try world.commands.send(TicketWorkerWorld.envelope(TicketWorkerWorld.create("Window cracked")))
        let queueDir = world.spool.root + "/queues/commands"
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: queueDir + "/new").first)
        try FileManager.default.moveItem(atPath: "\(queueDir)/new/\(file)", toPath: "\(queueDir)/cur/\(file)@\(dead)-1")

        let recovered = try await world.worker.recover()
        #expect(recovered.claimsReturned == 1)
        #expect(recovered.eventsPublished == 5)
        try await world.running {
            try await eventually("6 tickets") { try world.count("tickets") == 6 }
        }
        #expect(try await world.collectEvents(6).map(\.seq.rawValue) == Array(1...6))
        #expect(try await world.store.publishedThrough == SequenceNumber(6))
    }

    @Test("while the database refuses to commit, the batch is held: no reply, no event, no ack; then it commits")
    func storageFailure_HoldsBatch_ThenCommits() async throws {
        var settings = TicketWorker.Settings()
        settings.storageRetry = RetryPolicy(maxAttempts: .max, base: .milliseconds(50), cap: .milliseconds(100))
        let world = try TicketWorkerWorld(settings: settings)
        defer { world.remove() }
        let requester = try RequestClient(broker: world.broker, processName: "test")
        defer { requester.close() }
        // Another connection holds the write lock: the worker's commit fails with SQLITE_BUSY after
        // the 5 s busy timeout, a real storage failure (nothing written).
        let locker = try Connection(path: world.dir.path("tickets.db"))
        try locker.execute("BEGIN EXCLUSIVE")
        let reply = try await world.running {
            try await withThrowingTaskGroup(of: Envelope?.self) { group in
                group.addTask {
                    try await requester.request(try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Projector dead")),
                                                to: .commands, timeout: .seconds(60))
                }
                try await eventually("a storage failure", within: .seconds(30)) { await world.worker.counters.storageFailures >= 1 }
                #expect(try world.commands.stats().claimed == 1)
                #expect(try world.events.stats().waiting == 0)
                #expect(await world.worker.counters.commandsProcessed == 0)
                try locker.execute("ROLLBACK")
                let reply = try await group.next() ?? nil
                return try #require(reply)
            }
        }
        #expect(try reply.decodeBody(CommandReply.self).isApplied)
        #expect(try await world.collectEvents(1).map(\.seq.rawValue) == [1])
        #expect(try world.commands.stats().claimed == 0)
        #expect(try world.deadReasons().isEmpty)
    }
}

/// The ticket worker over `InMemoryBroker`: the service needs nothing of the spool.
@Suite("Ticket worker in memory", .onDedicatedThreads)
struct TicketWorkerInMemoryTests {
    @Test("a command through the RequestClient is applied and answered; its event reaches every bound queue")
    func appliesAndPublishesInMemory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let broker = InMemoryBroker()
        try broker.bind(TicketWorkerWorld.eventsQueue, to: .events)
        let store = try TicketStore(path: dir.path("tickets.db"), classifier: KeywordClassifier(), clock: SystemClock())
        var settings = TicketWorker.Settings()
        settings.idleWait = .milliseconds(20)
        let worker = try TicketWorker(store: store, broker: broker, logger: Logger(component: "ticket-worker", minimumLevel: .error),
                                      settings: settings)
        let client = try RequestClient(broker: broker, processName: "memory-test", logger: Logger(component: "client", minimumLevel: .error))
        defer { client.close() }
        let stop = StopFlag()
        let reply = try await withThrowingTaskGroup(of: Envelope?.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isSet }); return nil }
            defer { stop.set() }
            let envelope = try TicketWorkerWorld.envelope(TicketWorkerWorld.create("Projector dead in room 9"))
            let reply = try await client.request(envelope, to: .commands, timeout: .seconds(20))
            stop.set()
            try await group.waitForAll()
            return reply
        }
        #expect(try reply.decodeBody(CommandReply.self).ticket?.id == TicketID(1))
        let events = try broker.consumer(of: TicketWorkerWorld.eventsQueue).claim(max: 10)
        #expect(try events.map { try $0.envelope.decodeBody(ChangeEvent.self).seq.rawValue } == [1])
        let commands = try broker.consumer(of: .commands).stats()
        #expect(commands.waiting == 0 && commands.claimed == 0)
    }
}
