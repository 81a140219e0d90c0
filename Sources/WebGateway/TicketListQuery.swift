import Domain
import SpoolBroker
import HTTPServer

/// Reads `status`, `category`, `q`, `assignee_id`, `limit` and `cursor` from a query into a `TicketFilter`.
///
/// Shared by `/tickets` and `/api/tickets` so both answer the same question the same way, and
/// the one place that keeps closed tickets from the campus desk's simple users and, on the
/// network desk, limits a customer's list to their own tickets (whatever the query says).
enum TicketListQuery {
    static let maxTextLength = 200
    static let defaultLimit = 50

    /// The campus desk's filter for a role (no account).
    static func filter(from q: FormFields, role: Role) throws(Problem) -> TicketFilter {
        try filter(from: q, actor: Actor(role: role), mode: .open)
    }

    static func filter(from q: FormFields, actor: Actor, mode: AuthMode) throws(Problem) -> TicketFilter {
        var filter = TicketFilter(limit: defaultLimit)
        let seesClosed = TicketAccess.seesClosed(actor, mode: mode)
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
        } else if !seesClosed {
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
        if let raw = q["assignee_id"], !raw.isEmpty {
            guard raw.utf8.count <= 19, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(raw), n > 0 else {
                throw Problem(status: .badRequest, detail: "assignee_id must be an account number.", field: "assignee_id")
            }
            filter.assigneeID = UserID(n)
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
        if let raw = q["cursor"], !raw.isEmpty {
            guard let c = TicketCursor(encoded: raw) else {
                throw Problem(status: .badRequest, detail: "cursor is not one this server handed out.", field: "cursor")
            }
            filter.cursor = c
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
