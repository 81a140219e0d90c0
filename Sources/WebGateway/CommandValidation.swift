import Domain
import SpoolBroker
import HTTPServer

/// The gateway's early check of command fields, shared by forms and the API.
///
/// A convenience only: it spares the queue a round trip for an empty description. The worker
/// checks the same limits again and is the guard; the refusals here use the same codes and
/// field names as the worker's, so the UI shows them the same way.
enum CommandValidation {
    static func check(_ action: CommandAction) -> Refusal? {
        switch action {
        case .createTicket(let c):
            return required(c.description, "description", TextLimits.maxDescription)
                ?? optional(c.location, "location") ?? optional(c.reporter, "reporter")
        case .editTicket(let e):
            if let d = e.description, let r = required(d, "description", TextLimits.maxDescription) { return r }
            return optional(e.location, "location") ?? optional(e.reporter, "reporter")
        case .postMessage(let p):
            return required(p.body, "body", TextLimits.maxMessageBody) ?? optional(p.authorName, "author_name")
        case .changeStatus, .setCategory, .importTicket:
            return nil
        }
    }

    private static func required(_ text: String, _ field: String, _ max: Int) -> Refusal? {
        let t = text.trimmingWhitespace()
        if t.isEmpty { return Refusal(.validation, "Please fill in this field.", field: field) }
        if t.count > max { return Refusal(.validation, "Please use at most \(max) characters.", field: field) }
        return nil
    }

    private static func optional(_ text: String?, _ field: String) -> Refusal? {
        guard let text, text.count > TextLimits.maxShortField else { return nil }
        return Refusal(.validation, "Please use at most \(TextLimits.maxShortField) characters.", field: field)
    }
}

/// Turns a client-chosen idempotency key into a command id, or says why it cannot be one.
///
/// Keys are scoped (`api:` / `form:`) so a form's id can never collide with an API key, and
/// bounded (1...100 visible ASCII characters without spaces or quotes) because they end up in file
/// names and the worker's table.
enum IdempotencyKey {
    static let maxLength = 100

    static func commandID(_ raw: String, scope: String) -> CommandID? {
        guard !raw.isEmpty, raw.utf8.count <= maxLength,
              raw.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return nil }
        return CommandID("\(scope):\(raw)")
    }
}
