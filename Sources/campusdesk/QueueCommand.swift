import SpoolBroker
import Notifier
import NATSBroker
import Foundation

/// `campusdesk queue`: inspect and repair the spool, and the notifier's notifications (the queue
/// `notifications`, from `$CAMPUSDESK_DATA/notifications.db` when it exists). The logic lives in
/// `QueueCLI` (library), or `NATSQueueCLI` when `CAMPUSDESK_BROKER` names NATS servers.
enum QueueCommand {
    static func run(_ args: [String]) async -> Int32 {
        let env = ProcessInfo.processInfo.environment
        let data = env["CAMPUSDESK_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        let external: [any ExternalQueue] = NotificationsQueue.inDataDirectory(data).map { [$0] } ?? []
        let out = if let url = env["CAMPUSDESK_BROKER"], !url.isEmpty {
            NATSQueueCLI.run(args, url: url, external: external)
        } else {
            QueueCLI.run(args, environment: env, external: external)
        }
        if !out.stdout.isEmpty { FileHandle.standardOutput.write(Data(out.stdout.utf8)) }
        if !out.stderr.isEmpty { FileHandle.standardError.write(Data(out.stderr.utf8)) }
        return out.status
    }
}
