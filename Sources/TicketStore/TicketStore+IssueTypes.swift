import Foundation
import Domain
import SQLiteKit

// MARK: - Issue types: the admins' list, and a ticket's type

/// The issue type commands, inside the transaction and savepoint `apply` opened, like the ticket
/// actions: each checks first (a refusal throws before anything is written), then writes.
///
/// The list (`add_issue_type`, `rename_issue_type`, `retire_issue_type`) is the admins'
/// (`manage_categories`); it writes no change event (no ticket changes) and no audit row. A
/// ticket's type (`set_issue_type`) is whoever may recategorise it, and is audited like the category.
extension TicketStore {
    func addIssueType(_ a: AddIssueType, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .manageCategories)
        let name = try IssueTypeRules.name(a.name)
        try requireFreeName(name, in: a.category, apartFrom: nil)
        try db.cachedStatement("INSERT INTO issue_types (category, name, created_at) VALUES (?, ?, ?)")
            .execute([.text(a.category.rawValue), .text(name), .integer(now.millisecondsSinceEpoch)])
        return CommandReply(commandID: id, issueType: IssueType(id: IssueTypeID(db.lastInsertRowID), category: a.category, name: name, createdAt: now))
    }

    /// A new name for a type, retired or not; the same name again changes nothing.
    func renameIssueType(_ r: RenameIssueType, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .manageCategories)
        var type = try requireIssueType(r.issueTypeID)
        let name = try IssueTypeRules.name(r.name)
        guard name != type.name else { return CommandReply(commandID: id, issueType: type) }
        try requireFreeName(name, in: type.category, apartFrom: type.id)
        try db.cachedStatement("UPDATE issue_types SET name = ? WHERE id = ?").execute([.text(name), .integer(type.id.rawValue)])
        type.name = name
        return CommandReply(commandID: id, issueType: type)
    }

    /// No longer offered; tickets keep it. Retiring a retired type keeps its first retirement time.
    func retireIssueType(_ r: RetireIssueType, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .manageCategories)
        var type = try requireIssueType(r.issueTypeID)
        guard type.retiredAt == nil else { return CommandReply(commandID: id, issueType: type) }
        // Never before its creation, even if the clock went back (the table's CHECK).
        let at = max(now, type.createdAt)
        try db.cachedStatement("UPDATE issue_types SET retired_at = ? WHERE id = ?").execute([.integer(at.millisecondsSinceEpoch), .integer(type.id.rawValue)])
        type.retiredAt = at
        return CommandReply(commandID: id, issueType: type)
    }

    /// Staff give a ticket another issue type (its category follows) or take it off (nil).
    func setIssueType(_ s: SetIssueType, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(s.ticketID)
        try TicketRules.checkSetCategory(actor: actor, on: current.parties)
        guard s.issueTypeID != current.issueTypeID else { return CommandReply(commandID: id, ticket: current) }
        var ticket = current
        ticket.setIssueType(try s.issueTypeID.map(offeredIssueType))
        ticket.modifiedAt = max(now, current.modifiedAt)
        try updateCategory(ticket)
        // Staff correcting the category through the type is an override the model learns from.
        if ticket.category != current.category { try noteOverride(of: current, category: ticket.category, at: now) }
        try recordChange(.ticketCategorised, from: current, to: ticket, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    // MARK: - Shared steps

    /// Writes the ticket's category, its source and confidence, its issue type and `modified_at`.
    func updateCategory(_ t: Ticket) throws {
        try db.cachedStatement("""
            UPDATE tickets SET category = ?, category_source = ?, category_confidence = ?, issue_type_id = ?, modified_at = ? WHERE id = ?
            """).execute([.text(t.category.rawValue), .text(t.storedCategorySource), .optionalReal(t.categoryConfidence),
                          .optionalInteger(t.issueTypeID?.rawValue), .integer(t.modifiedAt.millisecondsSinceEpoch), .integer(t.id.rawValue)])
    }

    /// The type a new ticket or a change names: it must exist and still be offered.
    func offeredIssueType(_ id: IssueTypeID) throws -> IssueType {
        guard let type = try IssueType.load(db, id) else {
            throw Refusal(.validation, "There is no issue type \(id); please choose one from the list.", field: "issue_type_id")
        }
        guard type.retiredAt == nil else {
            throw Refusal(.validation, "\u{201C}\(type.name)\u{201D} is no longer offered; please choose another issue type.", field: "issue_type_id")
        }
        return type
    }

    /// The type an imported ticket names: found by name (NOCASE) in its category, or in any when the
    /// row has none; retired types count (history keeps them). Blank means none.
    func importedIssueType(_ raw: String?, category: Category?) throws -> IssueType? {
        guard let name = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return nil }
        let found = try IssueType.named(db, name, in: category)
        let quoted = "\u{201C}\(name.prefix(IssueTypeRules.maxName))\u{201D}"
        switch found.count {
        case 1: return found[0]
        case 0:
            throw Refusal(.validation, "There is no issue type \(quoted)\(category.map { " in \($0.title)" } ?? "").", field: "issue_type")
        default:
            let categories = found.map(\.category.title).joined(separator: " and ")
            throw Refusal(.validation, "\(quoted) is an issue type in \(categories); give the category.", field: "issue_type")
        }
    }

    private func requireIssueType(_ id: IssueTypeID) throws -> IssueType {
        guard let type = try IssueType.load(db, id) else { throw Refusal(.notFound, "There is no issue type \(id).", field: "issue_type_id") }
        return type
    }

    /// Refuses a name another type of the category has (NOCASE, retired types included: the unique index).
    private func requireFreeName(_ name: String, in category: Category, apartFrom own: IssueTypeID?) throws {
        guard let other = try IssueType.named(db, name, in: category).first(where: { $0.id != own }) else { return }
        let retired = other.retiredAt == nil ? "" : " (retired; rename that one to reuse its name)"
        throw Refusal(.conflict, "\(category.title) already has an issue type called \u{201C}\(other.name)\u{201D}\(retired).", field: "name")
    }
}
