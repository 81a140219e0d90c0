import SpoolBroker
import Operations
import ServiceLifecycle
import HTTPServer
import Foundation

/// `campusdesk backup DIR`: a consistent online copy of `tickets.db` and the analytics state files.
///
/// Runs beside the live system (the workers keep writing); reads `CAMPUSDESK_DATA`. Prints the
/// manifest (tab-separated) on stdout and notes on stderr; exit 1 with the reason when any file
/// cannot be copied, 64 for a usage error. What it guarantees: `Backup`.
enum BackupCommand {
    static let usage = "usage: campusdesk backup DIR   (DIR: a new directory, or one without a previous backup)\n"

    static func run(_ args: [String]) async -> Int32 {
        if args == ["-h"] || args == ["--help"] {
            print(usage, terminator: "")
            return 0
        }
        guard args.count == 1, let target = args.first, !target.isEmpty, !target.hasPrefix("-") else {
            return UpCommand.fail(usage, 64)
        }
        let config: Configuration
        do { config = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment) } catch {
            return UpCommand.fail("campusdesk backup: \(error)\n", 64)
        }
        do {
            let manifest = try Backup(dataDirectory: config.dataDirectory).run(into: target)
            for name in manifest.skipped {
                FileHandle.standardError.write(Data("campusdesk backup: \(name) not present, skipped (its worker rebuilds it by replay)\n".utf8))
            }
            print(manifest.text, terminator: "")
            let total = manifest.entries.reduce(Int64(0)) { $0 + $1.bytes }
            FileHandle.standardError.write(Data("campusdesk backup: \(manifest.entries.count) files, \(total) bytes in \(target)\n".utf8))
            return 0
        } catch {
            return UpCommand.fail("campusdesk backup: \(error)\n", 1)
        }
    }
}
