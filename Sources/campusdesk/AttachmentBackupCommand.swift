import Operations
import ServiceLifecycle
import Foundation

/// The attachment side of `campusdesk backup`: the copied files' line, `--verify DIR` and
/// `--restore-attachments DIR` (what they check: `AttachmentBackup`).
enum AttachmentBackupCommand {
    static func report(_ summary: AttachmentBackup.Summary, copiedTo target: String) {
        note("campusdesk backup: \(summary.files) attachment files, \(summary.bytes) bytes, SHA-256 checked, in \(AttachmentBackup.directory(in: target))")
    }

    /// Exit 0 when every file the backup's `tickets.db` refers to is present and intact, 1 otherwise.
    static func verify(_ backup: String) -> Int32 {
        do {
            let summary = try AttachmentBackup.verify(backup: backup)
            problems(summary, command: "campusdesk backup --verify")
            note("campusdesk backup --verify: \(summary.files) attachment files, \(summary.damaged.count) damaged, \(summary.missing.count) missing")
            return summary.isIntact ? 0 : ExitCode.failure
        } catch {
            CommandLineTool.printError("campusdesk backup --verify: \(error)")
            return ExitCode.failure
        }
    }

    /// Restores the intact files; a damaged or missing one is named and makes the exit 1.
    static func restore(_ backup: String, config: Configuration) -> Int32 {
        do {
            let summary = try AttachmentBackup.restore(from: backup, into: config.dataDirectory)
            problems(summary, command: "campusdesk backup --restore-attachments")
            note("campusdesk backup --restore-attachments: \(summary.restored) restored, \(summary.files - summary.restored - summary.damaged.count - summary.missing.count) already present, \(summary.damaged.count) damaged (not restored), \(summary.missing.count) missing")
            return summary.isIntact ? 0 : ExitCode.failure
        } catch {
            CommandLineTool.printError("campusdesk backup --restore-attachments: \(error)")
            return ExitCode.failure
        }
    }

    private static func problems(_ summary: AttachmentBackup.Summary, command: String) {
        for file in summary.damaged { note("\(command): \(file) is damaged (its bytes do not hash to its name)") }
        for file in summary.missing { note("\(command): \(file) is missing from the backup") }
    }

    private static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
