import SpoolBroker
import Foundation

/// `campusdesk queue`: inspect and repair the spool. The logic lives in `QueueCLI` (library).
enum QueueCommand {
    static func run(_ args: [String]) async -> Int32 {
        let out = QueueCLI.run(args, environment: ProcessInfo.processInfo.environment)
        if !out.stdout.isEmpty { FileHandle.standardOutput.write(Data(out.stdout.utf8)) }
        if !out.stderr.isEmpty { FileHandle.standardError.write(Data(out.stderr.utf8)) }
        return out.status
    }
}
