import Foundation

/// The rules every ticket change must pass, as pure functions of the command, the ticket and the time.
///
/// The ticket worker is the guard (the gateway checks the same limits only for a friendlier form);
/// keeping the rules free of storage makes each one testable alone and keeps the store about SQL.
/// Each rule throws a `Refusal` naming the code, a reason for people and the field concerned.
public enum TicketRules {
    // MARK: - Text

    /// A description trimmed of surrounding white space, 1...5,000 characters.
    public static func description(_ text: String, field: String = "description") throws(Refusal) -> String {
        try requiredText(text, max: TextLimits.maxDescription, field: field, what: "Description")
    }

    /// A message body trimmed of surrounding white space, 1...5,000 characters.
    public static func messageBody(_ text: String) throws(Refusal) -> String {
        try requiredText(text, max: TextLimits.maxMessageBody, field: "body", what: "Message")
    }

    /// An optional short field (location, reporter, author name): trimmed, empty means none, ≤ 200 characters.
    public static func shortField(_ text: String?, field: String) throws(Refusal) -> String? {
        guard let text else { return nil }
        let trimmed = trimmed(text)
        guard fits(trimmed, TextLimits.maxShortField) else {
            throw Refusal(.validation, "\(field.capitalized) is longer than \(TextLimits.maxShortField) characters.", field: field)
        }
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A reporter's contact e-mail address (optional; empty means none), checked as account addresses are.
    public static func contactEmail(_ text: String?) throws(Refusal) -> String? {
        guard let text, !trimmed(text).isEmpty else { return nil }
        do { return try AccountRules.email(text) } catch { throw Refusal(error.code, error.reason, field: "contact_email") }
    }

    /// A reporter's contact phone number (optional; empty means none), checked as account numbers are.
    public static func contactPhone(_ text: String?) throws(Refusal) -> String? {
        do { return try AccountRules.phone(text) } catch { throw Refusal(error.code, error.reason, field: "contact_phone") }
    }

    /// A preferred contact time as ``ContactWindow`` reads it, in canonical form; empty means none.
    public static func preferredContactTime(_ text: String?) throws(Refusal) -> String? {
        guard let text, !trimmed(text).isEmpty else { return nil }
        guard text.count <= TextLimits.maxShortField, let window = ContactWindow(parsing: text) else {
            throw Refusal(.validation, ContactWindow.rule, field: "preferred_contact_time")
        }
        return window.text
    }

    private static func requiredText(_ text: String, max: Int, field: String, what: String) throws(Refusal) -> String {
        let trimmed = trimmed(text)
        guard !trimmed.isEmpty else { throw Refusal(.validation, "\(what) is required.", field: field) }
        guard fits(trimmed, max) else { throw Refusal(.validation, "\(what) is longer than \(max) characters.", field: field) }
        return trimmed
    }

    /// The text without surrounding white space; text with none is returned as is.
    ///
    /// Most text arrives already trimmed (every import row has three fields), and Foundation's
    /// trimming builds a new string each time, so the common case is checked first.
    private static func trimmed(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `text.count <= max` without counting characters when the UTF-8 length already settles it
    /// (a character is at least one byte).
    private static func fits(_ text: String, _ max: Int) -> Bool {
        text.utf8.count <= max || text.count <= max
    }

    // MARK: - Lifecycle and roles

    /// The longest reason a status change may carry (characters, after trimming).
    public static let maxReason = 500

    /// A status change: one step along `open → active → closed` as `Permissions` allow the actor on
    /// this ticket (`change_status`), or the one step back, a reopen `closed → active`
    /// (`reopen_ticket` on this desk), which needs a reason. Returns the reason as it is recorded:
    /// trimmed, nil when none was given (allowed for every change but a reopen).
    ///
    /// A reopen goes to `active`, not `open`: the ticket was worked on and keeps its assignee and
    /// triage, and it is back in the work queue at once.
    @discardableResult
    public static func checkTransition(from current: Status, to target: Status, reason: String? = nil, actor: Actor,
                                       on ticket: TicketParties, desk: AuthMode) throws(Refusal) -> String? {
        if current == .closed, target != .closed {
            guard Permissions.allows(actor, .reopenTicket, on: ticket, desk: desk) else {
                throw Refusal(.forbidden, desk == .open
                    ? "Only helpdesk staff may reopen a closed ticket."
                    : "Only a manager or an administrator may reopen a closed ticket.", field: "status")
            }
            guard target == .active else {
                throw Refusal(.invalidTransition, "A closed ticket is reopened to active, not to \(target.rawValue).", field: "status")
            }
            // A conflict with the ticket's state (409), not a malformed field: the same body is
            // valid for any other change, where the reason is optional.
            guard let reason = try statusReason(reason) else {
                throw Refusal(.invalidTransition, "Say why the ticket is reopened: a closed ticket is reopened only with a reason.", field: "reason")
            }
            return reason
        }
        try Permissions.check(actor, .changeStatus, on: ticket, field: "status")
        guard current.next == target else {
            throw Refusal(.invalidTransition, "A ticket cannot go from \(current.rawValue) to \(target.rawValue).", field: "status")
        }
        return try statusReason(reason)
    }

    /// A status change's reason: trimmed, at most ``maxReason`` characters; empty means none.
    public static func statusReason(_ text: String?) throws(Refusal) -> String? {
        guard let text else { return nil }
        let trimmed = trimmed(text)
        guard fits(trimmed, maxReason) else { throw Refusal(.validation, "Reason is longer than \(maxReason) characters.", field: "reason") }
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Editing text fields: as `Permissions` allow, while the ticket is not closed.
    public static func checkEdit(status: Status, actor: Actor, on ticket: TicketParties) throws(Refusal) {
        try Permissions.check(actor, .editTicket, on: ticket)
        guard status != .closed else { throw Refusal(.readOnly, "A closed ticket cannot be edited.") }
    }

    /// Setting the category by hand: as `Permissions` allow (on any status, so staff can correct history).
    public static func checkSetCategory(actor: Actor, on ticket: TicketParties) throws(Refusal) {
        try Permissions.check(actor, .setCategory, on: ticket, field: "category")
    }

    /// Posting a message: as `Permissions` allow; once the ticket is closed, only staff still write under it.
    public static func checkMessage(status: Status, actor: Actor, on ticket: TicketParties) throws(Refusal) {
        try Permissions.check(actor, .postMessage, on: ticket, field: "body")
        guard status != .closed || actor.role.isStaff else {
            throw Refusal(.readOnly, "The ticket is closed; only staff can still write under it.", field: "body")
        }
    }

    /// A reporter key's digest as commands carry it: 64 lower-case hex digits (a SHA-256), or nil.
    public static func reporterKeyDigest(_ text: String?) throws(Refusal) -> String? {
        guard let text else { return nil }
        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw Refusal(.validation, "reporter_key_digest must be 64 lower-case hex digits (a SHA-256).", field: "reporter_key_digest")
        }
        return text
    }

    /// Importing historical tickets.
    public static func checkImport(actor: Actor) throws(Refusal) {
        try Permissions.check(actor, .importTickets)
    }

    // MARK: - Import

    /// An imported ticket with its text normalised and its times checked against each other and `now`.
    public struct ValidImport: Sendable, Equatable {
        public var description: String
        public var location: String?
        public var reporter: String?
        public var category: Category?
        public var status: Status
        public var openedAt: Timestamp
        public var modifiedAt: Timestamp
        public var closedAt: Timestamp?
        public var messages: [ImportedMessage]
        public var severity: Severity?
        public var impact: Impact
        public var priority: Priority?
        public var assigneeID: UserID?
        public var contactEmail: String?
        public var contactPhone: String?
        public var preferredContactTime: String?
    }

    /// Validates an import: closed ⇔ `closed_at`, `closed_at ≥ opened_at`, `modified_at ≥ opened_at`
    /// (and ≥ `closed_at`), messages not before `opened_at`, nothing after `now`; contact e-mail,
    /// phone and preferred time by the rules of a report (the time in canonical form).
    ///
    /// A missing `modified_at` becomes the latest of opened, closed and message times, because
    /// every change moves it.
    public static func validateImport(_ t: ImportTicket, now: Timestamp) throws(Refusal) -> ValidImport {
        let description = try description(t.description)
        let location = try shortField(t.location, field: "location")
        let reporter = try shortField(t.reporter, field: "reporter")
        switch (t.status, t.closedAt) {
        case (.closed, nil): throw Refusal(.validation, "A closed ticket needs closed_at.", field: "closed_at")
        case (.open, .some), (.active, .some): throw Refusal(.validation, "Only a closed ticket has closed_at.", field: "closed_at")
        default: break
        }
        guard t.openedAt <= now else { throw Refusal(.validation, "opened_at is in the future.", field: "opened_at") }
        // The search index orders tickets by opened_at in a 64-bit key (docs/tickets.md); no ticket
        // predates the epoch, and refusing those keeps the key in range.
        guard t.openedAt.millisecondsSinceEpoch >= 0 else { throw Refusal(.validation, "opened_at is before 1970.", field: "opened_at") }
        if let closedAt = t.closedAt {
            guard closedAt >= t.openedAt else { throw Refusal(.validation, "closed_at is before opened_at.", field: "closed_at") }
            guard closedAt <= now else { throw Refusal(.validation, "closed_at is in the future.", field: "closed_at") }
        }
        var messages: [ImportedMessage] = []
        messages.reserveCapacity(t.messages.count)
        for m in t.messages {
            guard m.sentAt >= t.openedAt else { throw Refusal(.validation, "A message is dated before opened_at.", field: "messages") }
            guard m.sentAt <= now else { throw Refusal(.validation, "A message is dated in the future.", field: "messages") }
            var clean = m
            clean.body = try messageBody(m.body)
            clean.authorName = try shortField(m.authorName, field: "author_name")
            messages.append(clean)
        }
        let latest = ([t.openedAt] + [t.closedAt].compactMap { $0 } + messages.map(\.sentAt)).max() ?? t.openedAt
        let modifiedAt = t.modifiedAt ?? latest
        guard modifiedAt >= t.openedAt else { throw Refusal(.validation, "modified_at is before opened_at.", field: "modified_at") }
        if let closedAt = t.closedAt, modifiedAt < closedAt {
            throw Refusal(.validation, "modified_at is before closed_at.", field: "modified_at")
        }
        guard modifiedAt <= now else { throw Refusal(.validation, "modified_at is in the future.", field: "modified_at") }
        return ValidImport(
            description: description, location: location, reporter: reporter, category: t.category, status: t.status,
            openedAt: t.openedAt, modifiedAt: modifiedAt, closedAt: t.closedAt, messages: messages,
            severity: t.severity, impact: t.impact ?? .one, priority: t.priority, assigneeID: t.assigneeID,
            contactEmail: try contactEmail(t.contactEmail), contactPhone: try contactPhone(t.contactPhone),
            preferredContactTime: try preferredContactTime(t.preferredContactTime))
    }
}

// MARK: - Attachments

extension TicketRules {
    /// Longest display name of an attachment (the sanitiser cuts at 120; the margin is for safety).
    public static let maxAttachmentName = 255

    /// Attaching a file: whoever may post a message on the ticket (`post_message`), and once it
    /// is closed only staff, as for messages.
    public static func checkAttachment(status: Status, actor: Actor, on ticket: TicketParties) throws(Refusal) {
        try Permissions.check(actor, .postMessage, on: ticket, field: "file")
        guard status != .closed || actor.role.isStaff else {
            throw Refusal(.readOnly, "The ticket is closed; only staff can still add files to it.", field: "file")
        }
    }

    /// The facts of an `add_attachment` the worker stores: a hash, a positive size, a stored type
    /// and a display name. The gateway decided them; the worker checks them again (it is the writer).
    public static func checkAttachmentFacts(_ a: AddAttachment) throws(Refusal) {
        guard a.attachmentID.rawValue.utf8.count >= 8, a.attachmentID.rawValue.utf8.count <= 64,
              a.attachmentID.rawValue.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == 45 }) else {
            throw Refusal(.validation, "attachment_id must be 8-64 lower-case letters, digits or dashes.", field: "attachment_id")
        }
        guard a.sha256.utf8.count == 64, a.sha256.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw Refusal(.validation, "sha256 must be 64 lower-case hex digits.", field: "sha256")
        }
        guard a.size > 0 else { throw Refusal(.validation, "An empty file cannot be attached.", field: "file") }
        guard Attachment.storedTypes.contains(a.contentType) else {
            throw Refusal(.validation, "Files of type \(a.contentType.prefix(60)) are not stored.", field: "file")
        }
        let name = a.filename
        guard !name.isEmpty, name.count <= maxAttachmentName, !name.contains("/"), !name.contains("\\"),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Refusal(.validation, "The file name is empty, too long or contains a path.", field: "file")
        }
    }
}
