/// The read side of the ticket store, as the gateway sees it.
///
/// Implemented over a read-only SQLite connection to `tickets.db` (WAL lets it read while the
/// ticket worker writes); the gateway never writes.
public protocol TicketQueries: Sendable {
    /// One page of tickets in the filter's order (``TicketOrder``), after the filter.
    func list(_ filter: TicketFilter) async throws -> TicketPage
    /// One ticket with its messages (oldest first), or nil if there is none with that id.
    func detail(_ id: TicketID) async throws -> TicketDetail?
    /// How many tickets are in each status.
    func counts() async throws -> [Status: Int]
}

/// The order of a list.
public enum TicketOrder: String, Sendable, CaseIterable {
    /// Newest first: `opened_at` descending, then the higher id.
    case newest
    /// The work queue's order: priority `P1` first and untriaged tickets (no priority) last; within
    /// a priority the longest waiting first (the oldest `opened_at`, not `modified_at`, which staff
    /// activity moves), then the lower id.
    case priority
    /// Oldest first: `opened_at` ascending, then the lower id (the newest order backwards).
    case oldest
    /// By ticket number, lowest first.
    case number
    /// By ticket number, highest first.
    case numberDescending = "number-desc"
    /// Last activity (`modified_at`: a message, a change) latest first, then the higher id.
    case activity
    /// Last activity earliest first: the tickets nobody has touched for longest.
    case activityAscending = "activity-asc"
    /// Open, then active, then closed; newest first within a status.
    case status
    /// The next SLA due time first (``TicketSLA/nextDue(of:)``): the ticket whose earliest unmet
    /// target falls due first, so breached ones (due in the past) lead; tickets with no target
    /// running (both met, or opened before the timers) last; then the lower id.
    case due

    /// The rank the status order sorts by: open 1, active 2, closed 3.
    public static func rank(_ status: Status) -> Int {
        switch status {
        case .open: 1
        case .active: 2
        case .closed: 3
        }
    }
}

/// What to list. An empty `statuses` (or `severities`, `priorities`) means every one.
public struct TicketFilter: Sendable, Equatable {
    public var statuses: Set<Status>
    public var category: Category?
    /// Words to search for in description, location and reporter (full-text, prefix match).
    public var text: String?
    /// Rows per page, 1...500.
    public var limit: Int
    /// Continue after this position (keyset pagination: stable while tickets are added).
    public var cursor: TicketCursor?
    /// Only tickets this account reported (a customer's "my tickets").
    public var customerID: UserID?
    /// Only tickets assigned to this engineer (an engineer's "assigned to me").
    public var assigneeID: UserID?
    /// Only tickets nobody is assigned to (the queue engineers take work from). With `assigneeID`
    /// too, nothing matches.
    public var unassigned: Bool
    /// The order of the rows; a `cursor` must be of the same order.
    public var order: TicketOrder
    /// Only tickets of these severities; `nil` in the set stands for untriaged tickets (no severity).
    public var severities: Set<Severity?>
    /// Only tickets of these priorities; `nil` in the set stands for tickets without a priority.
    public var priorities: Set<Priority?>
    /// Only tickets whose category the classifier chose with low confidence (source `auto`, confidence
    /// below ``Classification/lowConfidenceThreshold``): the ones the manual says to check first.
    public var lowConfidence: Bool = false
    /// Only tickets whose SLA state (``TicketSLA/state(now:)``) at `slaNow` is this; tickets without
    /// timers (opened before them) match none.
    public var sla: SLAState?
    public var slaNow = Timestamp(millisecondsSinceEpoch: 0)

    public init(statuses: Set<Status> = [], category: Category? = nil, text: String? = nil, limit: Int = 50, cursor: TicketCursor? = nil,
                customerID: UserID? = nil, assigneeID: UserID? = nil, unassigned: Bool = false,
                order: TicketOrder = .newest, severities: Set<Severity?> = [], priorities: Set<Priority?> = []) {
        self.statuses = statuses
        self.category = category
        self.text = text
        self.limit = limit
        self.cursor = cursor
        self.customerID = customerID
        self.assigneeID = assigneeID
        self.unassigned = unassigned
        self.order = order
        self.severities = severities
        self.priorities = priorities
    }

    public static let maxLimit = 500
}

