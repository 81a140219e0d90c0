import Foundation
import Synchronization
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import Logging
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService

/// The ticket worker's loop in miniature, over the real broker and a real `TicketStore` on a temp
/// file: claim commands, apply the batch, reply through `broker.reply`, ack. It can lose the first
/// reply of chosen commands (as a crash between commit and reply would) to exercise resends.
final class StoreResponder: Sendable {
    let broker: any MessageBroker
    let store: TicketStore
    let queue: any MessageConsumer
    private let stopped = Atomic<Bool>(false)
    private let loseFirstReply: @Sendable (Command) -> Bool
    /// How many times each command id arrived.
    let arrivals = Mutex<[CommandID: Int]>([:])

    init(broker: any MessageBroker, store: TicketStore, loseFirstReply: @escaping @Sendable (Command) -> Bool = { _ in false }) throws {
        self.broker = broker
        self.store = store
        self.queue = try broker.consumer(of: .commands)
        self.loseFirstReply = loseFirstReply
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func run() async throws {
        while !stopped.load(ordering: .relaxed) {
            let deliveries = try await queue.messages(max: 128, timeout: .milliseconds(50))
            guard !deliveries.isEmpty else { continue }
            let commands = try deliveries.map { try $0.envelope.decodeBody(Command.self) }
            let replies = try await store.apply(commands)
            for (k, d) in deliveries.enumerated() {
                let n = arrivals.withLock { a -> Int in
                    a[commands[k].id, default: 0] += 1
                    return a[commands[k].id, default: 0]
                }
                if !(n == 1 && loseFirstReply(commands[k])) {
                    try broker.reply(to: d.envelope, type: TicketWorkerMessageType.commandReply, body: replies[k])
                }
                try queue.ack(d)
            }
        }
    }
}

/// A spool and a ticket store in one temp directory.
struct ClientWorld {
    let dir: TemporaryDirectory
    let spool: Spool
    let broker: SpoolMessageBroker
    let store: TicketStore

    init(limits: SpoolLimits = SpoolLimits()) throws {
        dir = try TemporaryDirectory()
        var quiet = Logger(component: "test")
        quiet.minimumLevel = .error
        spool = try Spool(root: dir.path("spool"), limits: limits, logger: quiet)
        broker = SpoolMessageBroker(spool: spool)
        store = try TicketStore(path: dir.path("tickets.db"), classifier: KeywordClassifier(), clock: SystemClock())
    }

    func client() throws -> RequestClient {
        var quiet = Logger(component: "client")
        quiet.minimumLevel = .error
        return try RequestClient(broker: broker, processName: "test-client", logger: quiet)
    }

