import Domain
import SpoolBroker
import CSV
import TicketStore
import ServiceLifecycle
import HTTPServer
import Foundation

/// `campusdesk export [--status S]... [--output FILE]`: all tickets (or those in the given statuses)
/// as CSV on stdout or into a file.
///
/// Reads through the ticket store's read-only query side, page by page (newest first), and writes
/// each page before reading the next, so it runs beside the live system, never holds a write lock,
/// and holds one page in memory whatever the number of tickets. Columns and escaping: `TicketCSV`.
/// `--output` writes `FILE.tmp`, fsyncs it and renames it to `FILE` at the end: a stopped export
/// leaves no half file under the name.
enum ExportCommand {
    static let usage = "usage: campusdesk export [--status open|active|closed]... [--output FILE]\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk export", usage: usage) { args throws(CommandLineError) in
            var statuses: Set<Status> = []
            var output: String?
            while let arg = args.next() {
                if arg == "--output" {
                    guard output == nil else { throw args.unexpected(arg) }
                    output = try args.value(of: arg)
                    continue
                }
                guard arg == "--status" else { throw args.unexpected(arg) }
                let value = try args.value(of: "--status")
                guard let status = Status(rawValue: value) else { throw .usage("campusdesk export: no status '\(value.prefix(40))'") }
                statuses.insert(status)
            }
            let config = try Configuration.fromCommandLine("campusdesk export")
            guard FileManager.default.fileExists(atPath: config.ticketDatabasePath) else {
                throw .failure("campusdesk export: no ticket database at \(config.ticketDatabasePath) (has the ticket worker run?)")
            }
            return await export(statuses: statuses, output: output, config: config)
        }
    }

    static func export(statuses: Set<Status>, output: String?, config: Configuration) async -> Int32 {
        let tmp = output.map { $0 + ".tmp" }
        do {
            let reader = try TicketReader.sequential(path: config.ticketDatabasePath)
            let out: FileHandle
            if let tmp {
                guard FileManager.default.createFile(atPath: tmp, contents: nil), let handle = FileHandle(forWritingAtPath: tmp) else {
                    CommandLineTool.printError("campusdesk export: cannot write \(tmp)\n")
                    return ExitCode.failure
                }
                out = handle
            } else {
                out = FileHandle.standardOutput
            }
            try out.write(contentsOf: Data(TicketCSV.header.utf8))
            var filter = TicketFilter(statuses: statuses, limit: TicketFilter.maxLimit)
            var count = 0
            while true {
                let page = try await reader.list(filter)
                var text = ""
                for t in page.tickets { text += TicketCSV.record(t) }
                try out.write(contentsOf: Data(text.utf8))
                count += page.tickets.count
                guard let next = page.nextCursor else { break }
                filter.cursor = next
            }
            if let output, let tmp {
                try out.synchronize()
                try out.close()
                guard rename(tmp, output) == 0 else { throw POSIXFailure(operation: "rename", path: output) }
            }
            FileHandle.standardError.write(Data("campusdesk export: \(count) tickets\n".utf8))
            return 0
        } catch {
            if let tmp { try? FileManager.default.removeItem(atPath: tmp) }
            CommandLineTool.printError("campusdesk export: \(error)\n")
            return ExitCode.failure
        }
    }
}

