import Domain
import SpoolBroker
import HTTPServer

/// Reads `status`, `category`, `q`, `severity`, `priority`, `confidence`, `assignee_id`,
/// `assigned_to`, `sort`, `limit` and `cursor` from a query into a `TicketFilter`.
///
/// Shared by `/tickets` and `/api/tickets` so both answer the same question the same way, and
/// the one place that keeps closed tickets from the campus desk's simple users and, on the
/// network desk, limits a customer's list to their own tickets (whatever the query says).
enum TicketListQuery {
    static let maxTextLength = 200
    static let defaultLimit = 50
    /// The parameters every list and queue takes; the queues (``QueueRoutes``) take only these.
    static let pageParameters: Set<String> = ["status", "category", "q", "severity", "priority", "sort", "limit", "cursor"]

    /// Whether the actor sees everyone's queues (`assigned_to`, `/api/tickets/unassigned`,
    /// `/api/tickets/assigned/{id}`): those who may view every ticket.
    static func seesQueues(_ actor: Actor) -> Bool { Permissions.reach(actor.role, .viewTicket) == .all }

    /// Which tickets `assigned_to` asks for: one account's, or nobody's (`none`).
    enum Assignee: Equatable, Sendable {
        case account(UserID)
        case nobody
    }

    /// `none`, or an account number (what `/api/tickets/assigned/{assignee_id}` takes too); else 400.
    static func assignee(_ raw: String, field: String, allowsNone: Bool = true) throws(Problem) -> Assignee {
        if allowsNone && raw == "none" { return .nobody }
        guard raw.utf8.count <= 19, !raw.isEmpty, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(raw), n > 0 else {
            throw Problem(status: .badRequest, detail: "\(field) must be an account number\(allowsNone ? " or none" : "").", field: field)
        }
        return .account(UserID(n))
    }

    /// Narrows `filter` to one assignee's tickets, or to unassigned ones (open and active when no
    /// `status` was asked for: the queue to take work from). For staff only (403 otherwise).
    static func narrow(_ filter: inout TicketFilter, to assignee: Assignee, actor: Actor, statusGiven: Bool) throws(Problem) {
        guard seesQueues(actor) else {
            throw Problem.refused(.forbidden, "Only helpdesk staff see the queues of others and the unassigned tickets.")
        }
        switch assignee {
        case .account(let id):
            // Beside `assignee_id` naming another account, nothing matches both: one account and nobody.
            if let other = filter.assigneeID, other != id { filter.unassigned = true }
            filter.assigneeID = id
        case .nobody:
            filter.unassigned = true
            if !statusGiven { filter.statuses = [.open, .active] }
        }
    }

    /// `filter(from:actor:mode:defaultOrder:)`, then the account `assigned_to` names looked up: 404
    /// when there is none (as `/api/tickets/assigned/{assignee_id}` answers).
    static func filter(from q: FormFields, actor: Actor, mode: AuthMode, defaultOrder: TicketOrder = .newest,
                       accounts: any AccountQuerying) async throws -> TicketFilter {
        let filter = try filter(from: q, actor: actor, mode: mode, defaultOrder: defaultOrder)
        if let raw = q["assigned_to"], !raw.isEmpty, let id = filter.assigneeID, try await accounts.user(id) == nil {
            throw Problem.refused(.notFound, "There is no account \(id.rawValue).", field: "assigned_to")
        }
        return filter
    }

    /// The campus desk's filter for a role (no account).
    static func filter(from q: FormFields, role: Role, defaultOrder: TicketOrder = .newest) throws(Problem) -> TicketFilter {
        try filter(from: q, actor: Actor(role: role), mode: .open, defaultOrder: defaultOrder)
    }

    /// The list page's order for a visitor: staff work the queue by priority; everyone else sees
    /// their tickets newest first (and no triage on the pages, as on the ticket page). A search
    /// (`q` with a word) is newest first for everyone: FTS5 reads its matches in that order and stops
    /// at the page, where the priority order sorted every match (docs/performance.md, "Search at a
    /// million tickets"); `sort=priority` still gives it.
    static func pageOrder(_ actor: Actor, query q: FormFields? = nil) -> TicketOrder {
        if let text = q?["q"], !text.trimmingWhitespace().isEmpty { return .newest }
        return actor.role.isStaff ? .priority : .newest
    }