    /// Runs the client against a responder until the client returns, then stops the responder.
    func send(_ commands: [Command], options: RequestClient.BulkOptions, responder: StoreResponder,
              progress: @escaping @Sendable (RequestClient.BulkProgress) -> Void = { _ in }) async throws -> RequestClient.BulkOutcome {
        let client = try client()
        defer { client.close() }
        return try await withThrowingTaskGroup(of: RequestClient.BulkOutcome?.self) { group in
            group.addTask { try await responder.run(); return nil }
            let outcome = await client.send(commands, options: options, progress: progress)
            responder.stop()
            try await group.waitForAll()
            return outcome
        }
    }
}

/// `n` valid historical tickets, as staff import commands; `invalid` positions lack their closing time.
func importCommands(_ n: Int, invalid: Set<Int> = []) -> [Command] {
    let base = Timestamp(iso8601: "2025-01-10T09:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)
    return (0..<n).map { i in
        let opened = base.adding(milliseconds: Int64(i) * 60_000)
        let ticket = invalid.contains(i)
            ? ImportTicket(description: "Broken chair \(i)", status: .closed, openedAt: opened)
            : ImportTicket(description: "Printer jam in room \(i)", location: "B\(i % 7)", reporter: "r\(i)@campus.example",
                           status: .closed, openedAt: opened, closedAt: opened.adding(milliseconds: 3_600_000))
        return Command(role: .agent, action: .importTicket(ticket))
    }
}

/// On threads of its own: thousands of commands through SQLite and the spool keep a thread busy for
/// seconds, which on the cooperative pool (two threads here) starved other suites' deadlines.
@Suite(.onDedicatedThreads) struct RequestClientBulkTests {
    @Test("every command is applied once and each reply is matched to its command, refusals included")
    func appliesEveryCommandAndMatchesReplies() async throws {
        let world = try ClientWorld()
        defer { world.dir.remove() }
        let commands = importCommands(700, invalid: [3, 250, 699])
        var options = RequestClient.BulkOptions()
        options.batchSize = 64
        options.window = 200
        // No reply is lost here, so nothing may be resent; the default 20 s resend age passed under
        // AddressSanitizer on a loaded machine (400 resends). Resends have their own test below.
        options.resendAfter = .seconds(600)
        let last = Mutex<RequestClient.BulkProgress?>(nil)
        let outcome = try await world.send(commands, options: options, responder: try StoreResponder(broker: world.broker, store: world.store)) { p in
            last.withLock { $0 = p }
        }
        #expect(outcome.stopReason == nil)
        #expect(outcome.unanswered.isEmpty)
        #expect(outcome.refused == [3, 250, 699])
        #expect(outcome.applied.count == 697)
        #expect(outcome.resent == 0)
        for (i, reply) in outcome.replies.enumerated() { #expect(reply?.commandID == commands[i].id) }
        #expect(outcome.replies[3]?.refusal?.code == .validation)
        #expect(outcome.replies[10]?.ticket?.description == "Printer jam in room 10")
        #expect(try await TicketReader(path: world.dir.path("tickets.db")).counts().values.reduce(0, +) == 697)
        let final = try #require(last.withLock { $0 })
        #expect(final.total == 700 && final.sent == 700 && final.answered == 700 && final.refused == 3)
    }

    @Test("a lost reply makes the client resend the same command id, and the ticket exists once")
    func resendsUnansweredWithTheSameCommandIDs() async throws {
        let world = try ClientWorld()
        defer { world.dir.remove() }
        let commands = importCommands(120)
        let lost = Set(commands.enumerated().filter { $0.offset % 4 == 0 }.map(\.element.id))
        let responder = try StoreResponder(broker: world.broker, store: world.store) { lost.contains($0.id) }
        var options = RequestClient.BulkOptions()
        options.batchSize = 16
        options.resendAfter = .milliseconds(300)
        let outcome = try await world.send(commands, options: options, responder: responder)
        #expect(outcome.stopReason == nil)
        #expect(outcome.applied.count == 120)
        #expect(outcome.resent >= lost.count)
        let arrivals = responder.arrivals.withLock { $0 }
        #expect(lost.allSatisfy { (arrivals[$0] ?? 0) >= 2 })
        #expect(Set(arrivals.keys) == Set(commands.map(\.id)))
        // Resent commands were applied once: one ticket per command, and the resent reply names the first ticket.
        #expect(try await TicketReader(path: world.dir.path("tickets.db")).counts().values.reduce(0, +) == 120)
        #expect(Set(outcome.replies.compactMap { $0?.ticket?.id }).count == 120)
    }

    @Test("with no worker the client gives up and the commands stay queued for later")
    func givesUpWhenNothingAnswersAndLeavesCommandsQueued() async throws {
        let world = try ClientWorld()
        defer { world.dir.remove() }
        let client = try world.client()
        defer { client.close() }
        var options = RequestClient.BulkOptions()
        options.batchSize = 10
        options.giveUpAfter = .milliseconds(300)
        options.resendAfter = .seconds(60)
        let outcome = await client.send(importCommands(25), options: options)
        guard case .gaveUp = outcome.stopReason else {
            Issue.record("expected gaveUp, got \(String(describing: outcome.stopReason))")
            return
        }
        #expect(outcome.unanswered.count == 25)
        #expect(try world.spool.queue(.commands).stats().waiting == 25)
        // Three files of at most 10: sends are batched.
        let files = try FileManager.default.contentsOfDirectory(atPath: world.dir.path("spool/queues/commands/new"))
        #expect(files.count == 3)
    }

    @Test("a command over the spool's message limit is reported as not sent; the rest go through")
    func reportsACommandTooLargeToSend() async throws {
        var limits = SpoolLimits()
        limits.maxMessageBytes = 4_096
        let world = try ClientWorld(limits: limits)
        defer { world.dir.remove() }
        var commands = importCommands(5)
        let opened = Timestamp(iso8601: "2025-02-01T10:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)
        commands[2] = Command(role: .agent, action: .importTicket(ImportTicket(
            description: String(repeating: "long text ", count: 600), status: .open, openedAt: opened)))
        let outcome = try await world.send(commands, options: RequestClient.BulkOptions(), responder: try StoreResponder(broker: world.broker, store: world.store))
        #expect(outcome.stopReason == nil)
        #expect(outcome.notSent.keys.sorted() == [2])
        #expect(outcome.notSent[2]?.contains("exceeds the broker's limit of 4096") == true)
        #expect(outcome.applied == [0, 1, 3, 4])
        #expect(outcome.unanswered.isEmpty)
    }

    @Test("a reply to a command of the run that is not a command reply goes to dead/ with a reason")
    func deadLettersAnUndecodableReply() async throws {
        let world = try ClientWorld()
        defer { world.dir.remove() }
        let client = try world.client()
        defer { client.close() }
        let commands = importCommands(1)
        let commandsQueue = try world.broker.consumer(of: .commands)
        let replies = try world.spool.queue(client.replyQueue)
        let outcome = try await withThrowingTaskGroup(of: RequestClient.BulkOutcome?.self) { group in
            group.addTask { await client.send(commands) }
            // Answers the command with a body that is not a CommandReply.
            var answered = false
            let deadline = ContinuousClock.now + .seconds(20)
            while !answered && ContinuousClock.now < deadline {
                for d in try await commandsQueue.messages(max: 1, timeout: .milliseconds(100)) {
                    try world.broker.reply(to: d.envelope, type: TicketWorkerMessageType.commandReply, body: ["surprise": 1])
                    try commandsQueue.ack(d)
                    answered = true
                }
            }
            #expect(answered)
            try await eventually("one dead reply") { try replies.stats().dead == 1 }
            group.cancelAll()
            return try await group.next() ?? nil
        }
        #expect(try replies.stats().waiting == 0)
        #expect(try replies.deadLetters().first?.reason.contains("not a command reply") == true)
        #expect(outcome?.stopReason == .cancelled)
        #expect(outcome?.unanswered == [0])
    }
}