/// A position in a list's order: the sort key of the last row of a page.
///
/// It carries the whole key of its order, so the next page starts right after that row however
/// many tickets arrive meanwhile (keyset pagination), and the order itself: a cursor continues
/// the list it came from.
public struct TicketCursor: Sendable, Equatable, Hashable {
    public var openedAt: Timestamp
    public var id: TicketID
    /// The order this position belongs to.
    public var order: TicketOrder
    /// In the priority order, the last row's priority (nil: untriaged); always nil in the newest order.
    public var priority: Priority?
    /// The order's own key where it has one beside `openedAt` and `id`: `modified_at` in
    /// milliseconds in the activity orders, the status's rank in the status order; else 0.
    public var key: Int64 = 0

    /// A position in the newest-first order.
    public init(openedAt: Timestamp, id: TicketID) {
        self.openedAt = openedAt
        self.id = id
        order = .newest
        priority = nil
    }

    /// A position in the priority order.
    public init(priority: Priority?, openedAt: Timestamp, id: TicketID) {
        self.openedAt = openedAt
        self.id = id
        order = .priority
        self.priority = priority
    }

    /// A position in one of the other orders (`key` as ``key`` says; `openedAt` unused in the
    /// number and activity orders, where it is 0).
    public init(order: TicketOrder, key: Int64 = 0, openedAt: Timestamp = Timestamp(millisecondsSinceEpoch: 0), id: TicketID) {
        self.openedAt = openedAt
        self.id = id
        self.order = order
        self.priority = nil
        self.key = key
    }

    /// The position of a row in `order`; `modifiedAt` matters in the activity orders only, `nextDue`
    /// (``TicketSLA/nextDue(of:)``) in the due order only.
    public static func of(order: TicketOrder, id: TicketID, openedAt: Timestamp, priority: Priority?, status: Status, modifiedAt: Timestamp?,
                          nextDue: Int64 = 0) -> TicketCursor {
        switch order {
        case .newest: TicketCursor(openedAt: openedAt, id: id)
        case .priority: TicketCursor(priority: priority, openedAt: openedAt, id: id)
        case .oldest: TicketCursor(order: .oldest, openedAt: openedAt, id: id)
        case .number, .numberDescending: TicketCursor(order: order, id: id)
        case .activity, .activityAscending: TicketCursor(order: order, key: modifiedAt?.millisecondsSinceEpoch ?? 0, id: id)
        case .status: TicketCursor(order: .status, key: Int64(TicketOrder.rank(status)), openedAt: openedAt, id: id)
        case .due: TicketCursor(order: .due, key: nextDue, id: id)
        }
    }

    /// The tag of the other orders' text form.
    static func tag(_ order: TicketOrder) -> String? {
        switch order {
        case .newest, .priority, .status: nil
        case .oldest: "o"
        case .number: "i"
        case .numberDescending: "d"
        case .activity: "a"
        case .activityAscending: "s"
        case .due: "u"
        }
    }

    /// The rank the priority order sorts by: `P1`…`P4` are 1…4, no priority 5 (last). The store's
    /// `tickets.priority_rank` column (migration 8) computes the same.
    public static func rank(_ priority: Priority?) -> Int {
        switch priority {
        case .p1?: 1
        case .p2?: 2
        case .p3?: 3
        case .p4?: 4
        case nil: 5
        }
    }

    /// The opaque text form used in URLs and JSON: `<ms>.<id>` in the newest order,
    /// `p<rank>.<ms>.<id>` in the priority order, `t<rank>.<ms>.<id>` in the status order, and
    /// `<tag>.<key>.<id>` in the others (`o` oldest with the opening time, `i` / `d` by number
    /// with 0, `a` / `s` by activity with `modified_at`, `u` by due time with the next due instant).
    public var encoded: String {
        let position = "\(openedAt.millisecondsSinceEpoch).\(id.rawValue)"
        switch order {
        case .newest: return position
        case .priority: return "p\(Self.rank(priority)).\(position)"
        case .status: return "t\(key).\(position)"
        case .oldest: return "o.\(position)"
        default: return "\(Self.tag(order) ?? "").\(key).\(id.rawValue)"
        }
    }

