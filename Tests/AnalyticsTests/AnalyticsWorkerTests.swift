import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import Logging
@testable import SQLiteKit
@testable import SpoolBroker
@testable import Analytics

/// Claims everything on `commands` and returns the replay requests among it.
func replayRequests(_ commands: SpoolQueue) throws -> [ReplayRequest] {
    var found: [ReplayRequest] = []
    for d in try commands.claim(max: 100) {
        if d.envelope.type == AnalyticsMessageType.replayRequest { found.append(try d.envelope.decodeBody(ReplayRequest.self)) }
        try commands.ack(d)
    }
    return found
}

/// The worker loops run on threads of their own: a commit waits out SQLite's 5 s busy timeout,
/// which must not hold a thread of the cooperative pool that every other suite shares.
@Suite(.onDedicatedThreads) struct AnalyticsWorkerTests {
    @Test("the worker applies events from its queue, asks for replays at start and at a gap, and answers queries")
    func workerOverRealSpool() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        var settings = AnalyticsWorker<CategoryLoadAggregate>.Settings()
        settings.idleWait = .milliseconds(50)
        let worker = try AnalyticsWorker<CategoryLoadAggregate>(
            broker: SpoolMessageBroker(spool: spool), statePath: dir.path("analytics-category-load.db"), timeZone: try #require(TimeZone(identifier: "UTC")),
            logger: Logger(component: "test", minimumLevel: .error), settings: settings)
        #expect(try spool.exchange(.events).bindings().contains(.events(.categoryLoad)))
        var history = AnalyticsHistory(seed: 21)
        history.generate(150)
        let events = history.events
        let stop = StopFlag()
        let commands = try spool.queue(.commands)
        let requester = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "analytics-test")
        defer { requester.close() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isSet }) }
            defer { stop.set() }

            // A fresh state asks for everything from seq 1.
            var requests: [ReplayRequest] = []
            try await eventually("a replay request") { requests += try replayRequests(commands); return !requests.isEmpty }
            #expect(requests == [ReplayRequest(from: SequenceNumber(1), queue: "events.category-load")])

            try spool.exchange(.events).publish(try events[0..<100].map(AnalyticsHistory.envelope))
            try await eventually("last seq 100") { lastSeen in lastSeen = "\(await worker.lastSeq)"; return await worker.lastSeq == SequenceNumber(100) }

            // Events 121... arrive while 101...120 went missing: nothing beyond the gap is applied, a replay is asked for.
            try spool.exchange(.events).publish(try events[120...].map(AnalyticsHistory.envelope))
            requests = []
            try await eventually("a replay request") { requests += try replayRequests(commands); return !requests.isEmpty }
            #expect(requests == [ReplayRequest(from: SequenceNumber(101), queue: "events.category-load")])
            #expect(await worker.lastSeq == SequenceNumber(100))

            // The ticket worker answers by re-publishing from 101 (overlapping the ones already sent once).
            try spool.queue(.events(.categoryLoad)).send(batch: try events[100...].map(AnalyticsHistory.envelope))
            try await eventually("last seq 150") { lastSeen in lastSeen = "\(await worker.lastSeq)"; return await worker.lastSeq == SequenceNumber(150) }

            // A body that is not a change event goes to dead/, not silently away.
            try spool.queue(.events(.categoryLoad)).send(Envelope(type: "ticket_opened", sentAt: history.clock, rawBody: Data("{\"seq\":\"x\"}".utf8)))
            try await eventually("the bad event in dead/") { try spool.queue(.events(.categoryLoad)).stats().dead == 1 }

            let client = AnalyticsClient(requester: requester)
            #expect(try await client.categoryLoad(timeout: .seconds(10)) == history.bruteCategoryLoad())
            // Nobody serves open-tickets here: the client reports a timeout, not an error page.
            await #expect(throws: AnalyticsClient.Failure.timedOut) { try await client.openTickets(.standard, timeout: .milliseconds(200)) }
            stop.set()
            try await group.waitForAll()
        }
        // Restarting on the same file resumes at seq 150 and asks for no replay.
        let again = try AnalyticsState<CategoryLoadAggregate>(path: dir.path("analytics-category-load.db"), timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(again.lastSeq == SequenceNumber(150))
        #expect(again.aggregate.answer() == history.bruteCategoryLoad())
    }

    @Test("a batch that cannot be committed is held and committed later; the worker keeps running")
    func uncommittableBatchIsHeld() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        var settings = AnalyticsWorker<CategoryLoadAggregate>.Settings()
        settings.idleWait = .milliseconds(50)
        let statePath = dir.path("analytics-category-load.db")
        let worker = try AnalyticsWorker<CategoryLoadAggregate>(
            broker: SpoolMessageBroker(spool: spool), statePath: statePath, timeZone: try #require(TimeZone(identifier: "UTC")),
            logger: Logger(component: "test", minimumLevel: .error), settings: settings)
        var history = AnalyticsHistory(seed: 5)
        history.generate(40)
        let stop = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isSet }) }
            defer { stop.set() }
            // Another connection holds the write lock, so the worker's commit fails (SQLITE_BUSY after its 5 s timeout).
            let blocker = try Connection(path: statePath)
            try blocker.execute("BEGIN IMMEDIATE")
            try spool.exchange(.events).publish(try history.events.map(AnalyticsHistory.envelope))
            try await eventually("a failed commit", within: .seconds(30)) { await worker.failedCommits >= 1 }
            #expect(await worker.lastSeq == .zero)
            try blocker.execute("ROLLBACK")
            try await eventually("last seq 40", within: .seconds(30)) { lastSeen in lastSeen = "\(await worker.lastSeq)"; return await worker.lastSeq == SequenceNumber(40) }
            #expect(try spool.queue(.events(.categoryLoad)).stats().dead == 0)
            stop.set()
            try await group.waitForAll()
        }
    }

    @Test("a replay request the spool refuses is kept and sent once the spool takes it again")
    func refusedReplayRequestIsSentLater() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let commands = try spool.queue(.commands)
        var settings = AnalyticsWorker<CategoryLoadAggregate>.Settings()
        settings.idleWait = .milliseconds(50)
        let worker = try AnalyticsWorker<CategoryLoadAggregate>(
            broker: SpoolMessageBroker(spool: spool), statePath: dir.path("analytics-category-load.db"), timeZone: try #require(TimeZone(identifier: "UTC")),
            logger: Logger(component: "test", minimumLevel: .error), settings: settings)
        // Every send to `commands` fails while its tmp/ is a file (as on a full disk, the send throws).
        let tmp = commands.path + "/tmp"
        try FileManager.default.removeItem(atPath: tmp)
        #expect(FileManager.default.createFile(atPath: tmp, contents: Data()))
        let stop = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run(shouldStop: { stop.isSet }) }
            defer { stop.set() }
            try await eventually("a replay request the spool refused") { await worker.hasUnsentReplay }
            try FileManager.default.removeItem(atPath: tmp)
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            var requests: [ReplayRequest] = []
            try await eventually("a replay request") { requests += try replayRequests(commands); return !requests.isEmpty }
            #expect(requests == [ReplayRequest(from: SequenceNumber(1), queue: "events.category-load")])
            #expect(await !worker.hasUnsentReplay)
            stop.set()
            try await group.waitForAll()
        }
    }

    @Test("open-tickets answers {\"hours\": N} and refuses hours outside 1...17520 with an error reply")
    func openTicketsQueryBodies() throws {
        var history = AnalyticsHistory(seed: 3)
        history.generate(200)
        var aggregate = OpenTicketsAggregate()
        for e in history.events { aggregate.apply(e) }
        let now = history.clock
        let ok = AnalyticsQueryAnswering.reply(to: Data("{\"hours\":24}".utf8), aggregate: aggregate, now: now)
        #expect(ok.type == AnalyticsMessageType.answer)
        let answer = try JSONDecoder().decode(OpenTicketsAnswer.self, from: ok.body)
        #expect(answer.count == history.bruteOpenTickets(hours: 24, now: now) && answer.hours == 24)
        for bad in ["{\"hours\":0}", "{\"hours\":17521}", "{}", "not json", "{\"hours\":\"24\"}"] {
            let r = AnalyticsQueryAnswering.reply(to: Data(bad.utf8), aggregate: aggregate, now: now)
            #expect(r.type == AnalyticsMessageType.error, "\(bad)")
            #expect((try? JSONDecoder().decode(AnalyticsQueryError.self, from: r.body)) != nil)
        }
    }

    @Test("a gap is asked for once, again only after the retry interval, and settled once filled")
    func replayTrackerAsksOnce() {
        var t = ReplayTracker(retryAfterMilliseconds: 1000)
        let t0 = Timestamp(millisecondsSinceEpoch: 1_000_000)
        #expect(t.startupReplayFrom(lastSeq: SequenceNumber(7), now: t0) == nil)
        #expect(t.replayFrom(lastSeq: SequenceNumber(7), gapAt: SequenceNumber(8), now: t0) == SequenceNumber(8))
        #expect(t.replayFrom(lastSeq: SequenceNumber(7), gapAt: SequenceNumber(8), now: t0.adding(milliseconds: 999)) == nil)
        #expect(t.replayFrom(lastSeq: SequenceNumber(7), gapAt: nil, now: t0.adding(milliseconds: 5000)) == nil)
        #expect(t.replayFrom(lastSeq: SequenceNumber(7), gapAt: SequenceNumber(8), now: t0.adding(milliseconds: 1000)) == SequenceNumber(8))
        #expect(t.replayFrom(lastSeq: SequenceNumber(9), gapAt: nil, now: t0.adding(milliseconds: 1001)) == nil)
        #expect(t.requested == nil)
        #expect(t.replayFrom(lastSeq: SequenceNumber(9), gapAt: SequenceNumber(10), now: t0.adding(milliseconds: 1002)) == SequenceNumber(10))
    }
}
