import TicketStore
import Domain
import ServiceLifecycle
import Foundation

/// `campusdesk attachments sweep [--grace SECONDS]`: removes attachment files no row refers to.
///
/// A file is stored (fsynced) before the command that refers to it is sent, so a gateway killed
/// between the two, or a command refused, leaves an orphan; so does an upload whose body never
/// finished (`attachments/incoming/`). Files younger than the grace period (3600 s by default) are
/// kept: their command may still be on its way. Reads `CAMPUSDESK_DATA`; run it from cron, or by
/// hand after a crash. Prints what it removed on stdout; exit 1 when the store cannot be read.
enum AttachmentsCommand {
    static let usage = "usage: campusdesk attachments sweep [--grace SECONDS]\n"
    static let defaultGrace = 3600

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk attachments", usage: usage) { args throws(CommandLineError) in
            guard args.next() == "sweep" else { throw .usage("") }
            var grace = defaultGrace
            while let arg = args.next() {
                switch arg {
                case "--grace": grace = try args.integer(of: arg, in: 0...31_536_000)
                default: throw args.unexpected(arg)
                }
            }
            let config = try Configuration.fromCommandLine("campusdesk attachments")
            return await sweep(config: config, grace: .seconds(grace))
        }
    }

    static func sweep(config: Configuration, grace: Duration) async -> Int32 {
        do {
            // The referenced hashes are read before the files are listed (AttachmentFiles.sweep).
            let referenced = try await TicketReader(path: config.ticketDatabasePath, poolSize: 1).referencedAttachmentHashes()
            let result = try AttachmentFiles(dataDirectory: config.dataDirectory).sweep(referenced: referenced, now: SystemClock().now(), grace: grace)
            for name in result.orphans { print("removed orphan \(name)") }
            for name in result.incoming { print("removed incoming \(name)") }
            FileHandle.standardError.write(Data("campusdesk attachments: \(result.orphans.count) orphans and \(result.incoming.count) incoming files removed, \(result.kept) young unreferenced files kept\n".utf8))
            return ExitCode.success
        } catch {
            CommandLineTool.printError("campusdesk attachments: \(error)")
            return ExitCode.failure
        }
    }
}
