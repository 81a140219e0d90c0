import Foundation
import Domain

/// Every notification's words, in one place: a subject and a plain-text body per kind, each with
/// the ticket's number, an excerpt of its description, its status and its link.
public enum Templates {
    /// A rendered notification: the subject (e-mail only) and the body (e-mail and text message).
    public struct Text: Sendable, Equatable, Codable {
        public var subject: String
        public var body: String
        public init(subject: String, body: String) {
            self.subject = subject
            self.body = body
        }
    }

    /// Characters of the description (and of a message) quoted in a notification.
    public static let excerptLength = 160

    /// The text of `kind` about `ticket`, its link under `baseURL` (`http://desk.example/tickets/123`).
    public static func render(_ kind: NotificationKind, ticket: TicketSnapshot, baseURL: String) -> Text {
        let n = "#\(ticket.id.rawValue)"
        let link = baseURL.hasSuffix("/") ? "\(baseURL)tickets/\(ticket.id.rawValue)" : "\(baseURL)/tickets/\(ticket.id.rawValue)"
        let subject: String
        let lead: String
        switch kind {
        case .ticketCreated:
            subject = "Ticket \(n) has been created"
            lead = "Ticket \(n) has been created (\(ticket.category.title)\(ticket.priority.map { ", \($0.rawValue)" } ?? ""))."
        case .ticketAssigned:
            subject = "Ticket \(n) is assigned to you"
            lead = "Ticket \(n) has been assigned to you."
        case .statusChanged:
            subject = "Ticket \(n) is now \(ticket.status.rawValue)"
            lead = "Ticket \(n) is now \(ticket.status.rawValue)."
        case .messagePosted:
            subject = "New message on ticket \(n)"
            lead = "A new message on ticket \(n):\n\n  \(excerpt(ticket.lastMessageBody ?? ""))"
        case .slaAtRisk:
            subject = "SLA at risk: ticket \(n)"
            lead = "Ticket \(n) has used 75 % of its SLA target."
        case .slaBreached:
            subject = "SLA breached: ticket \(n)"
            lead = "Ticket \(n) has missed its SLA target."
        }
        let body = """
            \(lead)

            Description: \(excerpt(ticket.description))
            Status: \(ticket.status.rawValue)
            Link: \(link)

            -- 
            CampusDesk (this message was sent automatically)

            """
        return Text(subject: subject, body: body)
    }

    /// The signature every body ends with.
    static let signature = "-- \nCampusDesk (this message was sent automatically)\n"

    /// One message for several notifications about one ticket that waited for the reporter's
    /// contact window: a count in the subject, then each notification's subject and text (without
    /// its signature), oldest first, and one signature.
    public static func combined(_ parts: [Text], ticketID: TicketID) -> Text {
        guard parts.count > 1 else { return parts.first ?? Text(subject: "", body: "") }
        let n = "#\(ticketID.rawValue)"
        var body = "\(parts.count) updates on ticket \(n), kept for your preferred contact time:\n"
        for (index, part) in parts.enumerated() {
            let text = part.body.components(separatedBy: "\n" + signature).first ?? part.body
            body += "\n\(index + 1). \(part.subject)\n\n\(text.trimmingCharacters(in: .newlines))\n"
        }
        return Text(subject: "Ticket \(n): \(parts.count) updates", body: body + "\n" + signature)
    }

    /// The line an inbox entry shows under its subject: the new message for `message_posted`, else
    /// the ticket's description.
    public static func inboxExcerpt(_ kind: NotificationKind, ticket: TicketSnapshot) -> String {
        excerpt(kind == .messagePosted ? ticket.lastMessageBody ?? ticket.description : ticket.description)
    }

    /// The first `excerptLength` characters on one line, with "…" when cut.
    public static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.count <= excerptLength ? line : String(line.prefix(excerptLength)) + "…"
    }
}
