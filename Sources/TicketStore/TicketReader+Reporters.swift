import Domain
import SQLiteKit

// MARK: - Who reported a ticket on the campus desk

/// The campus desk's reporters (migration 10, `ticket_reporters`): the digest of the secret the
/// reporting client holds, so that client, and nobody else without staff's rights, reads the
/// ticket once it is closed (docs/roles.md, "Own tickets on the campus desk").
extension TicketReader {
    /// Whether ticket `id` was reported by the client whose reporter key has this digest.
    public func isReporter(of id: TicketID, keyDigest: String) async throws -> Bool {
        try withConnection { db in
            try db.cachedStatement("SELECT 1 FROM ticket_reporters WHERE ticket_id = ? AND key_digest = ?")
                .queryFirst([.integer(id.rawValue), .text(keyDigest)]) { _ in true } ?? false
        }
    }

    /// The digest of the key ticket `id` was reported with, or nil (no key: the network desk, an
    /// import). The notifier's key for the reporter's web inbox (docs/notifications.md).
    public func reporterKeyDigest(of id: TicketID) async throws -> String? {
        try withConnection { db in
            try db.cachedStatement("SELECT key_digest FROM ticket_reporters WHERE ticket_id = ?")
                .queryFirst([.integer(id.rawValue)]) { $0.text(at: 0) }
        }
    }

    /// The closed tickets reported by the client whose key has this digest, newest report first, at most `limit`.
    ///
    /// One range of `ticket_reporters_by_key` joined to the tickets: it walks that client's reports
    /// (a browser files a handful) and keeps the closed ones.
    public func closedReports(keyDigest: String, limit: Int) async throws -> [Ticket] {
        try withConnection { db in
            try db.cachedStatement("""
                SELECT \(Ticket.columns) FROM ticket_reporters r JOIN tickets ON tickets.id = r.ticket_id
                WHERE r.key_digest = ? AND tickets.status = 'closed' ORDER BY r.ticket_id DESC LIMIT ?
                """).query([.text(keyDigest), .integer(Int64(max(0, limit)))]) { try Ticket(row: $0) }
        }
    }
}
