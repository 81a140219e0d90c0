/// The three analytics, as answered by their workers and served at `/api/analytics/...`.
/// The JSON shapes are fixed by the API reference (docs/api.md).

/// The analytics services, each its own worker process.
public enum AnalyticsService: String, Sendable, Codable, CaseIterable {
    case openTickets = "open-tickets"
    case resolutionTime = "resolution-time"
    case categoryLoad = "category-load"
}

/// Tickets opened in the last `hours` that are not closed, counted at query time.
public struct OpenTicketsAnswer: Sendable, Codable, Equatable {
    public var hours: Int
    public var since: Timestamp
    public var count: Int
    public init(hours: Int, since: Timestamp, count: Int) {
        self.hours = hours
        self.since = since
        self.count = count
    }
    /// Allowed periods: 1 hour to 365 days.
    public static let hoursRange = 1...(365 * 24)
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
