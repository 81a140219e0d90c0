import Domain
import Logging
import SpoolBroker
import TicketStore
import Analytics
import TicketService
import Foundation
import Synchronization
import Testing
import TestSupport
import WebGateway
#if canImport(Glibc)
import Glibc
#endif

/// A spool, a ticket store and the real workers in-process, in one temp directory.
final class SpoolWorld {
    let directory: URL
    let spool: Spool
    let broker: SpoolMessageBroker
    let requester: RequestClient
    let stopFlag = StopFlag()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-adapter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        spool = try Spool(root: directory.appendingPathComponent("spool").path, logger: Logger(component: "spool", minimumLevel: .error))
        broker = SpoolMessageBroker(spool: spool)
        requester = try RequestClient(broker: broker, processName: "adapter-test")
    }

    deinit {
        stopFlag.set()
        requester.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var ticketsPath: String { directory.appendingPathComponent("tickets.db").path }

    /// Starts the real ticket worker on this spool; it runs until the world goes.
    func startTicketWorker() throws -> Task<Void, any Error> {
        let store = try TicketStore(path: ticketsPath, classifier: TunableClassifier(), clock: SystemClock(), synchronous: .normal)
        let worker = try TicketWorker(store: store, broker: broker, logger: Logger(component: "ticket-worker", minimumLevel: .error))
        // On threads of their own: a suite blocking the cooperative pool (two threads) for a minute
        // timed these workers out in a full run (2026-12-05), though nothing was wrong with them.
        return Task(executorPreference: DedicatedThreads.shared) { [stopFlag] in try await worker.run(shouldStop: { stopFlag.isSet }) }
    }

    /// Starts the real category-load worker on this spool.
    func startCategoryLoadWorker() throws -> Task<Void, any Error> {
        let worker = try AnalyticsWorker<CategoryLoadAggregate>(
            broker: broker, statePath: directory.appendingPathComponent("category-load.db").path, timeZone: TimeZone(identifier: "UTC")!,
            logger: Logger(component: "category-load", minimumLevel: .error))
        return Task(executorPreference: DedicatedThreads.shared) { [stopFlag] in try await worker.run(shouldStop: { stopFlag.isSet }) }
    }
}

@Suite(.onDedicatedThreads) struct AdapterTests {
    static let reasons: [(Int32, String)] = [(ENOSPC, "disk is full"), (EROFS, "read-only"), (EACCES, "permission"), (EIO, "I/O error")]

    @Test("a command through the spool is applied by the real ticket worker and its reply comes back")
    func commandIsRepliedByTheWorker() async throws {
        let world = try SpoolWorld()
        let worker = try world.startTicketWorker()
        defer { world.stopFlag.set() }
        let sender = BrokerCommandSender(client: world.requester)
        let command = Command(role: .customer, action: .createTicket(CreateTicket(description: "The projector in room 4 flickers", location: "Room 4")))
        // 60 s (scaled): a reply that must come; under ThreadSanitizer on a loaded machine 20 s once passed without one.
        let outcome = await sender.send(command, timeout: TestTime.scaled(.seconds(60)))
        guard case .replied(let reply) = outcome else {
            Issue.record("expected a reply, got \(outcome)")
            return
        }
        #expect(reply.commandID == command.id)
        #expect(reply.refusal == nil)
        #expect(reply.ticket?.location == "Room 4")
        // Read-your-writes: the query side sees it at once.
        let reader = TicketReader(openingLazily: world.ticketsPath)
        #expect(try await reader.counts()[.open] == 1)
        world.stopFlag.set()
        try await worker.value
    }

    @Test("a refused command comes back as a refusal, not as a failure")
    func refusalIsReplied() async throws {
        let world = try SpoolWorld()
        let worker = try world.startTicketWorker()
        let sender = BrokerCommandSender(client: world.requester)
        let outcome = await sender.send(Command(role: .customer, action: .changeStatus(ChangeStatus(ticketID: TicketID(1), status: .active))), timeout: TestTime.scaled(.seconds(60)))
        guard case .replied(let reply) = outcome else {
            Issue.record("expected a reply, got \(outcome)")
            return
        }
        #expect(reply.refusal?.code == .forbidden || reply.refusal?.code == .notFound)
        world.stopFlag.set()
        try await worker.value
    }

