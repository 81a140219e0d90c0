import Foundation
import Domain
import SQLiteKit

// MARK: - One method per command action

/// What each command does to the store, inside the transaction and savepoint `apply` opened.
///
/// Each checks the rules first (a refusal throws before anything is written), writes the row(s),
/// then the change event for the outbox, and returns the reply the sender gets.
extension TicketStore {
    /// A new report: checked, filed under the reporter's issue type or else by the classifier, opened
    /// now, owned by the account that sent it.
    func create(_ c: CreateTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try Permissions.check(actor, .reportTicket)
        let description = try TicketRules.description(c.description)
        let location = try TicketRules.shortField(c.location, field: "location")
        let reporter = try TicketRules.shortField(c.reporter, field: "reporter")
        let contactEmail = try TicketRules.contactEmail(c.contactEmail)
        let contactPhone = try TicketRules.contactPhone(c.contactPhone)
        let preferredContactTime = try TicketRules.preferredContactTime(c.preferredContactTime)
        let issueType = try c.issueTypeID.map(offeredIssueType)
        let reporterKeyDigest = try TicketRules.reporterKeyDigest(c.reporterKeyDigest)
        // The suggestion is made either way: staff see it, and it sets the severity. A chosen type
        // files the ticket (below), so the classifier is not asked then.
        let suggestion = suggest(description)
        let classification = suggestion.map { Classification(category: $0.category.value, confidence: $0.category.confidence) }
            ?? issueType.map { Classification(category: $0.category, confidence: 1) } ?? classifier.classify(description)
        var ticket = Ticket(
            id: TicketID(0), description: description, location: location, reporter: reporter,
            category: classification.category, categorySource: .auto, categoryConfidence: classification.confidence,
            status: .open, openedAt: now, modifiedAt: now, closedAt: nil, customerID: actor.userID, impact: c.impact ?? .one,
            contactEmail: contactEmail, contactPhone: contactPhone, preferredContactTime: preferredContactTime)
        if let s = suggestion { ticket.triage(severity: s.severity.value, source: .auto) }
        if let issueType { ticket.setIssueType(issueType) }
        startSLA(&ticket)
        ticket.id = try insert(ticket, searchIndexed: true, suggestion: suggestion.map(SuggestionText.encode))
        if let reporterKeyDigest {
            try db.cachedStatement("INSERT INTO ticket_reporters (ticket_id, key_digest) VALUES (?, ?)")
                .execute([.integer(ticket.id.rawValue), .text(reporterKeyDigest)])
        }
        try writeEvent(.ticketOpened, ticket: ticket.id, before: nil, after: ticket.facts, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// The reporter's text changed; a new description is filed again unless staff set the category.
    func edit(_ e: EditTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(e.ticketID)
        try TicketRules.checkEdit(status: current.status, actor: actor, on: current.parties)
        guard e.description != nil || e.location != nil || e.reporter != nil || e.contactEmail != nil || e.contactPhone != nil
                || e.preferredContactTime != nil else {
            throw Refusal(.validation, "Nothing to change.")
        }
        var ticket = current
        if let text = e.description { ticket.description = try TicketRules.description(text) }
        if e.location != nil { ticket.location = try TicketRules.shortField(e.location, field: "location") }
        if e.reporter != nil { ticket.reporter = try TicketRules.shortField(e.reporter, field: "reporter") }
        if e.contactEmail != nil { ticket.contactEmail = try TicketRules.contactEmail(e.contactEmail) }
        if e.contactPhone != nil { ticket.contactPhone = try TicketRules.contactPhone(e.contactPhone) }
        if e.preferredContactTime != nil { ticket.preferredContactTime = try TicketRules.preferredContactTime(e.preferredContactTime) }
        // A hand-set category or severity stays; a new description is filed again otherwise.
        var suggestion: TriageSuggestion?
        if ticket.description != current.description {
            suggestion = suggest(ticket.description)
            if current.categorySource == .auto {
                let classification = suggestion.map { Classification(category: $0.category.value, confidence: $0.category.confidence) }
                    ?? classifier.classify(ticket.description)
                ticket.category = classification.category
                ticket.categoryConfidence = classification.confidence
            }
            if let s = suggestion, current.severitySource != .staff { ticket.triage(severity: s.severity.value, source: .auto) }
        }
        try retimeSLA(&ticket, from: current)
        guard ticket != current else { return CommandReply(commandID: id, ticket: current) }
        ticket.modifiedAt = max(now, current.modifiedAt)
        try saveSLA(ticket, from: current)
        try db.execute("""
            UPDATE tickets SET description = ?, location = ?, reporter = ?, category = ?, category_confidence = ?, modified_at = ?,
                               contact_email = ?, contact_phone = ?, preferred_contact_time = ?,
                               severity = ?, severity_source = ?, priority = ?, priority_source = ?
            WHERE id = ?
            """, [.text(ticket.description), .optionalText(ticket.location), .optionalText(ticket.reporter),
                  .text(ticket.category.rawValue), .optionalReal(ticket.categoryConfidence),
                  .integer(ticket.modifiedAt.millisecondsSinceEpoch), .optionalText(ticket.contactEmail),
                  .optionalText(ticket.contactPhone), .optionalText(ticket.preferredContactTime),
                  .optionalText(ticket.severity?.rawValue), .optionalText(ticket.severitySource?.rawValue),
                  .optionalText(ticket.priority?.rawValue), .optionalText(ticket.prioritySource?.rawValue), .integer(ticket.id.rawValue)])
        if suggestion != nil { try storeSuggestion(suggestion, ticket: ticket.id) }
        try recordChange(.ticketEdited, from: current, to: ticket, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// One step along `open → active → closed`, or a reopen `closed → active` with a reason, as the
    /// rules allow the role on this desk; the reason goes into the history with the status row.
    ///
    /// A reopen clears `closed_at`: the ticket counts as resolved again only when it is closed again,
    /// and its change event says so (the analytics subtract the earlier close).
    func changeStatus(_ c: ChangeStatus, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(c.ticketID)
        let reason = try TicketRules.checkTransition(from: current.status, to: c.status, reason: c.reason, actor: actor,
                                                     on: current.parties, desk: authMode)
        var ticket = current
        ticket.status = c.status
        ticket.modifiedAt = max(now, current.modifiedAt)
        ticket.closedAt = c.status == .closed ? ticket.modifiedAt : nil
        // Active answers the reporter; closed resolves; a reopen means it was not resolved after
        // all, so the resolution timer runs again on its first deadlines (docs/sla.md).
        if c.status == .active { ticket.sla?.meet(.firstResponse, at: ticket.modifiedAt) }
        if c.status == .closed {
            ticket.sla?.meet(.firstResponse, at: ticket.modifiedAt)
            ticket.sla?.meet(.resolution, at: ticket.modifiedAt)
        }
        if current.status == .closed { ticket.sla?.resolution.metAt = nil }
        // A reopened duplicate is a ticket of its own again (its followers stay with the survivor).
        if current.status == .closed { ticket.mergedInto = nil }
        try saveSLA(ticket, from: current)
        try db.execute(
            "UPDATE tickets SET status = ?, modified_at = ?, closed_at = ?, merged_into = ? WHERE id = ?",
            [.text(ticket.status.rawValue), .integer(ticket.modifiedAt.millisecondsSinceEpoch),
             .optionalInteger(ticket.closedAt?.millisecondsSinceEpoch), .optionalInteger(ticket.mergedInto?.rawValue),
             .integer(ticket.id.rawValue)])
        try recordChange(.statusChanged, from: current, to: ticket, at: now, reason: reason)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// A message under the ticket; the ticket counts as changed.
    func post(_ p: PostMessage, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(p.ticketID)
        var ticket = current
        try TicketRules.checkMessage(status: ticket.status, actor: actor, on: ticket.parties)
        let body = try TicketRules.messageBody(p.body)
        let authorName = try TicketRules.shortField(p.authorName, field: "author_name")
        ticket.modifiedAt = max(now, ticket.modifiedAt)
        let message = try insertMessage(ticket: ticket.id, role: actor.role, authorName: authorName, body: body, at: ticket.modifiedAt)
        // The first staff message is the first response.
        if actor.role.isStaff { ticket.sla?.meet(.firstResponse, at: message.sentAt) }
        try saveSLA(ticket, from: current)
        try db.execute(
            "UPDATE tickets SET modified_at = ? WHERE id = ?",
            [.integer(ticket.modifiedAt.millisecondsSinceEpoch), .integer(ticket.id.rawValue)])
        try writeEvent(.messagePosted, ticket: ticket.id, before: current.facts, after: ticket.facts, at: now)
        return CommandReply(commandID: id, ticket: ticket, message: message)
    }

    /// A category set by hand, which later edits keep. The ticket's issue type stays when it belongs
    /// to that category (nothing changes) and is taken off when it does not (a type decides its category).
    func setCategory(_ s: SetCategory, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(s.ticketID)
        try TicketRules.checkSetCategory(actor: actor, on: current.parties)
        guard current.category != s.category || (current.categorySource != .staff && current.issueTypeID == nil) else {
            return CommandReply(commandID: id, ticket: current)
        }
        var ticket = current
        ticket.setIssueType(nil)
        ticket.category = s.category
        ticket.categorySource = .staff
        ticket.categoryConfidence = nil
        ticket.modifiedAt = max(now, current.modifiedAt)
        try updateCategory(ticket)
        try noteOverride(of: current, category: s.category, at: now)
        try recordChange(.ticketCategorised, from: current, to: ticket, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// Severity, impact and priority by hand. A hand-set severity stays (`staff`); a pinned priority
    /// stays until `auto` hands it back to the matrix, which otherwise follows severity and impact.
    func setTriage(_ s: SetTriage, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(s.ticketID)
        try Permissions.check(actor, .triageTicket, on: current.parties)
        guard s.severity != nil || s.impact != nil || s.priority != nil else { throw Refusal(.validation, "Nothing to change.") }
        guard current.status != .closed else { throw Refusal(.readOnly, "A closed ticket's triage does not change any more.") }
        var ticket = current
        if let impact = s.impact { ticket.impact = impact }
        switch s.priority {
        case .pinned(let p)?:
            ticket.priority = p
            ticket.prioritySource = .staff
        case .auto?:
            ticket.prioritySource = nil
        case nil: break
        }
        if let severity = s.severity { ticket.triage(severity: severity, source: .staff) } else { ticket.refreshPriority() }
        try retimeSLA(&ticket, from: current)
        guard ticket != current else { return CommandReply(commandID: id, ticket: current) }
        ticket.modifiedAt = max(now, current.modifiedAt)
        try saveSLA(ticket, from: current)
        try db.cachedStatement("""
            UPDATE tickets SET severity = ?, severity_source = ?, impact = ?, priority = ?, priority_source = ?, modified_at = ? WHERE id = ?
            """).execute { st in
            try st.bind(.optionalText(ticket.severity?.rawValue), at: 1)
            try st.bind(.optionalText(ticket.severitySource?.rawValue), at: 2)
            try st.bind(.text(ticket.impact.rawValue), at: 3)
            try st.bind(.optionalText(ticket.priority?.rawValue), at: 4)
            try st.bind(.optionalText(ticket.prioritySource?.rawValue), at: 5)
            try st.bind(.integer(ticket.modifiedAt.millisecondsSinceEpoch), at: 6)
            try st.bind(.integer(ticket.id.rawValue), at: 7)
        }
        if let severity = s.severity { try noteOverride(of: current, severity: severity, at: now) }
        try recordChange(.ticketTriaged, from: current, to: ticket, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// A historical ticket with its own times, listed now and full-text indexed by the background pass.
    func importTicket(_ i: ImportTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        try TicketRules.checkImport(actor: actor)
        let v = try TicketRules.validateImport(i, now: now)
        let issueType = try importedIssueType(i.issueType, category: v.category)
        let category: Category
        let source: CategorySource
        let confidence: Double?
        if let issueType {
            (category, source, confidence) = (issueType.category, .issueType, nil)
        } else if let given = v.category {
            (category, source, confidence) = (given, .staff, nil)
        } else {
            let classification = classifier.classify(v.description)
            (category, source, confidence) = (classification.category, .auto, classification.confidence)
        }
        if let assigneeID = v.assigneeID {
            // History keeps who worked a ticket, so a deactivated engineer is fine; anyone else is not.
            guard let assignee = try loadUser(assigneeID) else {
                throw Refusal(.validation, "There is no account \(assigneeID).", field: "assignee_id")
            }
            guard assignee.role == .engineer else {
                throw Refusal(.validation, "Tickets are assigned to engineers; \(assignee.name) is \(assignee.role.withArticle).", field: "assignee_id")
            }
        }
        var ticket = Ticket(
            id: TicketID(0), description: v.description, location: v.location, reporter: v.reporter,
            category: category, categorySource: source, categoryConfidence: confidence,
            status: v.status, openedAt: v.openedAt, modifiedAt: v.modifiedAt, closedAt: v.closedAt,
            assigneeID: v.assigneeID, impact: v.impact,
            contactEmail: v.contactEmail, contactPhone: v.contactPhone, preferredContactTime: v.preferredContactTime,
            issueTypeID: issueType?.id, issueTypeName: issueType?.name)
        // Imported triage counts as staff's: the severity stays through later suggestions, and a
        // priority stays pinned unless it is the one the matrix gives (then it keeps following it).
        if let priority = v.priority {
            ticket.priority = priority
            ticket.prioritySource = v.severity.map { PriorityMatrix.priority(severity: $0, impact: v.impact) } == priority ? .auto : .staff
        }
        ticket.triage(severity: v.severity, source: .staff)
        startSLA(&ticket, messages: v.messages)
        // Historical: listed and published now, full-text indexed by the background pass.
        ticket.id = try insert(ticket, searchIndexed: false)
        for m in v.messages {
            _ = try insertMessage(ticket: ticket.id, role: m.authorRole, authorName: m.authorName, body: m.body, at: m.sentAt)
        }
        try writeEvent(.ticketImported, ticket: ticket.id, before: nil, after: ticket.facts, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }

    /// Gives the ticket to an engineer, moves it to another or takes it back (`assigneeID` nil).
    ///
    /// Giving out an unassigned ticket or taking one back is `assign_ticket`; moving it from one
    /// engineer to another is `reassign_ticket`; an engineer giving an unassigned ticket to
    /// themselves is `take_ticket` (`Permissions.assignmentPermission`). The assignee must be an active
    /// engineer account, and a closed ticket keeps whoever closed it.
    func assign(_ a: AssignTicket, actor: Actor, id: CommandID, now: Timestamp) throws -> CommandReply {
        let current = try load(a.ticketID)
        try Permissions.check(actor, Permissions.assignmentPermission(actor, on: current.parties, to: a.assigneeID),
                              on: current.parties, field: "assignee_id")
        guard current.status != .closed else { throw Refusal(.readOnly, "A closed ticket cannot be assigned.", field: "assignee_id") }
        if let assigneeID = a.assigneeID {
            guard let assignee = try loadUser(assigneeID) else {
                throw Refusal(.validation, "There is no account \(assigneeID).", field: "assignee_id")
            }
            guard assignee.active else { throw Refusal(.validation, "\(assignee.name)'s account is deactivated.", field: "assignee_id") }
            guard assignee.role == .engineer else {
                throw Refusal(.validation, "Tickets are assigned to engineers; \(assignee.name) is \(assignee.role.withArticle).", field: "assignee_id")
            }
        }
        guard a.assigneeID != current.assigneeID else { return CommandReply(commandID: id, ticket: current) }
        var ticket = current
        ticket.assigneeID = a.assigneeID
        ticket.modifiedAt = max(now, current.modifiedAt)
        try db.execute(
            "UPDATE tickets SET assignee_id = ?, modified_at = ? WHERE id = ?",
            [.optionalInteger(ticket.assigneeID?.rawValue), .integer(ticket.modifiedAt.millisecondsSinceEpoch), .integer(ticket.id.rawValue)])
        try recordChange(.ticketAssigned, from: current, to: ticket, at: now)
        return CommandReply(commandID: id, ticket: ticket)
    }
}
