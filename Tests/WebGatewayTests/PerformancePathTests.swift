import Domain
import Logging
import SpoolBroker
import TicketStore
import Analytics
import TicketService
import Foundation
import HTTPServer
import Synchronization
import Testing
import TestSupport
@testable import WebGateway
#if canImport(Glibc)
import Glibc
#endif

/// The fast paths added for the gateway's performance targets give the same answers as the slow ones.
@Suite struct PerformancePathTests {
    // MARK: - Escaping and time

    @Test("escapeHTML on bytes: plain text comes back as is; specials, NUL and non-ASCII around them are right")
    func escapingOnBytes() {
        #expect(escapeHTML("Room 4, Physics building") == "Room 4, Physics building")
        #expect(escapeHTML("") == "")
        #expect(escapeHTML("Zürich <b>&</b> \"q\" 'a'\u{0}ß") == "Zürich &lt;b&gt;&amp;&lt;/b&gt; &quot;q&quot; &#39;a&#39;\u{FFFD}ß")
        #expect(escapeHTML("<") == "&lt;")
        #expect(escapeHTML("😀>😀") == "😀&gt;😀")
    }

    @Test("HTMLBuffer escapes text, keeps markup, prints numbers", arguments: [Int64(0), 7, 42, 1_000_000, -15, .max])
    func bufferNumbers(_ n: Int64) {
        var b = HTMLBuffer(capacity: 8)
        b.raw("<i>")
        b.number(n)
        b.text("<&>")
        #expect(b.string == "<i>\(n)&lt;&amp;&gt;")
    }

