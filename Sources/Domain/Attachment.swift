/// The id of an attachment: a random UUID the gateway chooses before it sends `add_attachment`.
///
/// Chosen by the sender, not by the worker, so the gateway can name the file in its answer and a
/// redelivered command stays one row; unguessable, though every download is access-checked anyway.
public struct AttachmentID: StringIdentifier {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A file on a ticket (migration 14, `attachments`): the row that refers to a content-addressed
/// file under `<data>/attachments/` by its SHA-256.
public struct Attachment: Sendable, Codable, Equatable, Hashable {
    public var id: AttachmentID
    public var ticketID: TicketID
    /// The message the file came with, when it came with one.
    public var messageID: MessageID?
    /// SHA-256 of the stored bytes (after metadata removal), 64 lower-case hex digits.
    public var sha256: String
    /// Stored size in bytes.
    public var size: Int64
    /// The media type decided from the content (docs/attachments.md, "Accepted types").
    public var contentType: String
    /// The sanitised name the uploader's file had; shown and offered on download, never a path.
    public var filename: String
    public var uploadedByID: UserID?
    public var uploadedByRole: Role
    public var uploadedByName: String?
    public var createdAt: Timestamp

    public init(id: AttachmentID, ticketID: TicketID, messageID: MessageID?, sha256: String, size: Int64, contentType: String, filename: String,
                uploadedByID: UserID?, uploadedByRole: Role, uploadedByName: String?, createdAt: Timestamp) {
        self.id = id
        self.ticketID = ticketID
        self.messageID = messageID
        self.sha256 = sha256
        self.size = size
        self.contentType = contentType
        self.filename = filename
        self.uploadedByID = uploadedByID
        self.uploadedByRole = uploadedByRole
        self.uploadedByName = uploadedByName
        self.createdAt = createdAt
    }

    /// True for the types a browser shows inline as a picture.
    public var isImage: Bool { contentType.hasPrefix("image/") }

    /// The types the worker records (`ContentSniffer`'s "stored as" column).
    public static let storedTypes: Set<String> = [
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain; charset=utf-8",
    ]

    enum CodingKeys: String, CodingKey {
        case id, ticketID = "ticket_id", messageID = "message_id", sha256, size, contentType = "content_type", filename
        case uploadedByID = "uploaded_by_id", uploadedByRole = "uploaded_by_role", uploadedByName = "uploaded_by_name", createdAt = "created_at"
    }

    /// Absent values are written as `null` (the API document lists every member).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ticketID, forKey: .ticketID)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(size, forKey: .size)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(filename, forKey: .filename)
        try c.encode(uploadedByID, forKey: .uploadedByID)
        try c.encode(uploadedByRole, forKey: .uploadedByRole)
        try c.encode(uploadedByName, forKey: .uploadedByName)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// Record a file already stored (fsynced, content-addressed) under the data directory on a ticket.
///
/// Who may: whoever may post a message on that ticket (`Permissions`, `post_message`), and once it
/// is closed only staff. The file is written before this command is sent, so a crash between the
/// two leaves only an unreferenced file, which the orphan sweep removes.
public struct AddAttachment: Sendable, Codable, Equatable {
    public var attachmentID: AttachmentID
    public var ticketID: TicketID
    public var messageID: MessageID?
    public var sha256: String
    public var size: Int64
    public var contentType: String
    public var filename: String

    public init(attachmentID: AttachmentID, ticketID: TicketID, messageID: MessageID? = nil, sha256: String, size: Int64,
                contentType: String, filename: String) {
        self.attachmentID = attachmentID
        self.ticketID = ticketID
        self.messageID = messageID
        self.sha256 = sha256
        self.size = size
        self.contentType = contentType
        self.filename = filename
    }

    enum CodingKeys: String, CodingKey {
        case attachmentID = "attachment_id", ticketID = "ticket_id", messageID = "message_id", sha256, size
        case contentType = "content_type", filename
    }
}
