import Domain
import SQLiteKit

// MARK: - Applied commands

extension TicketReader {
    /// The reply the ticket worker stored when it applied the command with this id, and when it
    /// applied it; nil when it has not applied one (none was sent, or it still waits in the queue).
    ///
    /// The gateway asks before it sends a form again that it recognises by its content
    /// (`RepeatKey`), so the person is told where the first one went.
    public func appliedReply(_ id: CommandID) async throws -> (reply: CommandReply, at: Timestamp)? {
        try withConnection { db in
            try db.cachedStatement("SELECT reply, applied_at FROM applied_commands WHERE command_id = ?")
                .queryFirst([.text(id.rawValue)]) { s in
                    (try StoredReply.read(s, at: 0, commandID: id), Timestamp(millisecondsSinceEpoch: s.int64(at: 1)))
                }
        }
    }
}
