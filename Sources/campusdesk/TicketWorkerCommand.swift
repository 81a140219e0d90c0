import Domain
import Logging
import SpoolBroker
import Classifier
import TicketStore
import TicketService
import ServiceLifecycle
import HTTPServer
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk ticket-worker`: the ticket service process (sole writer of `<data>/tickets.db`).
///
/// Reads `CAMPUSDESK_SPOOL` and `CAMPUSDESK_DATA`. SIGTERM/SIGINT stop claiming, finish the batch
/// in hand and exit 0; a second signal exits at once (1): nothing is lost, unacked messages are
/// redelivered to the next worker.
enum TicketWorkerCommand {
    static let usage = "usage: campusdesk ticket-worker\n"

    static func run(_ args: [String]) async -> Int32 {
        if args == ["-h"] || args == ["--help"] {
            print(usage, terminator: "")
            return 0
        }
        guard args.isEmpty else { return fail("campusdesk ticket-worker: unexpected argument '\(args[0].prefix(40))'\n" + usage, 64) }
        let config: Configuration
        do { config = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment) } catch {
            return fail("campusdesk ticket-worker: \(error)\n", 64)
        }
        let logger = Logger(component: "ticket-worker")
        let stop = Stopper()
        let signalSources = stop.installSignalSources(logger: logger)
        defer { signalSources.forEach { $0.cancel() } }

        do {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            let classifier = try NaiveBayesClassifier.standard()
            let store = try TicketStore(path: config.ticketDatabasePath, classifier: classifier, clock: SystemClock())
            let broker = try SpoolMessageBroker(root: config.spoolDirectory, logger: Logger(component: "spool"))
            let worker = try TicketWorker(store: store, broker: broker, logger: logger)
            try await worker.run(shouldStop: { stop.requested })
            return 0
        } catch {
            logger.error("ticket worker failed", ["error": String(String(describing: error).prefix(300))])
            return 1
        }
    }

    private static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }
}

/// The graceful-stop flag, set by SIGTERM/SIGINT through dispatch sources (never in a signal handler).
final class Stopper: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Ignores SIGTERM/SIGINT's default action and routes them to `signalled`; keep the sources alive.
    func installSignalSources(logger: Logger) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { signo in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                if flag.exchange(true, ordering: .relaxed) {
                    logger.warning("second signal, exiting now", ["signal": String(signo)])
                    exit(1)
                }
                logger.info("stop requested, finishing the batch in hand", ["signal": String(signo)])
            }
            source.resume()
            return source
        }
    }

    var requested: Bool { flag.load(ordering: .relaxed) }

    /// Asks for a graceful stop without a signal (benchmarks).
    func requestStop() { flag.store(true, ordering: .relaxed) }
}
