import Domain
import SQLiteKit

// MARK: - Attachments (migration 14)

extension TicketStore {
    /// Records a stored file on a ticket: the same rule as a message (`TicketRules.checkAttachment`),
    /// facts checked again here because this is the writer. The ticket itself does not change and no
    /// change event is written (analytics do not count files).
    func addAttachment(_ a: AddAttachment, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let ticket = try load(a.ticketID)
        try TicketRules.checkAttachment(status: ticket.status, actor: actor, on: ticket.parties)
        try TicketRules.checkAttachmentFacts(a)
        if let message = a.messageID {
            let belongs = try db.cachedStatement("SELECT 1 FROM messages WHERE id = ? AND ticket_id = ?")
                .queryFirst([.integer(message.rawValue), .integer(a.ticketID.rawValue)]) { _ in true } ?? false
            guard belongs else { throw Refusal(.validation, "Message \(message) is not under ticket \(a.ticketID).", field: "message_id") }
        }
        let taken = try db.cachedStatement("SELECT 1 FROM attachments WHERE id = ?")
            .queryFirst([.text(a.attachmentID.rawValue)]) { _ in true } ?? false
        guard !taken else { throw Refusal(.conflict, "An attachment with this id exists already.", field: "attachment_id") }
        let name = try actor.userID.map { try loadUser($0)?.name } ?? performing?.command.actorName
        try db.cachedStatement("INSERT INTO attachments (\(Attachment.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").execute { s in
            try s.bind(.text(a.attachmentID.rawValue), at: 1)
            try s.bind(.integer(a.ticketID.rawValue), at: 2)
            try s.bind(.optionalInteger(a.messageID?.rawValue), at: 3)
            try s.bind(.text(a.sha256), at: 4)
            try s.bind(.integer(a.size), at: 5)
            try s.bind(.text(a.contentType), at: 6)
            try s.bind(.text(a.filename), at: 7)
            try s.bind(.optionalInteger(actor.userID?.rawValue), at: 8)
            try s.bind(.text(actor.role.rawValue), at: 9)
            try s.bind(.optionalText(name), at: 10)
            try s.bind(.integer(now.millisecondsSinceEpoch), at: 11)
        }
        return CommandReply(commandID: id, ticket: ticket)
    }
}
