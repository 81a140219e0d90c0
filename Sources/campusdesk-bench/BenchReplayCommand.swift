import Domain
import Logging
import SpoolBroker
import Classifier
import TicketStore
import TicketService
import Foundation
import ServiceLifecycle

/// `campusdesk-bench replay --db FILE [--dir DIR] [--slices N,...]`: how long commands wait while a fresh consumer's
/// replay runs (scaling finding 9), the replay in slices (as the worker runs) against one shot.
///
/// FILE is a `tickets.db` with its events (e.g. one a scale run kept); it is migrated once and
/// copied for each mode, so both start from the same bytes. In each mode the worker runs in this
/// process on a spool under DIR (default: the temp directory; /dev/shm keeps the disk out of it),
/// one `events.bench` queue asks for every event from seq 1, and a client sends one
/// `create_ticket` at a time and times its reply until the replay has caught up.
enum BenchReplayCommand {
    static let usage = "usage: campusdesk-bench replay --db FILE [--dir DIR] [--slices N,N...]\n"

    static func run(_ args: [String]) async -> Int32 {
        var source: String?
        var base = FileManager.default.temporaryDirectory.path
        var slices = [TicketWorker.Settings().replaySlice]
        var rest = args[...]
        if rest.first == "replay" { rest = rest.dropFirst() }
        while let arg = rest.popFirst() {
            switch arg {
            case "--db": source = rest.popFirst()
            case "--dir": guard let d = rest.popFirst() else { return fail(usage) }; base = d
            case "--slices":
                guard let list = rest.popFirst()?.split(separator: ",").compactMap({ Int($0) }), !list.isEmpty, list.allSatisfy({ $0 > 0 }) else { return fail(usage) }
                slices = list
            default: return fail(usage)
            }
        }
        guard let source, FileManager.default.fileExists(atPath: source) else { return fail(usage) }
        let dir = URL(fileURLWithPath: base).appendingPathComponent("campusdesk-bench-replay-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let migrated = dir.appendingPathComponent("source.db").path
            try FileManager.default.copyItem(atPath: source, toPath: migrated)
            let events = try await TicketStore(path: migrated, classifier: NaiveBayesClassifier.standard(), clock: SystemClock()).lastSequence
            print("## replay of \(events.rawValue) events to one fresh consumer, one create_ticket at a time meanwhile")
            let modes = slices.map { ("in slices of \($0)\($0 == TicketWorker.Settings().replaySlice ? " (the default)" : "")", $0) }
            for (label, slice) in modes + [("one shot (before)", Int.max)] {
                try await measure(label, slice: slice, source: migrated, dir: dir.appendingPathComponent("slice-\(slice)"))
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("bench replay: \(error)\n".utf8))
            return 1
        }
    }

    private static func measure(_ label: String, slice: Int, source: String, dir: URL) async throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("tickets.db").path
        try FileManager.default.copyItem(atPath: source, toPath: db)
        let spool = try Spool(root: dir.appendingPathComponent("spool").path, logger: Logger(component: "spool", minimumLevel: .warning))
        let queue = try QueueName("events.bench")
        try spool.exchange(.events).bind(queue)
        let store = try TicketStore(path: db, classifier: try NaiveBayesClassifier.standard(), clock: SystemClock())
        let end = try await store.lastSequence
        var settings = TicketWorker.Settings()
        settings.replaySlice = slice
        let broker = SpoolMessageBroker(spool: spool)
        let worker = try TicketWorker(store: store, broker: broker, logger: Logger(component: "ticket-worker", minimumLevel: .warning), settings: settings)
        let requester = try RequestClient(broker: broker, processName: "bench")
        defer { requester.close() }
        let stop = StopSignal()
        let request = try JSONSerialization.data(withJSONObject: ["from": 1, "queue": queue.rawValue] as [String: any Sendable])
        try spool.queue(.commands).send(Envelope(type: "replay_request", sentAt: SystemClock().now(), rawBody: request))

        var waits: [Double] = []
        var replaySeconds = 0.0
        try await withThrowingTaskGroup(of: Void.self) { group in
            let start = ContinuousClock.now
            group.addTask { try await worker.run(shouldStop: { stop.isRequested }) }
            var i = 0
            while await worker.counters.eventsReplayed < Int(end.rawValue) {
                let command = Command(role: .customer, action: .createTicket(CreateTicket(
                    description: "The projector in room \(i) shows no picture", location: "Block \(i % 9)")))
                let sent = ContinuousClock.now
                _ = try await requester.request(try Envelope(type: TicketWorkerMessageType.command, body: command, sentAt: SystemClock().now()),
                                                to: .commands, timeout: .seconds(600))
                waits.append(seconds(ContinuousClock.now - sent))
                i += 1
            }
            replaySeconds = seconds(ContinuousClock.now - start)
            stop.requestStop()
            try await group.waitForAll()
        }
        waits.sort()
        func p(_ q: Double) -> String { waits.isEmpty ? "-" : String(format: "%.1f", waits[min(waits.count - 1, Int(Double(waits.count) * q))] * 1000) }
        print("\(label): replay \(String(format: "%.1f", replaySeconds)) s; \(waits.count) commands answered meanwhile, "
              + "wait p50 \(p(0.5)) ms, p99 \(p(0.99)) ms, max \(p(1.0)) ms")
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return 64
    }
}
