import Domain
import SpoolBroker
import HTTPServer

/// Reads `status`, `category`, `q`, `limit` and `cursor` from a query into a `TicketFilter`.
///
/// Shared by `/tickets` and `/api/tickets` so both answer the same question the same way, and
/// the one place that keeps closed tickets from simple users.
enum TicketListQuery {
    static let maxTextLength = 200
    static let defaultLimit = 50

    static func filter(from q: FormFields, role: Role) throws(Problem) -> TicketFilter {
        var filter = TicketFilter(limit: defaultLimit)
        if let raw = q["status"], !raw.isEmpty {
            var statuses: Set<Status> = []
            for part in raw.split(separator: ",") {
                guard let s = Status(rawValue: String(part)) else {
                    throw Problem(status: .badRequest, detail: "status must be open, active or closed.", field: "status")
                }
                statuses.insert(s)
            }
            if role == .user && statuses.contains(.closed) {
                throw Problem(status: .forbidden, detail: "Closed tickets are visible to helpdesk staff only.", field: "status")
            }
            filter.statuses = statuses
        } else if role == .user {
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
            guard text.count <= maxTextLength else {
                throw Problem(status: .badRequest, detail: "q must be at most \(maxTextLength) characters.", field: "q")
            }
            filter.text = text.isEmpty ? nil : text
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

/// Reads the `hours=N` or `days=N` period of the open-tickets analytic.
enum AnalyticsPeriod {
    static func hours(from q: FormFields) throws(Problem) -> Int {
        let hours = q["hours"], days = q["days"]
        if hours != nil && days != nil {
            throw Problem(status: .badRequest, detail: "Give hours or days, not both.")
        }
        guard let raw = hours ?? days else {
            throw Problem(status: .badRequest, detail: "Give the period as hours=N or days=N.")
        }
        let field = hours != nil ? "hours" : "days"
        guard raw.utf8.count <= 6, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(raw), n > 0 else {
            throw Problem(status: .badRequest, detail: "\(field) must be a positive whole number.", field: field)
        }
        let total = hours != nil ? n : n * 24
        guard OpenTicketsAnswer.hoursRange.contains(total) else {
            throw Problem(status: .badRequest, detail: "The period must be at most 365 days.", field: field)
        }
        return total
    }
}
