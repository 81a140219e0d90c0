import Domain
import SQLiteKit

// MARK: - Attachments (migration 14)

extension TicketReader {
    /// The files on ticket `id`, oldest first.
    public func attachments(of id: TicketID) async throws -> [Attachment] {
        try withConnection { db in
            try db.cachedStatement("SELECT \(Attachment.columns) FROM attachments WHERE ticket_id = ? ORDER BY created_at, rowid")
                .query([.integer(id.rawValue)]) { try Attachment(row: $0) }
        }
    }

    /// One attachment by id; nil when there is none.
    public func attachment(_ id: AttachmentID) async throws -> Attachment? {
        try withConnection { db in
            try db.cachedStatement("SELECT \(Attachment.columns) FROM attachments WHERE id = ?")
                .queryFirst([.text(id.rawValue)]) { try Attachment(row: $0) }
        }
    }

    /// Bytes stored for ticket `id` (the per-ticket limit) and for all tickets (the total limit).
    ///
    /// The total sums rows, so a file on two tickets counts twice: the limit is on what people
    /// uploaded, a little above what the disk holds.
    public func attachmentBytes(of id: TicketID) async throws -> (ticket: Int64, total: Int64) {
        try withConnection { db in
            let ticket = try db.cachedStatement("SELECT COALESCE(SUM(size), 0) FROM attachments WHERE ticket_id = ?")
                .queryFirst([.integer(id.rawValue)]) { $0.int64(at: 0) } ?? 0
            let total = try db.cachedStatement("SELECT COALESCE(SUM(size), 0) FROM attachments").queryFirst([]) { $0.int64(at: 0) } ?? 0
            return (ticket, total)
        }
    }

    /// Every hash a row refers to: the files the orphan sweep must keep.
    public func referencedAttachmentHashes() async throws -> Set<String> {
        try withConnection { db in
            Set(try db.cachedStatement("SELECT DISTINCT sha256 FROM attachments").query([]) { $0.text(at: 0) })
        }
    }
}
