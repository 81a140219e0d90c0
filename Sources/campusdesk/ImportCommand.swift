import Domain
import Logging
import SpoolBroker
import NATSBroker
import CSV
import TicketService
import Supervisor
import Operations
import ServiceLifecycle
import HTTPServer
import Foundation
import Synchronization

/// `campusdesk import FILE.csv [--wait SECONDS] [--rejects FILE] [--restart]`: historical tickets
/// from CSV into the running system.
///
/// Rows go to the ticket worker as `import_ticket` commands (as the operator: role admin, no account)
/// through the broker, like every other change, streamed: the file is read in chunks and sent a
/// window of rows at a time, so memory does not grow with the file (`StreamingImport`). Bad rows
/// are listed on stderr with their line numbers and written to the rejects file, and the good rows
/// still go in. A run stopped by anything (kill -9 included) resumes when run again on the same file.
/// Exit 0 only when every row of the file is now a ticket; 1 when any row was rejected (by the CSV
/// checks or by the worker) or is still unconfirmed, so a script notices a partial import. See
/// docs/operations.md.
enum ImportCommand {
    static let usage = "usage: campusdesk import FILE.csv [--wait SECONDS] [--rejects FILE] [--restart]   (FILE '-' reads stdin)\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk import", usage: usage) { args throws(CommandLineError) in
            var options = StreamingImport.Options()
            var file: String?
            while let arg = args.next() {
                switch arg {
                case "--wait": options.waitSeconds = try args.integer(of: arg, in: 1...86_400)
                case "--rejects": options.rejectsPath = try args.value(of: arg)
                case "--restart": options.restart = true
                // Rows per checkpoint (tests make it small to have many); not in the usage.
                case "--window": options.window = try args.integer(of: arg, in: 1...1_000_000)
                // Windows in flight at once (1: each window answered before the next is read; benchmarks); not in the usage.
                case "--in-flight": options.inFlight = try args.integer(of: arg, in: 1...64)
                default:
                    guard file == nil, arg == "-" || !arg.hasPrefix("-") else { throw args.unexpected(arg) }
                    file = arg
                }
            }
            guard let file else { throw .usage("") }
            let config = try Configuration.fromCommandLine("campusdesk import")
            return try await StreamingImport(file: file, options: options, config: config).run()
        }
    }
}

/// Sending a list of `ImportTicket`s through a `RequestClient` in bulk mode, shared by `import`, `demo` and `up --demo`.
enum ImportRun {

    struct Result {
        var applied = 0
        /// Refused or unsendable tickets, by position, with the reason.
        var problems: [Int: String] = [:]
        var unconfirmed = 0
        var unconfirmedNote: String?
    }

    /// Sends every ticket and waits for every reply, showing progress on stderr (or through `announce`).
    ///
    /// - Parameter announce: when set, progress and notes go there as plain lines (the supervisor's
    ///   output) instead of a bar on stderr.
    static func send(_ tickets: [ImportTicket], label: String, processName: String, config: Configuration,
                     waitSeconds: Int, announce: (@Sendable (String) -> Void)? = nil) async throws -> Result {
        var logger = Logger(component: processName)
        logger.minimumLevel = .warning
        let broker = try BrokerFactory.open(url: config.brokerURL, spoolDirectory: config.spoolDirectory, processName: "import", logger: logger)
        let client = try RequestClient(broker: broker, processName: processName, logger: logger)
        defer { client.close() }
        let display = announce.map { a in
            ProgressDisplay(label: label, total: tickets.count, isTerminal: false, interval: .seconds(2)) { a(String($0.dropLast())) }
        } ?? ProgressDisplay(label: label, total: tickets.count)
        let note: @Sendable (String) -> Void = announce ?? { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let warned = Mutex(false)
        var options = RequestClient.BulkOptions()
        options.giveUpAfter = .seconds(waitSeconds)
        // As the operator (admin without an account): taken on the campus and the network desk alike.
        let commands = tickets.map { Command(role: .admin, action: .importTicket($0), channel: .import) }
        let outcome = await client.send(commands, options: options) { p in
            display.update(done: p.answered)
            if p.sinceLastReply >= .seconds(5), p.answered < p.total, !warned.withLock({ w in defer { w = true }; return w }) {
                note("waiting for the ticket worker to answer (is `campusdesk up` running?)")
            }
        }
        display.finish(done: outcome.replies.count { $0 != nil })

        var result = Result()
        result.applied = outcome.applied.count
        for i in outcome.refused {
            guard let refusal = outcome.replies[i]?.refusal else { continue }
            result.problems[i] = "refused by the ticket worker: " + (refusal.field.map { "\($0): " } ?? "") + refusal.reason
        }
        for (i, reason) in outcome.notSent { result.problems[i] = "not sent: \(reason)" }
        result.unconfirmed = outcome.unanswered.count
        if result.unconfirmed > 0 {
            let reason = outcome.stopReason.map { "\($0)" } ?? "stopped"
            if case .gaveUp? = outcome.stopReason {
                // Every command was sent: all of them are queued.
                result.unconfirmedNote = "\(result.unconfirmed) tickets are queued but not confirmed (\(reason)); "
                    + "they will be applied when the ticket worker runs, so do not import them again"
            } else {
                // A failed or cancelled send leaves the rest unsent: only those sent are queued.
                result.unconfirmedNote = "\(result.unconfirmed) tickets are not confirmed (\(reason)); "
                    + "those already sent stay queued and are applied when the ticket worker runs"
            }
        }
        return result
    }
}
