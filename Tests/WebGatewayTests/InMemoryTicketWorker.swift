import Foundation
import CampusDeskCore
import WebGateway

/// A stand-in for the ticket worker plus its read side, applying the domain rules in memory.
///
/// Used until the `store` branch lands; then these tests switch to a real TicketStore on a temp
/// SQLite file behind an in-process CommandSending. It records every command it receives so tests
/// can assert that the gateway did (or did not) send one.
actor InMemoryTicketWorker: TicketQueries, CommandSending {
    private var tickets: [TicketID: Ticket] = [:]
    private var messages: [TicketID: [Message]] = [:]
    private var replies: [CommandID: CommandReply] = [:]
    private(set) var received: [Command] = []
    private var nextID: Int64 = 1
    private var nextMessageID: Int64 = 1
    private var now = Timestamp(iso8601: "2026-01-05T10:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)
    /// What `send` answers instead of applying, when set.
    var forcedOutcome: CommandOutcome?
    /// The confidence the "classifier" gives every new ticket.
    var confidence = 0.9

    func force(_ outcome: CommandOutcome?) { forcedOutcome = outcome }
    func setConfidence(_ c: Double) { confidence = c }
    var receivedCount: Int { received.count }

    private func tick() -> Timestamp {
        now = now.adding(milliseconds: 60_000)
        return now
    }

    func send(_ command: Command, timeout: Duration) async -> CommandOutcome {
        received.append(command)
        if let forcedOutcome { return forcedOutcome }
        if let earlier = replies[command.id] { return .replied(earlier) }
        let reply = apply(command)
        replies[command.id] = reply
        return .replied(reply)
    }

    private func refuse(_ c: Command, _ code: RefusalCode, _ reason: String, _ field: String? = nil) -> CommandReply {
        CommandReply(commandID: c.id, refusal: Refusal(code, reason, field: field))
    }

    private func apply(_ c: Command) -> CommandReply {
        switch c.action {
        case .createTicket(let a):
            guard !a.description.trimmingCharacters(in: .whitespaces).isEmpty else { return refuse(c, .validation, "Describe the problem.", "description") }
            let t = tick()
            let ticket = Ticket(id: TicketID(nextID), description: a.description, location: a.location, reporter: a.reporter,
                                category: .facility, categorySource: .auto, categoryConfidence: confidence, status: .open,
                                openedAt: t, modifiedAt: t, closedAt: nil)
            nextID += 1
            tickets[ticket.id] = ticket
            return CommandReply(commandID: c.id, ticket: ticket)
        case .editTicket(let e):
            guard var t = tickets[e.ticketID] else { return refuse(c, .notFound, "No such ticket.") }
            guard t.status != .closed else { return refuse(c, .readOnly, "The ticket is closed.") }
            if let d = e.description { t.description = d }
            if let l = e.location { t.location = l.isEmpty ? nil : l }
            if let r = e.reporter { t.reporter = r.isEmpty ? nil : r }
            t.modifiedAt = tick()
            tickets[t.id] = t
            return CommandReply(commandID: c.id, ticket: t)
        case .changeStatus(let s):
            guard c.role == .staff else { return refuse(c, .forbidden, "Only staff change the status.") }
            guard var t = tickets[s.ticketID] else { return refuse(c, .notFound, "No such ticket.") }
            guard t.status.next == s.status else { return refuse(c, .invalidTransition, "A \(t.status.rawValue) ticket cannot become \(s.status.rawValue).", "status") }
            t.status = s.status
            t.modifiedAt = tick()
            if s.status == .closed { t.closedAt = t.modifiedAt }
            tickets[t.id] = t
            return CommandReply(commandID: c.id, ticket: t)
        case .postMessage(let p):
            guard var t = tickets[p.ticketID] else { return refuse(c, .notFound, "No such ticket.") }
            guard t.status != .closed else { return refuse(c, .readOnly, "The ticket is closed.") }
            let m = Message(id: MessageID(nextMessageID), ticketID: t.id, authorRole: c.role, authorName: p.authorName, body: p.body, sentAt: tick())
            nextMessageID += 1
            messages[t.id, default: []].append(m)
            t.modifiedAt = m.sentAt
            tickets[t.id] = t
            return CommandReply(commandID: c.id, ticket: t, message: m)
        case .setCategory(let s):
            guard c.role == .staff else { return refuse(c, .forbidden, "Only staff set categories.") }
            guard var t = tickets[s.ticketID] else { return refuse(c, .notFound, "No such ticket.") }
            t.category = s.category
            t.categorySource = .staff
            t.categoryConfidence = nil
            t.modifiedAt = tick()
            tickets[t.id] = t
            return CommandReply(commandID: c.id, ticket: t)
        case .importTicket:
            return refuse(c, .forbidden, "Not supported here.")
        }
    }

    func list(_ filter: TicketFilter) async throws -> TicketPage {
        var rows = tickets.values.filter { t in
            (filter.statuses.isEmpty || filter.statuses.contains(t.status))
                && (filter.category.map { $0 == t.category } ?? true)
                && (filter.text.map { q in [t.description, t.location ?? "", t.reporter ?? ""].contains { $0.localizedCaseInsensitiveContains(q) } } ?? true)
        }
        rows.sort { ($0.openedAt, $0.id) > ($1.openedAt, $1.id) }
        if let cursor = filter.cursor { rows = rows.filter { ($0.openedAt, $0.id) < (cursor.openedAt, cursor.id) } }
        let page = Array(rows.prefix(filter.limit))
        let next = rows.count > filter.limit ? page.last.map { TicketCursor(openedAt: $0.openedAt, id: $0.id) } : nil
        return TicketPage(tickets: page, nextCursor: next)
    }

    func detail(_ id: TicketID) async throws -> TicketDetail? {
        guard let t = tickets[id] else { return nil }
        return TicketDetail(ticket: t, messages: messages[id] ?? [])
    }

    func counts() async throws -> [Status: Int] {
        var out: [Status: Int] = [:]
        for t in tickets.values { out[t.status, default: 0] += 1 }
        return out
    }
}

/// Analytics answers fixed per test, with per-panel outcomes.
struct FixedAnalytics: AnalyticsQuerying {
    var open: AnalyticsOutcome<OpenTicketsAnswer> = .answered(OpenTicketsAnswer(hours: 24, since: Timestamp(millisecondsSinceEpoch: 0), count: 3))
    var resolution: AnalyticsOutcome<ResolutionTimeAnswer> = .answered(ResolutionTimeAnswer(months: [MonthResolution(month: "2026-01", closed: 2, averageSeconds: 7200)]))
    var load: AnalyticsOutcome<CategoryLoadAnswer> = .answered(CategoryLoadAnswer(categories: Category.allCases.map { CategoryLoad(category: $0, open: 1, active: 2, closed: 3) }))

    func openTickets(hours: Int, timeout: Duration) async -> AnalyticsOutcome<OpenTicketsAnswer> {
        if case .answered(var a) = open {
            a.hours = hours
            return .answered(a)
        }
        return open
    }
    func resolutionTime(timeout: Duration) async -> AnalyticsOutcome<ResolutionTimeAnswer> { resolution }
    func categoryLoad(timeout: Duration) async -> AnalyticsOutcome<CategoryLoadAnswer> { load }
}

struct FixedReadiness: ReadinessProbing {
    var checks: [ReadinessCheck]
    func check(timeout: Duration) async -> [ReadinessCheck] { checks }
}
