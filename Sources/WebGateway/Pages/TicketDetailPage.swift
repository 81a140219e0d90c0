import CampusDeskCore

/// `/tickets/{id}`: a ticket's fields, dates and conversation, with the forms that change it.
enum TicketDetailPage {
    /// Which form a re-render concerns, so its input and errors land beside it.
    enum FormKind: Sendable {
        case edit, message, status, category

        /// The suffix of a form's request id (spelled out: interpolating an enum goes through reflection).
        var name: String {
            switch self {
            case .edit: "edit"
            case .message: "message"
            case .status: "status"
            case .category: "category"
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
    }

    static let editFields: Set<String> = ["description", "location", "reporter"]
    static let messageFields: Set<String> = ["body", "author_name"]

    static func render(_ m: Model, time: CampusTime) -> String {
        let t = m.detail.ticket
        let staff = m.visitor.role == .staff
        func state(_ kind: FormKind) -> FormState { m.failedForm == kind ? m.state : .empty }
        // Always fresh: the worker remembers a refused id with its refusal, so a corrected resubmit needs a new one.
        func requestID(_ kind: FormKind) -> String { m.requestID + "-" + kind.name }

        var b = ""
        b.reserveCapacity(8192 + m.detail.messages.count * 512)
        b += "<h1>Ticket #\(t.id)</h1>\n<p><a href=\"/tickets\">Back to the list</a></p>\n"
        b += "<section aria-labelledby=\"facts-h\">\n<h2 id=\"facts-h\">Details</h2>\n<dl class=\"facts\">\n"
        b += "<dt>Problem</dt><dd class=\"text\">\(escapeHTML(t.description))</dd>\n"
        b += "<dt>Location</dt><dd>\(t.location.map(escapeHTML) ?? "<span class=\"muted\">not given</span>")</dd>\n"
        b += "<dt>Reported by</dt><dd>\(t.reporter.map(escapeHTML) ?? "<span class=\"muted\">not given</span>")</dd>\n"
        b += "<dt>Status</dt><dd><span class=\"status status-\(t.status.rawValue)\">\(Words.status(t.status))</span></dd>\n"
        b += "<dt>Category</dt><dd>\(Words.category(t.category)) <span class=\"muted\">(\(t.categorySource == .staff ? "set by staff" : "assigned automatically"))</span>"
        if staff, t.categorySource == .auto, let c = t.categoryConfidence, c < Classification.lowConfidenceThreshold {
            b += " <strong class=\"flag\">Low confidence (\(Int((c * 100).rounded())) %): please check</strong>"
        }
        b += "</dd>\n"
        b += "<dt>Opened</dt><dd>\(time.html(t.openedAt))</dd>\n"
        b += "<dt>Last changed</dt><dd>\(time.html(t.modifiedAt))</dd>\n"
        b += "<dt>Closed</dt><dd>\(t.closedAt.map(time.html) ?? "<span class=\"muted\">not yet</span>")</dd>\n"
        b += "</dl>\n</section>\n"

        if staff {
            b += "<section aria-labelledby=\"staff-h\">\n<h2 id=\"staff-h\">Helpdesk actions</h2>\n"
            if let next = t.status.next {
                b += "<form method=\"post\" action=\"/tickets/\(t.id)/status\" class=\"inline\">\n" + Field.general(state(.status))
                b += Layout.hidden("csrf_token", m.csrfToken) + Layout.hidden("request_id", requestID(.status)) + Layout.hidden("status", next.rawValue)
                b += "<button type=\"submit\">\(Words.moveTo(next))</button>\n</form>\n"
            } else {
                b += "<p>This ticket is closed; it can no longer change.</p>\n"
            }
            if t.status != .closed {
                b += "<form method=\"post\" action=\"/tickets/\(t.id)/category\" class=\"inline\">\n" + Field.general(state(.category))
                b += Layout.hidden("csrf_token", m.csrfToken) + Layout.hidden("request_id", requestID(.category))
                b += Field.select(name: "category", label: "Category", idPrefix: "category",
                                  options: Category.allCases.map { ($0.rawValue, Words.category($0)) }, selected: t.category.rawValue, state: state(.category))
                b += "<button type=\"submit\">Set category</button>\n</form>\n"
            }
            b += "</section>\n"
        }

        b += "<section aria-labelledby=\"thread-h\">\n<h2 id=\"thread-h\">Messages</h2>\n"
        if m.detail.messages.isEmpty {
            b += "<p>No messages yet.</p>\n"
        } else {
            var thread = HTMLBuffer(capacity: 64 + m.detail.messages.count * 400)
            thread.raw("<ol class=\"thread\">\n")
            for msg in m.detail.messages {
                thread.raw("<li class=\"message from-")
                thread.raw(msg.authorRole.rawValue)
                thread.raw("\"><article>\n<p class=\"meta\"><strong>")
                if let name = msg.authorName { thread.text(name) } else { thread.raw(msg.authorRole == .staff ? "Helpdesk" : "Reporter") }
                thread.raw("</strong> <span class=\"muted\">(")
                thread.raw(msg.authorRole == .staff ? "staff" : "user")
                thread.raw(")</span> · ")
                thread.time(msg.sentAt, time)
                thread.raw("</p>\n<p class=\"text\">")
                thread.text(msg.body)
                thread.raw("</p>\n</article></li>\n")
            }
            b += thread.string
            b += "</ol>\n"
        }
        // Staff may still write under a closed ticket (the worker's rule); users may not.
        if t.status != .closed || staff {
            let s = state(.message)
            b += "<form method=\"post\" action=\"/tickets/\(t.id)/messages\" class=\"stack\">\n<h3>Write a message</h3>\n" + Field.general(s)
            b += Layout.hidden("csrf_token", m.csrfToken) + Layout.hidden("request_id", requestID(.message))
            b += Field.control(.textarea, name: "body", label: "Message", idPrefix: "message", state: s, required: true, maxLength: TextLimits.maxMessageBody)
            b += Field.control(.text, name: "author_name", label: "Your name", idPrefix: "message", state: s, value: m.visitor.name, maxLength: TextLimits.maxShortField)
            b += "<button type=\"submit\">Post message</button>\n</form>\n"
        }
        b += "</section>\n"

        if t.status != .closed {
            let s = state(.edit)
            b += "<section aria-labelledby=\"edit-h\">\n<h2 id=\"edit-h\">Edit the report</h2>\n"
            b += "<form method=\"post\" action=\"/tickets/\(t.id)/edit\" class=\"stack\">\n" + Field.general(s)
            b += Layout.hidden("csrf_token", m.csrfToken) + Layout.hidden("request_id", requestID(.edit))
            b += Field.control(.textarea, name: "description", label: "Problem", idPrefix: "edit", state: s, value: t.description, required: true, maxLength: TextLimits.maxDescription)
            b += Field.control(.text, name: "location", label: "Location", idPrefix: "edit", state: s, value: t.location, maxLength: TextLimits.maxShortField)
            b += Field.control(.text, name: "reporter", label: "Reported by", idPrefix: "edit", state: s, value: t.reporter, maxLength: TextLimits.maxShortField)
            b += "<button type=\"submit\">Save changes</button>\n</form>\n</section>\n"
        }
        return Layout.page(title: "Ticket #\(t.id)", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: b)
    }
}
