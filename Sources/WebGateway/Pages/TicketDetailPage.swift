import Domain
import SpoolBroker
import TicketStore
import HTTPServer

/// `/tickets/{id}`: a ticket's fields, dates and conversation, with the forms that change it.
enum TicketDetailPage {
    /// Which form a re-render concerns, so its input and errors land beside it.
    enum FormKind: Sendable {
        case edit, message, status, category, issueType, triage, assign

        /// The suffix of a form's request id (spelled out: interpolating an enum goes through reflection).
        var name: String {
            switch self {
            case .edit: "edit"
            case .message: "message"
            case .status: "status"
            case .category: "category"
            case .issueType: "issue-type"
            case .triage: "triage"
            case .assign: "assign"
            }
        }
    }

    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var detail: TicketDetail
        var flash: Layout.Flash?
        var failedForm: FormKind?
        var state: FormState = .empty
        /// Fresh ids for the hidden `request_id` of each form (idempotent resubmits).
        var requestID: String
        /// The list query "Back to the list" returns to (validated and re-encoded, ``TicketListQuery/returnQuery(_:actor:mode:)``); empty for the plain list.
        var listQuery = ""
        /// The assigned engineer's account (network desk), for the "Assigned to" line.
        var assignee: User? = nil
        /// The active engineers to choose from; nil when the visitor may not assign this ticket.
        var engineers: [EngineerLoad]? = nil
        /// The audit trail (staff only; nil for customers) and the names of the accounts it mentions.
        var history: [HistoryEntry]? = nil
        var people: [UserID: String] = [:]
        /// The model's suggestion, for staff who may set category or triage (nil otherwise or without one).
        var suggestion: TriageSuggestion? = nil
        /// Every issue type, retired ones too (staff: the form and the trail); nil for customers.
        var issueTypes: [IssueType]? = nil
        /// The instant the SLA states are shown at (the gateway's clock).
        var now = Timestamp(millisecondsSinceEpoch: 0)
        /// The ticket's files: those sent with a message show under it, the others under "Files".
        var attachments: [Attachment] = []
        /// After a report: open tickets that are probably the same problem (``FollowSection``).
        var similar: [Ticket] = []
        /// Whether the visitor reported this ticket (no "Me too" on one's own report).
        var reportedByVisitor = false
    }

    /// What the visitor may do here, from `Permissions` on this ticket's parties.
    struct Allowed {
        var changeStatus, reopen, setCategory, triage, postMessage, edit, assign, reassign, seeConfidence: Bool
        init(_ m: Model) {
            let actor = m.visitor.actor, parties = m.detail.ticket.parties
            changeStatus = Permissions.allows(actor, .changeStatus, on: parties)
            reopen = m.detail.ticket.status == .closed && Permissions.allows(actor, .reopenTicket, on: parties, desk: m.visitor.authMode)
            setCategory = Permissions.allows(actor, .setCategory, on: parties)
            triage = Permissions.allows(actor, .triageTicket, on: parties)
            // Staff may still write under a closed ticket (the worker's rule, `TicketRules.checkMessage`); customers may not.
            postMessage = Permissions.allows(actor, .postMessage, on: parties) && (m.detail.ticket.status != .closed || actor.role.isStaff)
            edit = Permissions.allows(actor, .editTicket, on: parties) && m.detail.ticket.status != .closed
            assign = m.engineers != nil && Permissions.allows(actor, .assignTicket, on: parties)
            reassign = m.engineers != nil && Permissions.allows(actor, .reassignTicket, on: parties)
            // The low-confidence hint asks whoever may correct the category to check it.
            seeConfidence = setCategory
        }
        var anyAction: Bool { changeStatus || reopen || setCategory || triage || assign || reassign }
    }

    static let editFields: Set<String> = ["description", "location", "reporter", "contact_email", "contact_phone", "preferred_contact_time", "file"]
    static let messageFields: Set<String> = ["body", "author_name", "file"]

    /// The page as UTF-8 bytes, built in one buffer (what the route sends).
    static func renderBytes(_ m: Model, time: CampusTime) -> [UInt8] {
        let t = m.detail.ticket
        var h = HTMLBuffer(capacity: 12_288 + m.detail.messages.count * 512)
        Layout.page(title: "Ticket #\(t.id)", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, script: FormsScript.path,
                    body: { body(m, time: time, into: &$0) }, into: &h)
        return h.bytes
    }

    private static func body(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        b.raw("<h1>Ticket #")
        b.number(t.id.rawValue)
        b.raw("</h1>\n<p><a href=\"/tickets")
        if !m.listQuery.isEmpty {
            b.raw("?")
            b.text(m.listQuery)
        }
        b.raw("\">Back to the list</a></p>\n")
        let allowed = Allowed(m)
        // A refusal for a form this page no longer shows (a reporter's message under a ticket closed
        // meanwhile) is said at the top, not lost.
        if let kind = m.failedForm, !shows(kind, allowed, t), let text = m.state.general ?? m.state.errors.values.first {
            b.raw("<p class=\"form-error\" role=\"alert\">")
            b.text(text)
            b.raw("</p>\n")
        }
        facts(m, allowed, time: time, into: &b)
        FollowSection.render(m, time: time, into: &b)
        if m.visitor.role.isStaff, let sla = t.sla { TicketSLASection.render(sla, now: m.now, time: time, into: &b) }
        if t.status == .closed && !m.visitor.role.isStaff { closedNotice(m, time: time, into: &b) }
        if allowed.anyAction { staffActions(m, allowed, into: &b) }
        let loose = m.attachments.filter { $0.messageID == nil }
        if !loose.isEmpty {
            b.raw("<section aria-labelledby=\"files-h\">\n<h2 id=\"files-h\">Files</h2>\n")
            AttachmentList.render(loose, into: &b)
            b.raw("</section>\n")
        }
        conversation(m, allowed, time: time, into: &b)
        if allowed.edit { editForm(m, into: &b) }
        if let history = m.history {
            let names = Dictionary(uniqueKeysWithValues: (m.issueTypes ?? []).map { ($0.id, $0.name) })
            HistoryTimeline.render(history, people: m.people, issueTypes: names, time: time, into: &b)
        }
    }

    /// Whether the page shows the form of this kind (and so the refusal beside it).
    private static func shows(_ kind: FormKind, _ allowed: Allowed, _ t: Ticket) -> Bool {
        switch kind {
        case .message: allowed.postMessage
        case .edit: allowed.edit
        case .status: allowed.reopen || (allowed.changeStatus && t.status != .closed)
        case .category, .issueType, .triage, .assign: t.status != .closed && allowed.anyAction
        }
    }

    // MARK: - Sections

    private static func facts(_ m: Model, _ allowed: Allowed, time: CampusTime, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        func notGiven(_ value: String?, _ b: inout HTMLBuffer) {
            if let value { b.text(value) } else { b.raw("<span class=\"muted\">not given</span>") }
        }
        b.raw("<section aria-labelledby=\"facts-h\">\n<h2 id=\"facts-h\">Details</h2>\n<dl class=\"facts\">\n")
        b.raw("<dt>Problem</dt><dd class=\"text\">")
        b.text(t.description)
        b.raw("</dd>\n<dt>Location</dt><dd>")
        notGiven(t.location, &b)
        b.raw("</dd>\n<dt>Reported by</dt><dd>")
        notGiven(t.reporter, &b)
        b.raw("</dd>\n<dt>Status</dt><dd><span class=\"status status-")
        b.raw(html: t.status.rawValue)
        b.raw("\">")
        b.raw(html: Words.status(t.status))
        b.raw("</span></dd>\n<dt>Category</dt><dd>")
        b.raw(html: Words.category(t.category))
        b.raw(" <span class=\"muted\">(")
        switch t.categorySource {
        case .auto: b.raw("assigned automatically")
        case .staff: b.raw("set by staff")
        case .issueType: b.raw("from the issue type")
        }
        b.raw(")</span>")
        if allowed.seeConfidence, t.categorySource == .auto, let c = t.categoryConfidence, c < Classification.lowConfidenceThreshold {
            b.raw(" <strong class=\"flag\">Low confidence (")
            b.number(Int64(Int((c * 100).rounded())))
            b.raw(" %): please check</strong>")
        }
        b.raw("</dd>\n<dt>Issue type</dt><dd>")
        if let name = t.issueTypeName {
            b.text(name)
            if let id = t.issueTypeID, m.issueTypes?.first(where: { $0.id == id })?.retiredAt != nil {
                b.raw(" <span class=\"muted\">(no longer offered)</span>")
            }
        } else {
            b.raw("<span class=\"muted\">not chosen</span>")
        }
        // The campus desk shows the row once engineers exist in its staff directory.
        if m.visitor.authMode == .accounts || t.assigneeID != nil || m.engineers?.isEmpty == false {
            b.raw("</dd>\n<dt>Assigned to</dt><dd>")
            if let a = m.assignee { b.text(a.name) } else if t.assigneeID != nil { b.raw("an engineer") } else { b.raw("<span class=\"muted\">nobody yet</span>") }
        }
        if m.visitor.role.isStaff {
            // Triage is staff's: reporters never set severity or priority.
            b.raw("</dd>\n<dt>Severity</dt><dd>")
            if let s = t.severity {
                b.raw(html: Words.severity(s))
                b.raw(html: t.severitySource == .staff ? " <span class=\"muted\">(set by staff)</span>" : " <span class=\"muted\">(suggested)</span>")
            } else { b.raw("<span class=\"muted\">not triaged yet</span>") }
            b.raw("</dd>\n<dt>Priority</dt><dd>")
            if let p = t.priority {
                b.raw(html: p.rawValue)
                b.raw(html: t.prioritySource == .staff ? " <span class=\"muted\">(set by staff)</span>" : " <span class=\"muted\">(from severity and people affected)</span>")
            } else { b.raw("<span class=\"muted\">none until a severity is set</span>") }
        }
        b.raw("</dd>\n<dt>Contact</dt><dd>")
        notGiven(t.contactSummary, &b)
        b.raw("</dd>\n<dt>Best time to call</dt><dd>")
        notGiven(t.preferredContactTime, &b)
        b.raw("</dd>\n<dt>People affected</dt><dd>")
        b.raw(html: Words.impact(t.impact))
        b.raw("</dd>\n<dt>Opened</dt><dd>")
        b.time(t.openedAt, time)
        b.raw("</dd>\n<dt>Last changed</dt><dd>")
        b.time(t.modifiedAt, time)
        b.raw("</dd>\n<dt>Closed</dt><dd>")
        if let closed = t.closedAt { b.time(closed, time) } else { b.raw("<span class=\"muted\">not yet</span>") }
        b.raw("</dd>\n</dl>\n</section>\n")
    }

    private static func staffActions(_ m: Model, _ allowed: Allowed, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        b.raw("<section aria-labelledby=\"staff-h\">\n<h2 id=\"staff-h\">Helpdesk actions</h2>\n")
        if t.status == .closed {
            if allowed.reopen {
                reopenForm(m, into: &b)
            } else if allowed.changeStatus {
                b.raw(html: m.visitor.authMode == .open
                      ? "<p>This ticket is closed. Helpdesk staff can reopen it, with a reason.</p>\n"
                      : "<p>This ticket is closed. A manager or an administrator can reopen it, with a reason.</p>\n")
            }
        } else if allowed.changeStatus, let next = t.status.next {
            if next == .closed {
                closeForm(m, into: &b)
            } else {
                formStart(m, .status, action: "/status", cssClass: "inline", into: &b)
                Layout.hidden("status", next.rawValue, into: &b)
                b.raw("<button type=\"submit\">")
                b.raw(html: Words.moveTo(next))
                b.raw("</button>\n</form>\n")
            }
        }
        if allowed.setCategory && t.status != .closed {
            formStart(m, .category, action: "/category", cssClass: "inline", into: &b)
            Field.select(name: "category", label: "Category", idPrefix: "category",
                         options: Category.allCases.map { ($0.rawValue, Words.category($0)) }, selected: t.category.rawValue,
                         state: state(m, .category), into: &b)
            b.raw("<button type=\"submit\">Set category</button>\n</form>\n")
            issueTypeForm(m, into: &b)
        }
        if let s = m.suggestion, t.status != .closed, allowed.setCategory || allowed.triage { suggestionBlock(m, s, allowed, into: &b) }
        if allowed.triage && t.status != .closed { triageForm(m, into: &b) }
        // No form when there is nobody to choose and nothing to take back (a campus desk without a staff directory).
        if let engineers = m.engineers, t.status != .closed, !engineers.isEmpty || t.assigneeID != nil {
            assignForm(m, allowed, engineers: engineers, into: &b)
        }
        b.raw("</section>\n")
    }

    /// Closing asks first, without JavaScript: a required checkbox beside the button (the browser
    /// will not send the form unticked, and the gateway refuses it unticked). One more keystroke
    /// than before, no extra page: closing stays quick for a queue worked all day, and a stray
    /// click or Enter no longer closes a ticket. A reopen undoes a mistaken close.
    private static func closeForm(_ m: Model, into b: inout HTMLBuffer) {
        let s = state(m, .status)
        formStart(m, .status, action: "/status", cssClass: "inline close", into: &b)
        Layout.hidden("status", Status.closed.rawValue, into: &b)
        b.raw("<div class=\"field check\">\n")
        if let error = s.errors["confirm"] { Field.fieldError(error, id: "status-confirm", into: &b) }
        b.raw("<input type=\"checkbox\" id=\"status-confirm\" name=\"confirm\" value=\"yes\" required")
        if s.errors["confirm"] != nil { b.raw(" aria-describedby=\"status-confirm-error\" aria-invalid=\"true\"") }
        b.raw(">\n<label for=\"status-confirm\">Yes, close this ticket (the reporter can then read it, but no longer write under it or edit it)</label>\n</div>\n")
        b.raw("<button type=\"submit\">Close ticket</button>\n</form>\n")
    }

    /// Reopening a closed ticket (back to active), with the reason the history keeps.
    private static func reopenForm(_ m: Model, into b: inout HTMLBuffer) {
        formStart(m, .status, action: "/status", cssClass: "stack", heading: "<h3>Reopen this ticket</h3>\n", into: &b)
        Layout.hidden("status", Status.active.rawValue, into: &b)
        Field.control(.textarea, name: "reason", label: "Why is it reopened?", idPrefix: "reopen", state: state(m, .status), required: true,
                      maxLength: TicketRules.maxReason,
                      hint: "Goes back to active, assignee and triage kept. The reason is kept in the history with your name.", into: &b)
        b.raw("<button type=\"submit\">Reopen ticket</button>\n</form>\n")
    }

    /// What a reporter reads on their closed ticket: when it was closed, that it is read-only now,
    /// and what to do if the problem is back.
    private static func closedNotice(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        b.raw("<section class=\"notice\" aria-labelledby=\"closed-h\">\n<h2 id=\"closed-h\">This ticket is closed</h2>\n<p>")
        if let closed = t.closedAt {
            b.raw("The helpdesk closed it on ")
            b.time(closed, time)
            b.raw(". ")
        }
        if m.detail.messages.last(where: { $0.authorRole.isStaff }) != nil {
            b.raw("The helpdesk&#39;s last answer is among the messages below. ")
        }
        b.raw("A closed ticket is read-only: it can no longer be edited or answered here.</p>\n")
        b.raw("<p>If the problem is back or was not solved, <a href=\"/tickets/new\">report it again</a> and mention ticket #")
        b.number(t.id.rawValue)
        b.raw(" in the description; the helpdesk can also reopen this one.</p>\n</section>\n")
    }

    /// The offered types and the ticket's own (even retired); choosing one moves the category to its.
    private static func issueTypeForm(_ m: Model, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        let types = (m.issueTypes ?? []).filter { $0.retiredAt == nil || $0.id == t.issueTypeID }
        formStart(m, .issueType, action: "/issue-type", cssClass: "inline", into: &b)
        IssueTypeSelect.render(idPrefix: "issue-type", label: "Issue type", hint: nil, none: "No issue type", types: types,
                               selected: t.issueTypeID.map { String($0.rawValue) } ?? "", state: state(m, .issueType), into: &b)
        b.raw("<button type=\"submit\">Set issue type</button>\n</form>\n")
    }

    /// The model's suggestion with one-click accept; the forms below it are the override.
    private static func suggestionBlock(_ m: Model, _ s: TriageSuggestion, _ allowed: Allowed, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        b.raw("<div class=\"suggestions\">\n<h3>Suggested</h3>\n<ul>\n")
        func line(_ what: String, _ value: String, _ confidence: Double, _ words: [String]) {
            b.raw("<li>")
            b.text(what)
            b.raw(": <strong>")
            b.text(value)
            b.raw("</strong> (")
            b.number(Int64(Int((confidence * 100).rounded())))
            b.raw(" % sure")
            if !words.isEmpty {
                b.raw("; words that weighed most: ")
                b.text(words.joined(separator: ", "))
            }
            b.raw(")")
        }
        if allowed.setCategory {
            line("Category", Words.category(s.category.value), s.category.confidence, s.category.words)
            if t.categorySource == .auto || t.category != s.category.value {
                formStart(m, .category, action: "/category", cssClass: "inline", into: &b)
                Layout.hidden("category", s.category.value.rawValue, into: &b)
                b.raw("<button type=\"submit\">Accept category</button>\n</form>")
            }
            b.raw("</li>\n")
        }
        if allowed.triage {
            line("Severity", Words.severity(s.severity.value), s.severity.confidence, s.severity.words)
            if t.severitySource != .staff || t.severity != s.severity.value {
                formStart(m, .triage, action: "/triage", cssClass: "inline", into: &b)
                Layout.hidden("severity", s.severity.value.rawValue, into: &b)
                b.raw("<button type=\"submit\">Accept severity</button>\n</form>")
            }
            b.raw("</li>\n")
        }
        b.raw("</ul>\n<p class=\"hint\">Choose another value below to override; the model learns from overrides.</p>\n</div>\n")
    }

    /// Severity, people affected and priority (automatic from the matrix, or pinned) in one form.
    private static func triageForm(_ m: Model, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        formStart(m, .triage, action: "/triage", cssClass: "inline", into: &b)
        Field.select(name: "severity", label: "Severity", idPrefix: "triage",
                     options: (t.severity == nil ? [("", "Not triaged yet")] : []) + Severity.allCases.map { ($0.rawValue, Words.severity($0)) },
                     selected: t.severity?.rawValue ?? "", state: state(m, .triage), into: &b)
        Field.select(name: "impact", label: "People affected", idPrefix: "triage",
                     options: Impact.allCases.map { ($0.rawValue, Words.impact($0)) }, selected: t.impact.rawValue, state: state(m, .triage), into: &b)
        Field.select(name: "priority", label: "Priority", idPrefix: "triage",
                     options: [("auto", "Automatic (from severity and people affected)")] + Priority.allCases.map { ($0.rawValue, $0.rawValue) },
                     selected: t.prioritySource == .staff ? t.priority?.rawValue : "auto", state: state(m, .triage), into: &b)
        b.raw("<button type=\"submit\">Set triage</button>\n</form>\n")
    }

    /// Choose the engineer (or nobody). Who may only assign (not reassign) sees the choice while the
    /// ticket is unassigned, and afterwards only the button that takes the assignment back.
    private static func assignForm(_ m: Model, _ allowed: Allowed, engineers: [EngineerLoad], into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        if allowed.reassign || (allowed.assign && t.assigneeID == nil) {
            formStart(m, .assign, action: "/assign", cssClass: "inline", into: &b)
            var options: [(String, String)] = [("", "Nobody (unassigned)")]
            for e in engineers {
                options.append((String(e.user.id.rawValue), "\(e.user.name) (\(e.openAssigned) open)"))
            }
            Field.select(name: "assignee_id", label: "Assigned engineer", idPrefix: "assign", options: options,
                         selected: t.assigneeID.map { String($0.rawValue) } ?? "", state: state(m, .assign), into: &b)
            b.raw("<button type=\"submit\">Assign</button>\n</form>\n")
        } else if allowed.assign, t.assigneeID != nil {
            formStart(m, .assign, action: "/assign", cssClass: "inline", into: &b)
            Layout.hidden("assignee_id", "", into: &b)
            b.raw("<button type=\"submit\">Take the assignment back</button>\n</form>\n")
        }
    }

    private static func conversation(_ m: Model, _ allowed: Allowed, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"thread-h\">\n<h2 id=\"thread-h\">Messages</h2>\n")
        if m.detail.messages.isEmpty {
            b.raw("<p>No messages yet.</p>\n")
        } else {
            b.raw("<ol class=\"thread\">\n")
            for msg in m.detail.messages {
                b.raw("<li class=\"message from-")
                b.raw(html: msg.authorRole.rawValue)
                b.raw("\"><article>\n<p class=\"meta\"><strong>")
                if let name = msg.authorName { b.text(name) } else { b.raw(html: msg.authorRole.isStaff ? "Helpdesk" : "Reporter") }
                b.raw("</strong> <span class=\"muted\">(")
                if m.visitor.authMode == .accounts { b.raw(html: Layout.accountRoleLabel(msg.authorRole).lowercased()) }
                else { b.raw(html: msg.authorRole.isStaff ? "staff" : "user") }
                b.raw(")</span> · ")
                b.time(msg.sentAt, time)
                b.raw("</p>\n<p class=\"text\">")
                b.text(msg.body)
                b.raw("</p>\n")
                AttachmentList.render(m.attachments.filter { $0.messageID == msg.id }, into: &b)
                b.raw("</article></li>\n")
            }
            b.raw("</ol>\n")
        }
        if allowed.postMessage {
            let s = state(m, .message)
            formStart(m, .message, action: "/messages", cssClass: "stack", heading: "<h3>Write a message</h3>\n", multipart: true, into: &b)
            Field.control(.textarea, name: "body", label: "Message", idPrefix: "message", state: s, required: true,
                          maxLength: TextLimits.maxMessageBody, into: &b)
            // On the network desk a message is signed with the account's name.
            if m.visitor.authMode == .open {
                Field.control(.text, name: "author_name", label: "Your name", idPrefix: "message", state: s, value: m.visitor.name,
                              maxLength: TextLimits.maxShortField, into: &b)
            }
            AttachmentField.render(idPrefix: "message", state: s, into: &b)
            b.raw("<button type=\"submit\">Post message</button>\n</form>\n")
        }
        b.raw("</section>\n")
    }

    private static func editForm(_ m: Model, into b: inout HTMLBuffer) {
        let t = m.detail.ticket
        let s = state(m, .edit)
        b.raw("<section aria-labelledby=\"edit-h\">\n<h2 id=\"edit-h\">Edit the report</h2>\n")
        // multipart so files can be added with the edit; without a file chosen it is the same form.
        formStart(m, .edit, action: "/edit", cssClass: "stack", multipart: true, into: &b)
        Field.control(.textarea, name: "description", label: "Problem", idPrefix: "edit", state: s, value: t.description,
                      required: true, maxLength: TextLimits.maxDescription, into: &b)
        Field.control(.text, name: "location", label: "Location", idPrefix: "edit", state: s, value: t.location,
                      maxLength: TextLimits.maxShortField, into: &b)
        Field.control(.text, name: "reporter", label: "Reported by", idPrefix: "edit", state: s, value: t.reporter,
                      maxLength: TextLimits.maxShortField, into: &b)
        ContactFields.render(idPrefix: "edit", state: s, ticket: t, into: &b)
        // What the ticket holds already (those of messages too), so a file is not sent twice.
        if !m.attachments.isEmpty {
            b.raw("<h3 id=\"edit-files-h\">Files on this ticket</h3>\n")
            AttachmentList.render(m.attachments, captioned: true, into: &b)
        }
        AttachmentField.render(idPrefix: "edit", label: "Add a photo or file", state: s, into: &b)
        b.raw("<button type=\"submit\">Save changes</button>\n</form>\n</section>\n")
    }

    // MARK: - Forms

    /// The form's own errors and values after a refused submit; every other form starts empty.
    private static func state(_ m: Model, _ kind: FormKind) -> FormState { m.failedForm == kind ? m.state : .empty }

    /// Opens a form posting to `/tickets/<id><action>` with its general error and hidden fields.
    ///
    /// The request id is always fresh: the worker remembers a refused id with its refusal, so a
    /// corrected resubmit needs a new one.
    private static func formStart(_ m: Model, _ kind: FormKind, action: StaticString, cssClass: StaticString,
                                  heading: StaticString = "", multipart: Bool = false, into b: inout HTMLBuffer) {
        b.raw("<form method=\"post\" action=\"/tickets/")
        b.number(m.detail.ticket.id.rawValue)
        b.raw(action)
        b.raw("\" class=\"")
        b.raw(cssClass)
        b.raw(multipart ? "\" enctype=\"multipart/form-data\">\n" : "\">\n")
        b.raw(heading)
        Field.general(state(m, kind), into: &b)
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-" + kind.name, into: &b)
        // The list this page was reached from, so the redirect after the change keeps "Back to the list".
        if !m.listQuery.isEmpty { Layout.hidden("from", m.listQuery, into: &b) }
    }
}
