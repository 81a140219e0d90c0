/// The service-levels analytic (the manager's dashboard, issue 16), as answered by its worker and
/// served at `/api/analytics/service-levels`.
///
/// Why one answer for three panels: they come from the same events and the same aggregate, and one
/// round trip keeps the dashboard's three figures consistent with each other.
public struct ServiceLevelsAnswer: Sendable, Codable, Equatable {
    /// The instant "now" of the answer: at-risk, breached and ages are as of it.
    public var asOf: Timestamp
    /// Per opening month (campus time zone) and priority, months oldest first, P1 before P4; only
    /// cells with at least one met or breached timer.
    public var compliance: [SLACompliance]
    /// Not-closed tickets at risk and breached now, every priority present (P1…P4).
    public var current: [SLAStanding]
    /// Per engineer with at least one not-closed ticket assigned, by user id.
    public var engineers: [EngineerWorkload]

    public init(asOf: Timestamp, compliance: [SLACompliance], current: [SLAStanding], engineers: [EngineerWorkload]) {
        self.asOf = asOf
        self.compliance = compliance
        self.current = current
        self.engineers = engineers
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case compliance, current, engineers
    }
}

/// How many timers of one kind were met within their target and how many were breached.
public struct SLAOutcomeCounts: Sendable, Codable, Equatable, Hashable {
    public var met: Int
    public var breached: Int
    public init(met: Int = 0, breached: Int = 0) {
        self.met = met
        self.breached = breached
    }
}

/// SLA compliance of the tickets opened in one month with one priority.
public struct SLACompliance: Sendable, Codable, Equatable {
    /// `YYYY-MM` in the campus time zone.
    public var month: String
    public var priority: Priority
    public var firstResponse: SLAOutcomeCounts
    public var resolution: SLAOutcomeCounts

    public init(month: String, priority: Priority, firstResponse: SLAOutcomeCounts, resolution: SLAOutcomeCounts) {
        self.month = month
        self.priority = priority
        self.firstResponse = firstResponse
        self.resolution = resolution
    }

    enum CodingKeys: String, CodingKey {
        case month, priority, resolution
        case firstResponse = "first_response"
    }
}

/// Not-closed tickets of one priority whose worst timer is at risk, or breached, now.
public struct SLAStanding: Sendable, Codable, Equatable {
    public var priority: Priority
    public var atRisk: Int
    public var breached: Int

    public init(priority: Priority, atRisk: Int, breached: Int) {
        self.priority = priority
        self.atRisk = atRisk
        self.breached = breached
    }

    enum CodingKeys: String, CodingKey {
        case priority, breached
        case atRisk = "at_risk"
    }
}

/// One engineer's not-closed assigned tickets: how many open and active, how many breached now,
/// and the median age (now minus the median opening time).
public struct EngineerWorkload: Sendable, Codable, Equatable {
    public var userID: UserID
    public var open: Int
    public var active: Int
    public var breached: Int
    /// Seconds; the mean of the two middle ages when the count is even.
    public var medianAgeSeconds: Double

    public init(userID: UserID, open: Int, active: Int, breached: Int, medianAgeSeconds: Double) {
        self.userID = userID
        self.open = open
        self.active = active
        self.breached = breached
        self.medianAgeSeconds = medianAgeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case open, active, breached
        case userID = "user_id"
        case medianAgeSeconds = "median_age_seconds"
    }
}
