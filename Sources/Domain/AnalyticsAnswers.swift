/// The analytics, as answered by their workers and served at `/api/analytics/...`.
/// The JSON shapes are fixed by the API reference (docs/api.md).

/// The analytics services, each its own worker process.
public enum AnalyticsService: String, Sendable, Codable, CaseIterable {
    case openTickets = "open-tickets"
    case resolutionTime = "resolution-time"
    case categoryLoad = "category-load"
    /// SLA compliance, tickets at risk and breached now, workload per engineer (the manager's dashboard).
    case serviceLevels = "service-levels"
}

/// The period of the open-tickets analytic: the last `hours` hours, broken down `by` hour or day.
///
/// Why the two together: `?hours=24` asks for the hours of the last day, `?days=7` for the days of
/// the last week; the width of the chart's slots follows the unit the question was asked in.
public struct OpenTicketsPeriod: Sendable, Codable, Equatable, Hashable {
    public var hours: Int
    public var by: TimeBucket

    public init(hours: Int, by: TimeBucket = .hour) {
        self.hours = hours
        self.by = by
    }

    /// The last `days` days, by day.
    public static func days(_ days: Int) -> OpenTicketsPeriod { OpenTicketsPeriod(hours: days * 24, by: .day) }

    /// The dashboard's default: the last 24 hours, by hour.
    public static let standard = OpenTicketsPeriod(hours: 24, by: .hour)

    /// Allowed lengths in hours: 1 hour to 730 days (`hours` ≤ 8,760 plus `days` ≤ 365 in the API).
    public static let hoursRange = 1...(2 * 365 * 24)
}

/// Ticket counts per category, every category present (zero when none).
///
/// Encoded as a JSON object keyed by category (`{"facility": 1, "it": 0, "services": 2}`) so a
/// new category is a new key, not a new position in an array.
public struct CategoryCounts: Sendable, Equatable {
    private var counts: [Int]

    public init() { counts = Array(repeating: 0, count: Category.allCases.count) }

    public subscript(category: Category) -> Int {
        get { counts[Self.index(category)] }
        set { counts[Self.index(category)] = newValue }
    }

    /// The sum over all categories.
    public var total: Int { counts.reduce(0, +) }

    private static func index(_ category: Category) -> Int {
        Category.allCases.firstIndex(of: category) ?? 0
    }
}

extension CategoryCounts: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init()
        for category in Category.allCases {
            self[category] = try c.decodeIfPresent(Int.self, forKey: Key(stringValue: category.rawValue)) ?? 0
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for category in Category.allCases { try c.encode(self[category], forKey: Key(stringValue: category.rawValue)) }
    }
}

/// One slot of the open-tickets breakdown: the tickets opened in it, per category.
public struct OpenTicketsBucket: Sendable, Codable, Equatable {
    /// The slot's first instant (a campus-time full hour or midnight); the first slot of a
    /// period may start before `since` and then counts only tickets opened from `since` on.
    public var start: Timestamp
    public var counts: CategoryCounts

    public init(start: Timestamp, counts: CategoryCounts) {
        self.start = start
        self.counts = counts
    }
}

/// Tickets opened in the last `hours` that are not closed, counted at query time, with the
/// breakdown by opening hour or day and category.
public struct OpenTicketsAnswer: Sendable, Codable, Equatable {
    public var hours: Int
    public var since: Timestamp
    /// The instant the answer was computed ("now" of the worker); the period is `since..<until`.
    public var until: Timestamp
    /// The width of the slots in `buckets`.
    public var by: TimeBucket
    /// Not-closed tickets opened at or after `since`; the sum of the buckets.
    public var count: Int
    /// The slots with at least one ticket, oldest first; empty slots are left out.
    public var buckets: [OpenTicketsBucket]

    public init(hours: Int, since: Timestamp, count: Int, until: Timestamp? = nil, by: TimeBucket = .hour, buckets: [OpenTicketsBucket] = []) {
        self.hours = hours
        self.since = since
        self.until = until ?? since.adding(milliseconds: Int64(hours) * 3_600_000)
        self.by = by
        self.count = count
        self.buckets = buckets
    }

    /// The period this answers.
    public var period: OpenTicketsPeriod { OpenTicketsPeriod(hours: hours, by: by) }
}

/// Average resolution time per opening month (campus time zone), months with a closed ticket only.
public struct ResolutionTimeAnswer: Sendable, Codable, Equatable {
    public var months: [MonthResolution]
    public init(months: [MonthResolution]) { self.months = months }
}

public struct MonthResolution: Sendable, Codable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    /// Closed tickets opened in that month.
    public var closed: Int
    /// Their mean `closed_at − opened_at`, in seconds.
    public var averageSeconds: Double
    public init(month: String, closed: Int, averageSeconds: Double) {
        self.month = month
        self.closed = closed
        self.averageSeconds = averageSeconds
    }
    enum CodingKeys: String, CodingKey { case month, closed, averageSeconds = "average_seconds" }
}

/// Tickets per category and status; all three categories always present, in `Category.allCases` order.
public struct CategoryLoadAnswer: Sendable, Codable, Equatable {
    public var categories: [CategoryLoad]
    public init(categories: [CategoryLoad]) { self.categories = categories }
}

public struct CategoryLoad: Sendable, Codable, Equatable {
    public var category: Category
    public var open: Int
    public var active: Int
    public var closed: Int
    public init(category: Category, open: Int, active: Int, closed: Int) {
        self.category = category
        self.open = open
        self.active = active
        self.closed = closed
    }
}
