import TestSupport
import Foundation
import Domain
import SpoolBroker

/// A random but legal ticket history, as the ticket worker would publish it, plus the brute-force answers.
///
/// The reducers are checked against these answers computed from scratch over the final tickets.
public struct AnalyticsHistory {
    public var tickets: [TicketID: TicketFacts] = [:]
    public var events: [ChangeEvent] = []
    public var clock = Timestamp(iso8601: "2025-06-01T08:00:00Z")!
    private var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Appends exactly `count` random events: openings, past imports (some already closed), status moves
    /// (reopens of closed tickets among them), edits that change category, staff overrides and messages
    /// (no change in facts).
    public mutating func generate(_ count: Int) {
        let target = events.count + count
        while events.count < target { step() }
    }

    public mutating func step() {
        clock = clock.adding(milliseconds: Int64.random(in: 0...7_200_000, using: &rng))
        let roll = Int.random(in: 0..<100, using: &rng)
        if tickets.isEmpty || roll < 25 {
            let facts = TicketFacts(category: randomCategory(), status: .open, openedAt: clock, closedAt: nil)
            emit(.ticketOpened, TicketID(Int64(tickets.count + 1)), nil, facts)
        } else if roll < 40 {
            // An import from the past: any status, opened up to two years ago, possibly on a month edge.
            let opened = clock.adding(milliseconds: -Int64.random(in: 0...(730 * 86_400_000), using: &rng))
            let status = Status.allCases.randomElement(using: &rng) ?? .open
            let closed = status == .closed ? opened.adding(milliseconds: Int64.random(in: 1...(90 * 86_400_000), using: &rng)) : nil
            let facts = TicketFacts(category: randomCategory(), status: status, openedAt: opened, closedAt: closed)
            emit(.ticketImported, TicketID(Int64(tickets.count + 1)), nil, facts)
        } else {
            let id = TicketID(Int64.random(in: 1...Int64(tickets.count), using: &rng))
            guard let before = tickets[id] else { return }
            var after = before
            let type: ChangeEventType
            switch roll {
            case 40..<65:
                if before.status == .closed {
                    // A reopen: back to active, the close undone (the next close sets a new closed_at).
                    after.status = .active
                    after.closedAt = nil
                } else {
                    guard let next = before.status.next else { return }
                    after.status = next
                    if next == .closed { after.closedAt = clock }
                }
                type = .statusChanged
            case 65..<80:
                after.category = randomCategory()
                type = .ticketEdited
            case 80..<90:
                after.category = randomCategory()
                type = .ticketCategorised
            default:
                type = .messagePosted
            }
            emit(type, id, before, after)
        }
    }

    private mutating func randomCategory() -> Domain.Category { Domain.Category.allCases.randomElement(using: &rng) ?? .it }

    private mutating func emit(_ type: ChangeEventType, _ id: TicketID, _ before: TicketFacts?, _ after: TicketFacts) {
        tickets[id] = after
        events.append(ChangeEvent(seq: SequenceNumber(Int64(events.count + 1)), type: type, ticketID: id,
                                  occurredAt: clock, before: before, after: after))
    }

    /// The envelope the ticket worker publishes `event` in.
    public static func envelope(_ event: ChangeEvent) throws -> Envelope {
        try Envelope(type: event.type.rawValue, body: event, sentAt: event.occurredAt)
    }

    // MARK: - Brute force

    public func bruteOpenTickets(hours: Int, now: Timestamp) -> Int {
        let since = now.adding(milliseconds: -Int64(hours) * 3_600_000)
        return tickets.values.filter { $0.openedAt >= since && $0.status != .closed }.count
    }

    public func bruteResolutionTime(timeZone: TimeZone) -> ResolutionTimeAnswer {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var groups: [String: [Int64]] = [:]
        for t in tickets.values where t.status == .closed {
            guard let closedAt = t.closedAt else { continue }
            let parts = calendar.dateComponents([.year, .month], from: t.openedAt.date)
            let key = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
            groups[key, default: []].append(closedAt.millisecondsSinceEpoch - t.openedAt.millisecondsSinceEpoch)
        }
        return ResolutionTimeAnswer(months: groups.keys.sorted().map { key in
            let values = groups[key] ?? []
            return MonthResolution(month: key, closed: values.count,
                                   averageSeconds: Double(values.reduce(0, +)) / Double(values.count) / 1000)
        })
    }

    public func bruteCategoryLoad() -> CategoryLoadAnswer {
        CategoryLoadAnswer(categories: Domain.Category.allCases.map { c in
            let mine = tickets.values.filter { $0.category == c }
            return CategoryLoad(category: c, open: mine.filter { $0.status == .open }.count,
                                active: mine.filter { $0.status == .active }.count,
                                closed: mine.filter { $0.status == .closed }.count)
        })
    }
}