    /// The rule for `sort`, `severity` and `priority` in one sentence each (the 400s say it).
    static let sortRule = "sort must be newest, oldest, priority, due, number, number-desc, activity, activity-asc or status."
    static let severityRule = "severity must be critical, high, medium, low or none (comma-separated for several)."
    static let priorityRule = "priority must be P1, P2, P3, P4 or none (comma-separated for several)."
    static let confidenceRule = "confidence must be low."
    static let slaRule = "sla must be on_track, at_risk, breached or met."

    /// The `sla` filter (the ticket's SLA state now, ``SLAFilter`` in the store), or nil for any
    /// (empty, as the list's form sends "Any"). The caller sets `TicketFilter.slaNow` from its clock.
    static func slaState(from q: FormFields) throws(Problem) -> SLAState? {
        guard let raw = q["sla"], !raw.isEmpty else { return nil }
        guard let state = SLAState(rawValue: raw) else { throw Problem(status: .badRequest, detail: slaRule, field: "sla") }
        return state
    }

    /// What a list page's query may carry back from a ticket page (`from`): the filters, order,
    /// size and position, nothing else (no `done` notice, nothing unknown).
    static let returnParameters = ["q", "category", "status", "priority", "severity", "confidence", "sla", "assigned_to", "assignee_id",
                                   "sort", "limit", "cursor", "before", "page"]

    /// The list query a ticket page's "Back to the list" returns to, from its `from` parameter:
    /// decoded, kept to ``returnParameters``, checked by the list's own reading (a query the list
    /// would refuse gives the plain list), and encoded again. Never the text as sent.
    static func returnQuery(_ raw: String, actor: Actor, mode: AuthMode) -> String {
        guard raw.utf8.count <= 2048, let q = try? FormDecoding.decodeQuery(raw) else { return "" }
        let kept = returnParameters.map { name in (name, q[name]) }
        let fields = FormFields(kept.compactMap { name, value in value.map { FormField(name: name, value: $0) } })
        do {
            _ = try anchor(from: fields, order: try filter(from: fields, actor: actor, mode: mode).order)
            _ = try slaState(from: fields)
        } catch {
            return ""
        }
        return FormDecoding.encodeQuery(kept)
    }

    /// The list page's ways to the previous and the last page (not the API's, whose clients follow
    /// `next_cursor`): `before=CURSOR`, the page before that row, and `page=last`. Either replaces
    /// `cursor`; `before` must be of the list's order (`sort`, or the visitor's default).
    static func anchor(from q: FormFields, order: TicketOrder) throws(Problem) -> TicketPageAnchor? {
        if let raw = q["page"], !raw.isEmpty {
            guard raw == "last" else { throw Problem(status: .badRequest, detail: "page must be last.", field: "page") }
            return .last
        }
        guard let raw = q["before"], !raw.isEmpty else { return nil }
        guard let row = TicketCursor(encoded: raw), row.order == order else {
            throw Problem(status: .badRequest, detail: "before is not a position this server handed out for this order.", field: "before")
        }
        return .before(row)
    }

