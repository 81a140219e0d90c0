import Domain
import SQLiteKit

extension Attachment {
    static let columns = "id, ticket_id, message_id, sha256, size, content_type, filename, uploaded_by_id, uploaded_by_role, uploaded_by_name, created_at"

    init(row s: Statement) throws(SQLiteError) {
        self.init(
            id: AttachmentID(s.text(at: 0)), ticketID: TicketID(s.int64(at: 1)), messageID: s.optionalInt64(at: 2).map(MessageID.init),
            sha256: s.text(at: 3), size: s.int64(at: 4), contentType: s.text(at: 5), filename: s.text(at: 6),
            uploadedByID: s.optionalInt64(at: 7).map(UserID.init), uploadedByRole: try decodeEnum(Role.self, s, 8),
            uploadedByName: s.optionalText(at: 9), createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 10)))
    }
}
