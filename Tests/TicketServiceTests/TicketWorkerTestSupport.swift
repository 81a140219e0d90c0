import TestSupport
import Fixtures
import Foundation
@testable import Domain
@testable import Logging
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService

/// A ticket worker on a real spool and a real SQLite file in a fresh temp directory.
///
/// `events.test` is bound to the `events` exchange like an analytics worker's queue; the worker
/// runs inside `running { }` and stops (finishing its batch) when the body returns.
struct TicketWorkerWorld {
    let dir: TemporaryDirectory
    let spool: Spool
    let broker: SpoolMessageBroker
    let store: TicketStore
    let worker: TicketWorker
    let commands: SpoolQueue
    let events: SpoolQueue
    static let eventsQueue = QueueName.events(.openTickets)

    /// - Parameter spoolRoot: where the spool goes (a small tmpfs, say); by default beside the database.
    init(settings: TicketWorker.Settings? = nil, authMode: AuthMode = .open, spoolRoot: String? = nil) throws {
        dir = try TemporaryDirectory()
        var limits = SpoolLimits()
        limits.pollInterval = .milliseconds(20)
        spool = try Spool(root: spoolRoot ?? dir.path("spool"), limits: limits, logger: Logger(component: "spool", minimumLevel: .error))
        broker = SpoolMessageBroker(spool: spool)
        store = try TicketStore(path: dir.path("tickets.db"), classifier: KeywordClassifier(), clock: SystemClock(), authMode: authMode)
        try spool.exchange(.events).bind(Self.eventsQueue)
        var s = settings ?? TicketWorker.Settings()
        s.idleWait = .milliseconds(50)
        worker = try TicketWorker(store: store, broker: broker, logger: Logger(component: "ticket-worker", minimumLevel: .error), settings: s)
        commands = try spool.queue(.commands)
        events = try spool.queue(Self.eventsQueue)
    }

    func remove() { dir.remove() }

    /// Runs the worker while `body` runs, then stops it and waits for it to return.
    func running<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let stop = StopFlag()
        let worker = self.worker
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await worker.run(shouldStop: { stop.isSet })
                return nil
            }
            let result: T
            do { result = try await body() } catch {
                stop.set()
                try await group.waitForAll()
                throw error
            }
            stop.set()
            try await group.waitForAll()
            return result
        }
    }

    /// A `command` envelope for `command`.
    static func envelope(_ command: Command) throws -> Envelope {
        try Envelope(type: TicketWorkerMessageType.command, body: command, sentAt: SystemClock().now())
    }

    static func create(_ description: String, id: CommandID = .random()) -> Command {
        Command(id: id, role: .customer, action: .createTicket(CreateTicket(description: description)))
    }

    /// Claims and acks change events from `events.test` until `count` arrived or the deadline passes.
    ///
    /// Waits through the queue's async `messages` (off the cooperative pool, which tests share).
    func collectEvents(_ count: Int, within seconds: Double = 30) async throws -> [ChangeEvent] {
        var got: [ChangeEvent] = []
        let deadline = Date().addingTimeInterval(seconds * TestTime.scale)
        while got.count < count && Date() < deadline {
            for d in try await events.messages(max: 10_000, timeout: .milliseconds(100)) {
                got.append(try d.envelope.decodeBody(ChangeEvent.self))
                try events.ack(d)
            }
        }
        return got
    }

    /// Reason texts in `commands/dead/`, sorted by file name.
    func deadReasons() throws -> [String] {
        let deadDir = spool.root + "/queues/commands/dead"
        return try FileManager.default.contentsOfDirectory(atPath: deadDir).filter { $0.hasSuffix(".reason") }.sorted()
            .map { try String(contentsOfFile: deadDir + "/" + $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Message files of `commands` in one stage (`new`, `cur`, `deferred`, `dead`), hidden names skipped.
    func commandFiles(_ stage: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool.root + "/queues/commands/" + stage)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Rows in a table of the ticket database, read through a separate connection.
    func count(_ table: String) throws -> Int64 {
        let db = try Connection(path: dir.path("tickets.db"), mode: .readOnly)
        return try db.prepare("SELECT count(*) FROM \(table)").queryFirst { $0.int64(at: 0) } ?? -1
    }
}