    /// On its own threads: 43,000 instants per zone through ICU keep a thread busy for seconds (over
    /// a minute under load) without one await; on the two-thread cooperative pool the five cases held
    /// both threads and `AdapterTests`' in-process workers got no turn within their 60 s deadline.
    @Test("CampusTime's byte formatting equals Timestamp.iso8601 and the zone's own offset, across DST changes",
          .onDedicatedThreads,
          arguments: ["UTC", "Europe/Zurich", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
    func campusTimeMatchesFoundation(_ zone: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        let time = CampusTime(timeZone: tz)
        // Every 37 minutes over three years (crosses six DST changes), plus instants before 1970.
        var instants: [Int64] = stride(from: Int64(1_700_000_000_000), to: 1_795_000_000_000, by: 37 * 60_000).map { $0 }
        instants += [0, -1, -86_400_001, -2_208_988_800_000, 4_102_444_800_000]
        for ms in instants {
            let t = Timestamp(millisecondsSinceEpoch: ms)
            var iso: [UInt8] = []
            CampusTime.appendISO8601(ms, to: &iso)
            #expect(String(decoding: iso, as: UTF8.self) == t.iso8601)
            // The slow path, as CampusTime computed it before the table.
            let offset = Int64(tz.secondsFromGMT(for: t.date)) * 1000
            let local = Timestamp(millisecondsSinceEpoch: ms + offset).iso8601
            let zoneName = tz.identifier == "UTC" ? "UTC" : (tz.abbreviation(for: t.date) ?? tz.identifier)
            let text = time.text(t)
            #expect(text.hasSuffix(" " + zoneName), "\(ms) \(zone): \(text)")
            #expect(text.contains(", " + String(local.dropFirst(11).prefix(5)) + " "), "\(ms) \(zone): \(text) vs \(local)")
            #expect(time.html(t) == "<time datetime=\"\(t.iso8601)\">\(escapeHTML(text))</time>")
        }
    }

    // MARK: - Cookies

    @Test("cookies: ASCII and non-ASCII parts parse the same way (trim, first wins, quotes dropped)")
    func cookiesOnBytes() {
        let r = HTTPRequest(method: .get, target: "/", headers: HTTPHeaders([
            ("Cookie", " a=1 ;\tb=\"two\"; a=3; c=; =x; noequals; d=\"\"; e=\"; n=Zoë\u{00A0}"),
        ]))
        let c = Cookies.parse(r)
        #expect(c["a"] == "1")
        #expect(c["b"] == "two")
        #expect(c["c"] == "")
        #expect(c[""] == "x")
        #expect(c["noequals"] == nil)
        #expect(c["d"] == "")
        #expect(c["e"] == "\"")
        // Non-breaking space is Unicode whitespace: trimmed as before.
        #expect(c["n"] == "Zoë")
    }

    // MARK: - Request log

    @Test("request log lines keep the Logger format and reach the file by flush, size or timer")
    func requestLogFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-reqlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("log").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let log = RequestLog(component: "gateway", fd: fd, clock: FixedClock(), interval: .seconds(3600))
        log.request(method: "GET", path: "/tickets", status: 200, duration: .microseconds(1234))
        log.request(method: "POST", path: "/a b=\"c\"\nd", status: 303, duration: .milliseconds(12) + .microseconds(995))
        log.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ts = FixedClock().now().iso8601
        #expect(text == """
            \(ts) info gateway: request http.method=GET http.path=/tickets http.status=200 duration_ms=1.23
            \(ts) info gateway: request http.method=POST http.path="/a b=\\"c\\"\\nd" http.status=303 duration_ms=13.00

            """)
        // Past 16 KiB the buffer goes out without a flush.
        for _ in 0..<300 { log.request(method: "GET", path: "/tickets/1", status: 200, duration: .zero) }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size > 16 * 1024)
        log.close()
    }

    @Test("a request of ten seconds or more is logged, not a crash (seconds × 10^18 overflowed Int64)")
    func requestLogLongDuration() throws {
        #expect(RequestLog.hundredthsOfAMillisecond(.seconds(9) + .milliseconds(300)) == 930_000)
        #expect(RequestLog.hundredthsOfAMillisecond(.seconds(12) + .microseconds(345_678)) == 1_234_568)
        #expect(RequestLog.hundredthsOfAMillisecond(.seconds(86_400 * 365)) == 3_153_600_000_000)
        #expect(RequestLog.hundredthsOfAMillisecond(.microseconds(1234)) == 123)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-reqlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("log").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let log = RequestLog(component: "gateway", fd: fd, clock: FixedClock(), interval: .seconds(3600))
        log.request(method: "GET", path: "/tickets?q=projector&status=open", status: 200, duration: .seconds(31) + .milliseconds(5))
        log.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("http.status=200 duration_ms=31005.00\n"))
        log.close()
    }

    @Test("the request log's timer writes lines without a flush")
    func requestLogTimer() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-reqlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("log").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let log = RequestLog(component: "gateway", fd: fd, interval: .milliseconds(10))
        log.request(method: "GET", path: "/healthz", status: 200, duration: .zero)
        func read() -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        var text = read()
        try await eventually("the timer to write the line", within: .seconds(10), poll: .milliseconds(5)) { text = read(); return !text.isEmpty }
        #expect(text.hasSuffix("info gateway: request http.method=GET http.path=/healthz http.status=200 duration_ms=0.00\n"))
        log.close()
    }

    // MARK: - Coalesced analytics

    /// An analytics port whose answers wait for `release()`, counting the questions it got.
    final class GatedAnalytics: AnalyticsQuerying {
        let asked = Atomic<Int>(0)
        private let released = Atomic<Bool>(false)

        func release() { released.store(true, ordering: .releasing) }

        func openTickets(_ period: OpenTicketsPeriod, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
            let n = asked.wrappingAdd(1, ordering: .relaxed).newValue
            _ = try? await eventually("the test to release the answer", within: .seconds(60), poll: .milliseconds(1)) { released.load(ordering: .acquiring) }
            return .answered(OpenTicketsAnswer(hours: period.hours, since: Timestamp(millisecondsSinceEpoch: 0), count: n))
        }
        func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> { .timedOut }
        func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> { .timedOut }
        func serviceLevels(timeout: Duration) async -> AnalyticsOutcome<ServiceLevelsAnswer> { .timedOut }
    }

    @Test("concurrent identical questions are asked once and all get that answer; a different one is asked apart; later ones ask again")
    func coalescing() async throws {
        let inner = GatedAnalytics()
        let analytics = CoalescingAnalytics(inner)
        let key = Flight<OpenTicketsAnswer>.Key(period: OpenTicketsPeriod(hours: 24), timeout: .seconds(2))
        let all = try await withThrowingTaskGroup(of: AnalyticsOutcome<OpenTicketsAnswer>.self) { group in
            for _ in 0..<8 {
                group.addTask { await analytics.openTickets(OpenTicketsPeriod(hours: 24), timeout: .seconds(2)) }
            }
            group.addTask { await analytics.openTickets(OpenTicketsPeriod(hours: 48), timeout: .seconds(2)) }
            // Wait (with a deadline) until seven followers wait on the one question in flight.
            await #expect(throws: Never.self) {
                try await eventually("seven followers of the question in flight", poll: .milliseconds(1)) { analytics.open.followers(of: key) == 7 }
            }
            inner.release()
            var all: [AnalyticsOutcome<OpenTicketsAnswer>] = []
            for try await o in group { all.append(o) }
            return all
        }
        #expect(inner.asked.load(ordering: .relaxed) == 2)
        let for24 = all.filter { if case .answered(let a) = $0 { a.hours == 24 } else { false } }
        #expect(for24.count == 8)
        #expect(Set(for24.map { if case .answered(let a) = $0 { a.count } else { -1 } }).count == 1)
        #expect(analytics.open.followers(of: key) == nil)
        // Nothing is cached: the next question goes to the worker again.
        _ = await analytics.openTickets(OpenTicketsPeriod(hours: 24), timeout: .seconds(2))
        #expect(inner.asked.load(ordering: .relaxed) == 3)
    }

    @Test("coalesced questions get the real category-load worker's answer")
    func coalescingOverTheRealWorker() async throws {
        let world = try SpoolWorld()
        let worker = try world.startCategoryLoadWorker()
        let direct = BrokerAnalyticsQuerying(client: AnalyticsClient(requester: world.requester))
        let analytics = CoalescingAnalytics(direct)
        let answers = try await withThrowingTaskGroup(of: AnalyticsOutcome<CategoryLoadAnswer>.self) { group in
            for _ in 0..<12 { group.addTask { await analytics.categoryLoad(timeout: TestTime.scaled(.seconds(20))) } }
            var all: [AnalyticsOutcome<CategoryLoadAnswer>] = []
            for try await a in group { all.append(a) }
            return all
        }
        let expected = await direct.categoryLoad(timeout: TestTime.scaled(.seconds(20)))
        guard case .answered = expected else {
            Issue.record("the worker did not answer: \(expected)")
            world.stopFlag.set()
            try await worker.value
            return
        }
        #expect(answers.count == 12)
        #expect(answers.allSatisfy { $0 == expected })
        world.stopFlag.set()
        try await worker.value
    }

    // MARK: - Group commit

    @Test("commands sent together through the group-committing client are each applied once and each get their own reply")
    func batchedCommandsOverTheRealWorker() async throws {
        let world = try SpoolWorld()
        let batcher = try RequestClient(broker: world.broker, processName: "gateway", options: .init(groupCommit: true),
                                        logger: Logger(component: "gateway", minimumLevel: .error))
        let sender = BrokerCommandSender(client: batcher)
        // Sent before the worker runs, so they pile up and go out in shared files.
        let outcomes = try await withThrowingTaskGroup(of: (Int, CommandOutcome).self) { group in
            for i in 0..<40 {
                group.addTask {
                    (i, await sender.send(Command(role: .customer, action: .createTicket(CreateTicket(description: "Broken chair number \(i)"))), timeout: TestTime.scaled(.seconds(30))))
                }
            }
            // The worker starts while the commands wait for their replies.
            let worker = try world.startTicketWorker()
            var all: [(Int, CommandOutcome)] = []
            for try await o in group { all.append(o) }
            world.stopFlag.set()
            try await worker.value
            return all
        }
        #expect(outcomes.count == 40)
        for (i, outcome) in outcomes {
            guard case .replied(let reply) = outcome else {
                Issue.record("command \(i): \(outcome)")
                continue
            }
            #expect(reply.refusal == nil)
            #expect(reply.ticket?.description == "Broken chair number \(i)")
        }
        #expect(Set(outcomes.compactMap { if case .replied(let r) = $0.1 { r.ticket?.id } else { nil } }).count == 40)
        let reader = TicketReader(openingLazily: world.ticketsPath)
        #expect(try await reader.counts()[.open] == 40)
        let replyDir = world.spool.root + "/queues/" + batcher.replyQueue.rawValue
        #expect(FileManager.default.fileExists(atPath: replyDir))
        batcher.close()
        #expect(!FileManager.default.fileExists(atPath: replyDir))
    }

    @Test("without a worker a batched command times out as queued: it is on disk, in the commands queue")
    func batchedCommandIsQueuedWithoutWorker() async throws {
        let world = try SpoolWorld()
        let batcher = try RequestClient(broker: world.broker, processName: "gateway", options: .init(groupCommit: true),
                                        logger: Logger(component: "gateway", minimumLevel: .error))
        defer { batcher.close() }
        let sender = BrokerCommandSender(client: batcher)
        let outcome = await sender.send(Command(role: .customer, action: .createTicket(CreateTicket(description: "Flooded basement"))), timeout: .milliseconds(200))
        #expect(outcome == .queued)
        let stats = try world.spool.queue(.commands).stats()
        #expect(stats.waiting == 1)
    }

    @Test("a command too large for the spool fails alone; the others sent with it are applied")
    func oversizedCommandFailsAlone() async throws {
        let world = try SpoolWorld()
        var limits = SpoolLimits()
        limits.maxMessageBytes = 4096
        let spool = try Spool(root: world.spool.root, limits: limits, logger: Logger(component: "spool", minimumLevel: .error))
        let batcher = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "gateway", options: .init(groupCommit: true),
                                        logger: Logger(component: "gateway", minimumLevel: .error))
        defer { batcher.close() }
        let sender = BrokerCommandSender(client: batcher)
        let worker = try world.startTicketWorker()
        let outcomes = await withTaskGroup(of: (Int, CommandOutcome).self) { group in
            for i in 0..<12 {
                let text = i == 5 ? String(repeating: "x", count: 6000) : "Leaking tap \(i)"
                group.addTask { (i, await sender.send(Command(role: .customer, action: .createTicket(CreateTicket(description: text))), timeout: TestTime.scaled(.seconds(30)))) }
            }
            var all: [Int: CommandOutcome] = [:]
            for await (i, o) in group { all[i] = o }
            return all
        }
        for i in 0..<12 {
            if i == 5 {
                guard case .unavailable = outcomes[i] else { Issue.record("oversized command: \(String(describing: outcomes[i]))"); continue }
            } else {
                guard case .replied(let r) = outcomes[i] else { Issue.record("command \(i): \(String(describing: outcomes[i]))"); continue }
                #expect(r.ticket?.description == "Leaking tap \(i)")
            }
        }
        world.stopFlag.set()
        try await worker.value
        #expect(try await TicketReader(openingLazily: world.ticketsPath).counts()[.open] == 11)
    }

    // MARK: - Reader pool

    @Test("the reader pool answers from every connection and reports not-yet-created until the file exists")
    func readerPool() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-pool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tickets.db").path
        let pool = TicketReader(openingLazily: path, poolSize: 3)
        #expect(pool.unavailability == .starting)
        await #expect(throws: TicketReader.NotYetCreated.self) { try await pool.counts() }
        let store = try TicketStore(path: path, classifier: TunableClassifier(), clock: FixedClock(), synchronous: .normal)
        _ = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: "The lift is stuck")))])
        #expect(pool.unavailability == nil)
        // Six reads go round the three connections twice; each sees the committed ticket.
        for _ in 0..<6 {
            #expect(try await pool.counts()[.open] == 1)
            #expect(try await pool.detail(TicketID(1))?.ticket.description == "The lift is stuck")
        }
    }
}