    /// Parses the text form; nil for anything else.
    ///
    /// Exactly the forms `encoded` writes, `^(p[1-5]\.|t[1-3]\.|[oidasu]\.)?(0|[1-9][0-9]{0,17})\.[1-9][0-9]{0,17}$`
    /// (the API document's pattern): digits only, no sign or leading zero, at most 18 digits so both
    /// numbers fit in 64 bits.
    public init?(encoded: String) {
        var parts = encoded.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        var rank: UInt8?
        var other: TicketOrder?
        var statusRank: Int64?
        if parts.count == 3 {
            let tag = parts.removeFirst()
            if tag.count == 1, let order = [TicketOrder.oldest, .number, .numberDescending, .activity, .activityAscending, .due]
                .first(where: { Self.tag($0)?.utf8.first == tag.first }) {
                other = order
            } else if tag.count == 2, tag.first == UInt8(ascii: "t"), let r = tag.last, (UInt8(ascii: "1")...UInt8(ascii: "3")).contains(r) {
                statusRank = Int64(r - UInt8(ascii: "0"))
            } else {
                guard tag.count == 2, tag.first == UInt8(ascii: "p"), let r = tag.last, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(r) else { return nil }
                rank = r - UInt8(ascii: "0")
            }
        }
        guard parts.count == 2, parts.allSatisfy({ (1...18).contains($0.count) && $0.allSatisfy { (48...57).contains($0) } }),
              parts[0].count == 1 || parts[0].first != UInt8(ascii: "0"), parts[1].first != UInt8(ascii: "0"),
              let ms = Int64(String(decoding: parts[0], as: UTF8.self)), let id = Int64(String(decoding: parts[1], as: UTF8.self)), id > 0 else { return nil }
        if let other {
            switch other {
            case .oldest: self.init(order: .oldest, openedAt: Timestamp(millisecondsSinceEpoch: ms), id: TicketID(id))
            default: self.init(order: other, key: ms, id: TicketID(id))
            }
        } else if let statusRank {
            self.init(order: .status, key: statusRank, openedAt: Timestamp(millisecondsSinceEpoch: ms), id: TicketID(id))
        } else if let rank {
            self.init(priority: rank == 5 ? nil : Priority.allCases[Int(rank) - 1], openedAt: Timestamp(millisecondsSinceEpoch: ms), id: TicketID(id))
        } else {
            self.init(openedAt: Timestamp(millisecondsSinceEpoch: ms), id: TicketID(id))
        }
    }
}

/// A list page reached from its end rather than after a cursor: the previous page and the last page.
///
/// Both are keyset-based: the store reads up to one page of keys backwards (the filter's order
/// reversed) to find where the page starts, then reads the page forwards after that position as
/// any page is read. No OFFSET: the cost is one page's keys whatever the list's length.
public enum TicketPageAnchor: Sendable, Equatable {
    /// The `limit` rows just before this row (the row that starts the page a visitor comes from);
    /// the first page when fewer precede it.
    case before(TicketCursor)
    /// The final page: the rows the pages from the first leave over (`total` modulo `limit`, or a
    /// whole page), or the final `limit` rows when the count passes its cap.
    case last
}

/// How many tickets a filter matches, and how many come before a page, each counted up to a cap.
///
/// Why a cap: counting every match of an arbitrary filter over a million tickets is a scan per
/// request. Status-only filters are exact from the trigger-kept `status_counts`; anything else is
/// counted through the list's own index ranges and stops at `cap + 1` rows ("more than cap").
public struct TicketCount: Sendable, Equatable {
    /// The matches, exact when at most `cap` (or taken from `status_counts`), else nil: more than `cap`.
    public var total: Int?
    /// The matches before the page's first row, nil when more than `cap`.
    public var before: Int?
    /// The cap both counts stop at.
    public var cap: Int

    public init(total: Int?, before: Int?, cap: Int) {
        self.total = total
        self.before = before
        self.cap = cap
    }

    /// Counting stops here: 1,000 index entries cost about what one page of rows does.
    public static let defaultCap = 1_000
    /// The list page counts a search only this far: its matches are counted through FTS5 and, with
    /// a status or category, checked on each search key, so 1,000 of them with `status=open` (one
    /// ticket in five) read 5,000 matches, two thirds of the page's time at a million tickets
    /// (docs/performance.md, "Search at a million tickets, second round"); a search of more says
    /// "of more than 200".
    public static let searchCap = 200
}

/// One page of a listing.
public struct TicketPage: Sendable, Equatable {
    public var tickets: [Ticket]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: TicketCursor?
    public init(tickets: [Ticket], nextCursor: TicketCursor?) {
        self.tickets = tickets
        self.nextCursor = nextCursor
    }
}

/// A ticket with its conversation.
public struct TicketDetail: Sendable, Equatable {
    public var ticket: Ticket
    public var messages: [Message]
    public init(ticket: Ticket, messages: [Message]) {
        self.ticket = ticket
        self.messages = messages
    }
}
