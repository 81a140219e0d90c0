import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import Logging
@testable import SQLiteKit
@testable import SpoolBroker
@testable import Analytics

/// Runs the real `campusdesk analytics <service>` process, kills it with SIGKILL while it consumes,
/// restarts it, and checks that the answers are those of a worker that never died.
@Suite(.onDedicatedThreads) struct AnalyticsCrashTests {
    static func start(_ binary: String, _ service: AnalyticsService, _ dir: TemporaryDirectory) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["analytics", service.rawValue]
        p.environment = ["CAMPUSDESK_SPOOL": dir.path("spool"), "CAMPUSDESK_DATA": dir.path("data"), "CAMPUSDESK_TZ": "Europe/Berlin"]
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        return p
    }

    /// The last seq committed to a state file, read through a read-only connection (nil before it exists).
    static func committedSeq(_ path: String) -> Int64? {
        guard FileManager.default.fileExists(atPath: path),
              let db = try? Connection(path: path, mode: .readOnly),
              let statement = try? db.prepare("SELECT last_seq FROM progress WHERE id = 1") else { return nil }
        return (try? statement.queryFirst { (s: Statement) -> Int64 in s.int64(at: 0) }) ?? nil
    }

    @Test("kill -9 at random moments during consumption, restart: the same answers as a worker that never died",
          arguments: AnalyticsService.allCases)
    func killAndRestart(service: AnalyticsService) async throws {
        let binary = BuiltProduct.path("campusdesk")
        let dir = try TemporaryDirectory("analytics-crash")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let eventQueue = try spool.queue(.events(service))
        let commands = try spool.queue(.commands)
        let statePath = dir.path("data") + "/analytics-\(service.rawValue).db"
        var history = AnalyticsHistory(seed: 77)
        history.generate(2400)
        let events = history.events
        var g = SplitMix64(seed: 5)

        /// Plays the ticket worker's part: answers replay requests by re-publishing, from `from`,
        /// the events it has published so far (the first `published`).
        func serveReplays(published: Int) throws {
            for d in try commands.claim(max: 100) {
                if d.envelope.type == AnalyticsMessageType.replayRequest {
                    let r = try d.envelope.decodeBody(ReplayRequest.self)
                    let from = Int(r.from.rawValue) - 1
                    if from < published {
                        for chunk in stride(from: from, to: published, by: 200) {
                            try eventQueue.send(batch: try events[chunk..<min(published, chunk + 200)].map(AnalyticsHistory.envelope))
                        }
                    }
                }
                try commands.ack(d)
            }
        }

        var process = try Self.start(binary, service, dir)
        var kills = 0
        var sent = 0
        while sent < events.count {
            let n = Int.random(in: 5...40, using: &g)
            try eventQueue.send(batch: try events[sent..<min(events.count, sent + n)].map(AnalyticsHistory.envelope))
            sent = min(events.count, sent + n)
            try serveReplays(published: sent)
            if sent / 600 > kills {
                // Let it get going, then kill it wherever it is.
                // Best effort: a kill before the first commit is a fine test too.
                _ = try? await eventually("a first commit", within: .seconds(5)) { (Self.committedSeq(statePath) ?? 0) > 0 }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...30, using: &g)))  // sleep-ok: a random kill moment on purpose
                kill(process.processIdentifier, SIGKILL)
                try await process.waitForExit()
                #expect(process.terminationReason == .uncaughtSignal)
                kills += 1
                process = try Self.start(binary, service, dir)
            }
        }
        let total = Int64(events.count)
        try await eventually("the worker to catch up to seq \(total)", within: .seconds(60)) { lastSeen in
            try serveReplays(published: events.count)
            lastSeen = "last seq \(Self.committedSeq(statePath) ?? -1)"
            return Self.committedSeq(statePath) == total
        }
        #expect(kills >= 3)

        let requester = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "crash-test")
        defer { requester.close() }
        let body: [String: Int] = service == .openTickets ? ["hours": 8760] : [:]
        let reply = try await requester.request(try Envelope(type: AnalyticsMessageType.query, body: body, sentAt: history.clock),
                                                to: .query(service), timeout: .seconds(20))
        #expect(reply.type == AnalyticsMessageType.answer)
        let tz = try #require(TimeZone(identifier: "Europe/Berlin"))
        switch service {
        case .openTickets:
            let answer = try reply.decodeBody(OpenTicketsAnswer.self)
            #expect(answer.hours == 8760)
            #expect(answer.count == history.bruteOpenTickets(hours: 8760, now: answer.since.adding(milliseconds: 8760 * 3_600_000)))
        case .resolutionTime:
            let answer = try reply.decodeBody(ResolutionTimeAnswer.self)
            let expected = history.bruteResolutionTime(timeZone: tz)
            #expect(answer.months.map(\.month) == expected.months.map(\.month))
            #expect(answer.months.map(\.closed) == expected.months.map(\.closed))
            #expect(zip(answer.months, expected.months).allSatisfy { abs($0.averageSeconds - $1.averageSeconds) < 0.001 })
        case .categoryLoad:
            #expect(try reply.decodeBody(CategoryLoadAnswer.self) == history.bruteCategoryLoad())
        case .serviceLevels:
            let answer = try reply.decodeBody(ServiceLevelsAnswer.self)
            var once = ServiceLevelsAggregate(timeZone: tz)
            for e in events { once.apply(e) }
            #expect(answer == once.answer(now: answer.asOf))
        }

        // SIGTERM stops it gracefully.
        kill(process.processIdentifier, SIGTERM)
        try await process.waitForExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
