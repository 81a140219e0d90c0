import SpoolBroker
import Notifier
import Foundation

/// `campusdesk queue`: inspect and repair the spool, and the notifier's notifications (the queue
/// `notifications`, from `$CAMPUSDESK_DATA/notifications.db` when it exists). The logic lives in
/// `QueueCLI` (library).
enum QueueCommand {
    static func run(_ args: [String]) async -> Int32 {
        let env = ProcessInfo.processInfo.environment
        let data = env["CAMPUSDESK_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        let out = QueueCLI.run(args, environment: env, external: NotificationsQueue.inDataDirectory(data).map { [$0] } ?? [])
        if !out.stdout.isEmpty { FileHandle.standardOutput.write(Data(out.stdout.utf8)) }
        if !out.stderr.isEmpty { FileHandle.standardError.write(Data(out.stderr.utf8)) }
        return out.status
    }
}
