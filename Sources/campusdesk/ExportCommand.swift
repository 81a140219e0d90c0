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
        var statuses: Set<Status> = []
        var rest = args[...]
        while let arg = rest.popFirst() {
            switch arg {
            case "--status":
                guard let value = rest.popFirst(), let status = Status(rawValue: value) else { return UpCommand.fail(usage, 64) }
                statuses.insert(status)
            case "-h", "--help":
                print(usage, terminator: "")
                return 0
            default:
                return UpCommand.fail("campusdesk export: unknown argument '\(arg.prefix(40))'\n" + usage, 64)
            }
        }
        let config: Configuration
        do { config = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment) } catch {
            return UpCommand.fail("campusdesk export: \(error)\n", 64)
        }
        guard FileManager.default.fileExists(atPath: config.ticketDatabasePath) else {
            return UpCommand.fail("campusdesk export: no ticket database at \(config.ticketDatabasePath) (has the ticket worker run?)\n", 1)
        }
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
            return UpCommand.fail("campusdesk export: \(error)\n", 1)
        }
    }
}