    @Test("with no worker the command is durably queued and the outcome is .queued")
    func noWorkerMeansQueued() async throws {
        let world = try SpoolWorld()
        let sender = BrokerCommandSender(client: world.requester)
        let outcome = await sender.send(Command(role: .customer, action: .createTicket(CreateTicket(description: "Door 3 does not lock"))), timeout: .milliseconds(200))
        #expect(outcome == .queued)
        let stats = try world.spool.queue(.commands).stats()
        #expect(stats.waiting == 1)
    }

    @Test("when the command cannot be written the outcome is .unavailable with a human reason")
    func unwritableSpoolIsUnavailable() async throws {
        let world = try SpoolWorld()
        // A regular file where the commands queue directory must be: every send fails, nothing is enqueued.
        let queues = world.directory.appendingPathComponent("spool/queues/commands")
        try? FileManager.default.removeItem(at: queues)
        #expect(FileManager.default.createFile(atPath: queues.path, contents: Data("not a directory".utf8)))
        let sender = BrokerCommandSender(client: world.requester)
        let outcome = await sender.send(Command(role: .customer, action: .createTicket(CreateTicket(description: "Tap leaks"))), timeout: .seconds(2))
        guard case .unavailable(let reason) = outcome else {
            Issue.record("expected unavailable, got \(outcome)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test("spool errors become sentences an operator understands")
    func humanReasons() {
        for (code, phrase) in Self.reasons {
            let error = SpoolError(kind: .io, operation: "send", path: "/spool/queues/commands/tmp/x", errno: code, detail: "x")
            #expect(BrokerCommandSender.humanReason(error).contains(phrase))
        }
    }

    @Test("analytics: a live worker answers; a dead service times out and degrades alone")
    func analyticsAnswersAndTimesOut() async throws {
        let world = try SpoolWorld()
        let worker = try world.startCategoryLoadWorker()
        let analytics = BrokerAnalyticsQuerying(client: AnalyticsClient(requester: world.requester))
        let load = await analytics.categoryLoad(timeout: TestTime.scaled(.seconds(60)))
        guard case .answered(let answer) = load else {
            Issue.record("expected an answer, got \(load)")
            return
        }
        #expect(answer.categories.allSatisfy { $0.open == 0 && $0.active == 0 && $0.closed == 0 })
        #expect(await analytics.resolutionTime(timeout: .milliseconds(200)) == .timedOut)
        world.stopFlag.set()
        try await worker.value
    }

    @Test("readiness: every check fails without workers, the worker and store checks pass with the real worker")
    func readinessProbesTheRealWorker() async throws {
        let world = try SpoolWorld()
        let tickets = TicketReader(openingLazily: world.ticketsPath)
        let analytics = BrokerAnalyticsQuerying(client: AnalyticsClient(requester: world.requester))
        let probe = BrokerReadinessProbe(client: world.requester, analytics: analytics, tickets: tickets)
        var checks = await probe.check(timeout: .milliseconds(200))
        #expect(checks.map(\.name) == ["ticket-worker", "ticket-store", "open-tickets", "resolution-time", "category-load", "service-levels"])
        #expect(checks.allSatisfy { !$0.ready && $0.detail != nil })

        let worker = try world.startTicketWorker()
        let loadWorker = try world.startCategoryLoadWorker()
        // The workers are ready once they answer (their start opens and migrates the store): wait for
        // that event rather than for one probe's 5 s, which a loaded machine's start can outlast.
        try await eventually("the probe to see the ticket worker, store and category-load ready", within: .seconds(60)) { lastSeen in
            let c = await probe.check(timeout: TestTime.scaled(.seconds(5)))
            lastSeen = c.map { "\($0.name)=\($0.ready)" }.joined(separator: " ")
            return ["ticket-worker", "ticket-store", "category-load"].allSatisfy { name in c.first { $0.name == name }?.ready == true }
        }
        // Probing twice more: the second answer comes from the worker's record of the fixed probe id.
        for _ in 0..<2 {
            checks = await probe.check(timeout: TestTime.scaled(.seconds(5)))
            #expect(checks.first { $0.name == "ticket-worker" }?.ready == true)
            #expect(checks.first { $0.name == "ticket-store" }?.ready == true)
            #expect(checks.first { $0.name == "category-load" }?.ready == true)
        }
        // The probe never changed a ticket.
        #expect(try await tickets.counts().values.reduce(0, +) == 0)
        world.stopFlag.set()
        try await worker.value
        try await loadWorker.value
    }
}
