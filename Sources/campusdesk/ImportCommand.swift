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

/// `campusdesk import FILE.csv [--wait SECONDS]`: historical tickets from CSV into the running system.
///
/// Rows go to the ticket worker as `import_ticket` commands (as the operator: role admin, no account)
/// through the broker, like
/// every other change; the command returns when each sent row has its reply. Bad rows are listed
/// on stderr with their line numbers and the good rows still go in. Exit 0 only when every row of
/// the file is now a ticket; 1 when any row was rejected (by the CSV checks or by the worker) or is
/// still unconfirmed, so a script notices a partial import. See docs/operations.md.
enum ImportCommand {
    static let usage = "usage: campusdesk import FILE.csv [--wait SECONDS]   (FILE '-' reads stdin)\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk import", usage: usage) { args throws(CommandLineError) in
            var file: String?
            var wait = 120
            while let arg = args.next() {
                if arg == "--wait" {
                    wait = try args.integer(of: arg, in: 1...86_400)
                } else {
                    guard file == nil, arg == "-" || !arg.hasPrefix("-") else { throw args.unexpected(arg) }
                    file = arg
                }
            }
            guard let file else { throw .usage("") }
            let config = try Configuration.fromCommandLine("campusdesk import")
            let bytes: [UInt8]
            do {
                bytes = file == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile())
                    : Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw .failure("campusdesk import: cannot read \(file): \(error.localizedDescription)")
            }
            let batch: TicketCSV.ImportBatch
            do { batch = try TicketCSV.parseImport(bytes, now: SystemClock().now()) } catch {
                throw .failure("campusdesk import: \(file): \(error)")
            }
            return await importRows(batch, wait: wait, config: config)
        }
    }

    static func importRows(_ batch: TicketCSV.ImportBatch, wait: Int, config: Configuration) async -> Int32 {
        let stderr = CommandLineTool.printError
        for note in batch.notes { stderr("campusdesk import: note: \(note)\n") }
        for rejection in batch.rejections { stderr("\(rejection)\n") }

        var rejected = batch.rejections.count
        var imported = 0, unconfirmed = 0
        if !batch.rows.isEmpty {
            let result: ImportRun.Result
            do {
                result = try await ImportRun.send(batch.rows.map(\.ticket), label: "importing", processName: "import",
                                                  config: config, waitSeconds: wait)
            } catch {
                stderr("campusdesk import: \(error)\n")
                return ExitCode.failure
            }
            for (k, problem) in result.problems.sorted(by: { $0.key < $1.key }) {
                stderr("line \(batch.rows[k].line): \(problem)\n")
            }
            imported = result.applied
            rejected += result.problems.count
            unconfirmed = result.unconfirmed
            if let note = result.unconfirmedNote { stderr("campusdesk import: \(note)\n") }
        }
        print("imported \(imported), rejected \(rejected)" + (unconfirmed > 0 ? ", unconfirmed \(unconfirmed)" : ""))
        return rejected == 0 && unconfirmed == 0 ? 0 : 1
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
            result.unconfirmedNote = "\(result.unconfirmed) tickets are queued but not confirmed (\(outcome.stopReason.map { "\($0)" } ?? "stopped")); "
                + "they will be applied when the ticket worker runs, so do not import them again"
        }
        return result
    }
}
