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
    static let usage = """
        usage: campusdesk backup DIR   (DIR: a new directory, or one without a previous backup)
               campusdesk backup --verify DIR                (check every attachment file of a backup)
               campusdesk backup --restore-attachments DIR   (put a backup's attachment files back into CAMPUSDESK_DATA)

        """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk backup", usage: usage) { args throws(CommandLineError) in
            guard var target = args.next(), !target.isEmpty else { throw .usage("") }
            let mode = target
            if mode == "--verify" || mode == "--restore-attachments" {
                guard let dir = args.next(), !dir.isEmpty, !dir.hasPrefix("-") else { throw .usage("") }
                target = dir
            } else if target.hasPrefix("-") {
                throw .usage("")
            }
            try args.expectEnd()
            if mode == "--verify" { return AttachmentBackupCommand.verify(target) }
            let config = try Configuration.fromCommandLine("campusdesk backup")
            if mode == "--restore-attachments" { return AttachmentBackupCommand.restore(target, config: config) }
            return backup(into: target, config: config)
        }
    }

    static func backup(into target: String, config: Configuration) -> Int32 {
        do {
            let manifest = try Backup(dataDirectory: config.dataDirectory).run(into: target)
            for name in manifest.skipped {
                let why = name == Backup.notificationsFileName ? "the notifier has not run here" : "its worker rebuilds it by replay"
                FileHandle.standardError.write(Data("campusdesk backup: \(name) not present, skipped (\(why))\n".utf8))
            }
            print(manifest.text, terminator: "")
            let total = manifest.entries.reduce(Int64(0)) { $0 + $1.bytes }
            FileHandle.standardError.write(Data("campusdesk backup: \(manifest.entries.count) files, \(total) bytes in \(target)\n".utf8))
            AttachmentBackupCommand.report(manifest.attachments, copiedTo: target)
            return 0
        } catch {
            CommandLineTool.printError("campusdesk backup: \(error)")
            return ExitCode.failure
        }
    }
}
