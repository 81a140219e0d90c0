import Domain
import SpoolBroker
import HTTPServer

/// The gateway's early check of command fields, shared by forms and the API.
///
/// A convenience only: it spares the queue a round trip for an empty description. The worker
/// checks the same limits again and is the guard; the refusals here use the same codes and
/// field names as the worker's, so the UI shows them the same way.
enum CommandValidation {
    /// How a length limit counts.
    enum Counting {
        /// Characters as people see them, after trimming (forms: what the worker checks).
        case characters
        /// Unicode code points of the text as sent (the API: JSON Schema's `maxLength` counts
        /// these, so a client that honours the document is never refused, nor one that does not accepted).
        case scalarsAsSent
    }

    static func check(_ action: CommandAction, counting: Counting = .characters) -> Refusal? {
        switch action {
        case .createTicket(let c):
            return required(c.description, "description", TextLimits.maxDescription, counting)
                ?? optional(c.location, "location", counting) ?? optional(c.reporter, "reporter", counting)
        case .editTicket(let e):
            if let d = e.description, let r = required(d, "description", TextLimits.maxDescription, counting) { return r }
            return optional(e.location, "location", counting) ?? optional(e.reporter, "reporter", counting)
        case .postMessage(let p):
            return required(p.body, "body", TextLimits.maxMessageBody, counting) ?? optional(p.authorName, "author_name", counting)
        case .addIssueType(let a):
            return issueTypeName(a.name, counting)
        case .renameIssueType(let r):
            return issueTypeName(r.name, counting)
        case .recordSLATransition:
            // The SLA monitor's alone (channel `sla`); nothing reaching the gateway may send it.
            return Refusal(.forbidden, "Only the SLA monitor records SLA transitions.")
        case .changeStatus, .setCategory, .setTriage, .importTicket, .assignTicket,
             .registerUser, .createUser, .updateUser, .changePassword, .startSession, .endSession,
             .retireIssueType, .setIssueType, .setSLAPolicies, .setSLACalendar, .addAttachment, .followTicket, .mergeTicket:
            return nil
        }
    }

    /// The worker's name rule (trimmed length), and for the API also the length as sent (the document's `maxLength`).
    private static func issueTypeName(_ text: String, _ counting: Counting) -> Refusal? {
        if counting == .scalarsAsSent, text.unicodeScalars.count > IssueTypeRules.maxName {
            return Refusal(.validation, "Please use at most \(IssueTypeRules.maxName) characters.", field: "name")
        }
        do { _ = try IssueTypeRules.name(text) } catch { return error }
        return nil
    }

    private static func required(_ text: String, _ field: String, _ max: Int, _ counting: Counting) -> Refusal? {
        let t = text.trimmingWhitespace()
        if t.isEmpty { return Refusal(.validation, "Please fill in this field.", field: field) }
        if length(counting == .characters ? t : text, counting) > max { return Refusal(.validation, "Please use at most \(max) characters.", field: field) }
        return nil
    }

    private static func optional(_ text: String?, _ field: String, _ counting: Counting) -> Refusal? {
        guard let text, length(text, counting) > TextLimits.maxShortField else { return nil }
        return Refusal(.validation, "Please use at most \(TextLimits.maxShortField) characters.", field: field)
    }

    private static func length(_ text: String, _ counting: Counting) -> Int {
        counting == .characters ? text.count : text.unicodeScalars.count
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
