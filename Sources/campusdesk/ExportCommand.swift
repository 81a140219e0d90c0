import Domain
import SpoolBroker
import CSV
import TicketStore
import ServiceLifecycle
import HTTPServer
import Foundation

/// `campusdesk export [--status S]...`: all tickets (or those in the given statuses) as CSV on stdout.
///
/// Reads through the ticket store's read-only query side, page by page (newest first), so it runs
/// beside the live system and never holds a write lock. Columns and escaping: `TicketCSV`.
enum ExportCommand {
    static let usage = "usage: campusdesk export [--status open|active|closed]...\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk export", usage: usage) { args throws(CommandLineError) in
            var statuses: Set<Status> = []
            while let arg = args.next() {
                guard arg == "--status" else { throw args.unexpected(arg) }
                let value = try args.value(of: "--status")
                guard let status = Status(rawValue: value) else { throw .usage("campusdesk export: no status '\(value.prefix(40))'") }
                statuses.insert(status)
            }
            let config = try Configuration.fromCommandLine("campusdesk export")
            guard FileManager.default.fileExists(atPath: config.ticketDatabasePath) else {
                throw .failure("campusdesk export: no ticket database at \(config.ticketDatabasePath) (has the ticket worker run?)")
            }
            return await export(statuses: statuses, config: config)
        }
    }

    static func export(statuses: Set<Status>, config: Configuration) async -> Int32 {
        do {
            let reader = try TicketReader(path: config.ticketDatabasePath)
            let out = FileHandle.standardOutput
            out.write(Data(TicketCSV.header.utf8))
            var filter = TicketFilter(statuses: statuses, limit: TicketFilter.maxLimit)
            var count = 0
            while true {
                let page = try await reader.list(filter)
                out.write(Data(page.tickets.map(TicketCSV.record).joined().utf8))
                count += page.tickets.count
                guard let next = page.nextCursor else { break }
                filter.cursor = next
            }
            FileHandle.standardError.write(Data("campusdesk export: \(count) tickets\n".utf8))
            return 0
        } catch {
            CommandLineTool.printError("campusdesk export: \(error)")
            return ExitCode.failure
        }
    }
}
