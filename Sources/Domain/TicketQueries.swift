/// The read side of the ticket store, as the gateway sees it.
///
/// Implemented over a read-only SQLite connection to `tickets.db` (WAL lets it read while the
/// ticket worker writes); the gateway never writes.
public protocol TicketQueries: Sendable {
    /// One page of tickets, newest first (by `opened_at`, then id), after the filter.
    func list(_ filter: TicketFilter) async throws -> TicketPage
    /// One ticket with its messages (oldest first), or nil if there is none with that id.
    func detail(_ id: TicketID) async throws -> TicketDetail?
    /// How many tickets are in each status.
    func counts() async throws -> [Status: Int]
}

/// What to list. An empty `statuses` means every status.
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

    public init(statuses: Set<Status> = [], category: Category? = nil, text: String? = nil, limit: Int = 50, cursor: TicketCursor? = nil,
                customerID: UserID? = nil, assigneeID: UserID? = nil, unassigned: Bool = false) {
        self.statuses = statuses
        self.category = category
        self.text = text
        self.limit = limit
        self.cursor = cursor
        self.customerID = customerID
        self.assigneeID = assigneeID
        self.unassigned = unassigned
    }

    public static let maxLimit = 500
}

/// A position in the newest-first order: the last row of a page.
public struct TicketCursor: Sendable, Equatable, Hashable {
    public var openedAt: Timestamp
    public var id: TicketID

    public init(openedAt: Timestamp, id: TicketID) {
        self.openedAt = openedAt
        self.id = id
    }

    /// The opaque text form used in URLs and JSON (`<ms>.<id>`).
    public var encoded: String { "\(openedAt.millisecondsSinceEpoch).\(id.rawValue)" }

    /// Parses the text form; nil for anything else.
    ///
    /// Exactly the form `encoded` writes, `^(0|[1-9][0-9]{0,17})\.[1-9][0-9]{0,17}$` (the API
    /// document's pattern): digits only, no sign or leading zero, at most 18 digits so both fit in 64 bits.
    public init?(encoded: String) {
        let parts = encoded.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...18).contains($0.count) && $0.allSatisfy { (48...57).contains($0) } }),
              parts[0].count == 1 || parts[0].first != UInt8(ascii: "0"), parts[1].first != UInt8(ascii: "0"),
              let ms = Int64(String(decoding: parts[0], as: UTF8.self)), let id = Int64(String(decoding: parts[1], as: UTF8.self)), id > 0 else { return nil }
        self.init(openedAt: Timestamp(millisecondsSinceEpoch: ms), id: TicketID(id))
    }
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