    /// A comma-separated list of `T` or `none` (nil); an empty item is refused like an unknown one.
    static func triageValues<T: RawRepresentable<String>>(_ raw: String, _: T.Type, field: String, rule: String) throws(Problem) -> Set<T?> {
        var values: Set<T?> = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            if part == "none" { values.insert(nil); continue }
            guard let value = T(rawValue: String(part)) else { throw Problem(status: .badRequest, detail: rule, field: field) }
            values.insert(value)
        }
        return values
    }

    /// - Parameter defaultOrder: the order without `sort` (and without a cursor, which carries its own).
    static func filter(from q: FormFields, actor: Actor, mode: AuthMode, defaultOrder: TicketOrder = .newest) throws(Problem) -> TicketFilter {
        var filter = TicketFilter(limit: defaultLimit)
        let seesClosed = TicketAccess.seesClosed(actor, mode: mode)
        filter.order = defaultOrder
        if let raw = q["sort"], !raw.isEmpty {
            guard let order = TicketOrder(rawValue: raw) else { throw Problem(status: .badRequest, detail: sortRule, field: "sort") }
            filter.order = order
        }
        // The cursor continues the list it came from, in that list's order (which decides the
        // statuses below); a malformed one is refused last, where it always was.
        let cursorText = q["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let cursor = cursorText.flatMap(TicketCursor.init(encoded:))
        if let cursor { filter.order = cursor.order }
        if let raw = q["severity"], !raw.isEmpty {
            filter.severities = try triageValues(raw, Severity.self, field: "severity", rule: severityRule)
        }
        if let raw = q["priority"], !raw.isEmpty {
            filter.priorities = try triageValues(raw, Priority.self, field: "priority", rule: priorityRule)
        }
        let statusGiven = q["status"]?.isEmpty == false
        if let raw = q["status"], !raw.isEmpty {
            var statuses: Set<Status> = []
            // An empty item (`status=open,`) is no status either: refused like an unknown one.
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                guard let s = Status(rawValue: String(part)) else {
                    throw Problem(status: .badRequest, detail: "status must be open, active or closed.", field: "status")
                }
                statuses.insert(s)
            }
            if !seesClosed && statuses.contains(.closed) {
                throw Problem.refused(.forbidden, "Closed tickets are visible to helpdesk staff only.", field: "status")
            }
            filter.statuses = statuses
        } else if !seesClosed || filter.order == .priority {
            // The priority order is the work queue's: open and active tickets unless `status` says otherwise.
            filter.statuses = [.open, .active]
        }
        if let raw = q["category"], !raw.isEmpty {
            guard let c = Category(rawValue: raw) else {
                throw Problem(status: .badRequest, detail: "category must be facility, it or services.", field: "category")
            }
            filter.category = c
        }
        if let raw = q["q"] {
            let text = raw.trimmingWhitespace()
            // Code points as sent, as the document's maxLength counts them.
            guard raw.unicodeScalars.count <= maxTextLength else {
                throw Problem(status: .badRequest, detail: "q must be at most \(maxTextLength) characters.", field: "q")
            }
            filter.text = text.isEmpty ? nil : text
        }
        if let raw = q["confidence"], !raw.isEmpty {
            guard raw == "low" else { throw Problem(status: .badRequest, detail: confidenceRule, field: "confidence") }
            filter.lowConfidence = true
        }
        if let raw = q["assignee_id"], !raw.isEmpty {
            guard raw.utf8.count <= 19, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(raw), n > 0 else {
                throw Problem(status: .badRequest, detail: "assignee_id must be an account number.", field: "assignee_id")
            }
            filter.assigneeID = UserID(n)
        }
        if let raw = q["assigned_to"], !raw.isEmpty {
            try narrow(&filter, to: try assignee(raw, field: "assigned_to"), actor: actor, statusGiven: statusGiven)
        }
        if mode == .accounts {
            // The list holds only what the actor may see: their own tickets, or those assigned to them.
            switch Permissions.reach(actor.role, .viewTicket) {
            case .own: filter.customerID = actor.userID ?? UserID(0)
            case .assigned: filter.assigneeID = actor.userID ?? UserID(0)
            case .all, .none: break
            }
        }
        if let raw = q["limit"], !raw.isEmpty {
            guard raw.utf8.count <= 4, let n = Int(raw), (1...TicketFilter.maxLimit).contains(n) else {
                throw Problem(status: .badRequest, detail: "limit must be a whole number from 1 to \(TicketFilter.maxLimit).", field: "limit")
            }
            filter.limit = n
        }
        if cursorText != nil {
            guard let cursor else { throw Problem(status: .badRequest, detail: "cursor is not one this server handed out.", field: "cursor") }
            filter.cursor = cursor
        }
        return filter
    }
}

/// Reads the `hours=N` and `days=N` period of the open-tickets analytic.
///
/// Neither is the last 24 hours; both add up (`days=1&hours=6` is the last 30 hours). The
/// breakdown is by hour when `hours` is given, by day when only `days` is.
enum AnalyticsPeriod {
    static let maxHours = 365 * 24
    static let maxDays = 365

    static func period(from q: FormFields) throws(Problem) -> OpenTicketsPeriod {
        let hours = try number(q, "hours", max: maxHours)
        let days = try number(q, "days", max: maxDays)
        if hours == nil && days == nil { return .standard }
        return OpenTicketsPeriod(hours: (hours ?? 0) + (days ?? 0) * 24, by: hours == nil ? .day : .hour)
    }

    private static func number(_ q: FormFields, _ field: String, max: Int) throws(Problem) -> Int? {
        guard let raw = q[field] else { return nil }
        guard raw.utf8.count <= 6, !raw.isEmpty, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(raw), (1...max).contains(n) else {
            throw Problem(status: .badRequest, detail: "\(field) must be a whole number from 1 to \(max).", field: field)
        }
        return n
    }
}
