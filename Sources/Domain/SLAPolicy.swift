/// How long staff have for one SLA goal (first response or resolution), and on which clock it runs.
///
/// Why two units: managers state short targets in minutes or hours and long ones in business days
/// ("P3 is resolved within 3 business days"). A business day is counted as the calendar's opening
/// span (``BusinessCalendar/businessDayMilliseconds``, 8 hours for 09:00-17:00), so N business days
/// are N × that many business hours: a ticket opened Monday 11:00 with 1 business day is due
/// Tuesday 11:00, one opened Saturday is due Monday 17:00. With one span a day this is the same as
/// "the same wall time N working days later" for a ticket opened inside hours. The length is taken
/// from the calendar the ticket runs under, so new opening hours change it only for tickets opened
/// after the change. docs/sla.md, "How due times are computed".
public struct SLATarget: Sendable, Hashable {
    /// Which time counts towards the target.
    public enum Clock: String, Sendable, Codable, CaseIterable, Hashable {
        /// Only business time of the ``BusinessCalendar`` (nights, closed days and holidays do not count).
        case businessHours = "business_hours"
        /// Every real second (24×7), as for P1.
        case aroundTheClock = "24x7"
    }

    /// How much time the target allows.
    public enum Length: Sendable, Hashable {
        /// Minutes of the target's clock.
        case minutes(Int)
        /// Business days; only on the business-hours clock.
        case businessDays(Int)
    }

    public var length: Length
    public var clock: Clock

    /// The longest target in minutes: a year.
    public static let maxMinutes = 366 * 24 * 60
    /// The longest target in business days: about a working year.
    public static let maxBusinessDays = 260

    /// A target; check it with ``validate(field:)`` when it comes from outside.
    public init(_ length: Length, clock: Clock) {
        self.length = length
        self.clock = clock
    }

    /// - Throws: a `validation` `Refusal` with `field` when the length is not positive, is over the
    ///   limit, or counts business days on the 24×7 clock.
    public func validate(field: String) throws(Refusal) {
        switch length {
        case .minutes(let n):
            guard (1...Self.maxMinutes).contains(n) else {
                throw Refusal(.validation, "A target is 1 to \(Self.maxMinutes) minutes.", field: field)
            }
        case .businessDays(let n):
            guard clock == .businessHours else {
                throw Refusal(.validation, "Business days count only on the business-hours clock; give 24×7 targets in minutes.", field: field)
            }
            guard (1...Self.maxBusinessDays).contains(n) else {
                throw Refusal(.validation, "A target is 1 to \(Self.maxBusinessDays) business days.", field: field)
            }
        }
    }

    /// The time the target allows on its clock, in milliseconds: real time for 24×7, business time
    /// (a business day being the calendar's opening span) otherwise.
    public func milliseconds(in calendar: BusinessCalendar) -> Int64 {
        switch length {
        case .minutes(let n): Int64(n) * 60_000
        case .businessDays(let n): Int64(n) * calendar.businessDayMilliseconds
        }
    }
}

/// `{"clock": "business_hours", "minutes": 240}` or `{"clock": "business_hours", "business_days": 3}`.
extension SLATarget: Codable {
    enum CodingKeys: String, CodingKey { case clock, minutes, businessDays = "business_days" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clock = try c.decode(Clock.self, forKey: .clock)
        switch (try c.decodeIfPresent(Int.self, forKey: .minutes), try c.decodeIfPresent(Int.self, forKey: .businessDays)) {
        case (let n?, nil): length = .minutes(n)
        case (nil, let n?): length = .businessDays(n)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "give exactly one of minutes and business_days"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        switch length {
        case .minutes(let n): try c.encode(n, forKey: .minutes)
        case .businessDays(let n): try c.encode(n, forKey: .businessDays)
        }
    }
}

/// The two SLA goals of one priority.
public struct SLAPolicy: Sendable, Hashable, Codable {
    public var priority: Priority
    /// Met by the first staff message or the move to `active`.
    public var firstResponse: SLATarget
    /// Met by the move to `closed`.
    public var resolution: SLATarget

    public init(priority: Priority, firstResponse: SLATarget, resolution: SLATarget) {
        self.priority = priority
        self.firstResponse = firstResponse
        self.resolution = resolution
    }

    enum CodingKeys: String, CodingKey { case priority, firstResponse = "first_response", resolution }

    /// - Throws: a `validation` `Refusal` naming `P2.first_response` or `P2.resolution`.
    public func validate() throws(Refusal) {
        try firstResponse.validate(field: "\(priority.rawValue).first_response")
        try resolution.validate(field: "\(priority.rawValue).resolution")
    }
}

/// The policy of every priority: what `GET/PUT /api/sla/policies` carries, one entry per priority.
///
/// Defaults (issue 16): P1 15 min / 4 h on the 24×7 clock; P2 1 h / 8 h, P3 4 h / 3 business days,
/// P4 1 business day / 5 business days, all in business hours (the issue names 24×7 for P1 only).
/// No rule ties first response to resolution: on different clocks they do not compare without a calendar.
public struct SLAPolicies: Sendable, Hashable {
    /// Sorted P1…P4, one each.
    public let policies: [SLAPolicy]

    /// - Throws: a `validation` `Refusal`: `policies` when a priority is missing or repeated, else the
    ///   field of the first target that fails (``SLAPolicy/validate()``).
    public init(_ policies: [SLAPolicy]) throws(Refusal) {
        let sorted = policies.sorted { $0.priority < $1.priority }
        guard sorted.map(\.priority) == Priority.allCases else {
            throw Refusal(.validation, "Give one policy for each priority P1, P2, P3 and P4.", field: "policies")
        }
        for policy in sorted { try policy.validate() }
        self.policies = sorted
    }

    /// The policy for `priority`.
    public subscript(priority: Priority) -> SLAPolicy {
        policies[Priority.allCases.firstIndex(of: priority) ?? 0]
    }

    public static let `default` = SLAPolicies(unchecked: [
        SLAPolicy(priority: .p1, firstResponse: SLATarget(.minutes(15), clock: .aroundTheClock),
                  resolution: SLATarget(.minutes(4 * 60), clock: .aroundTheClock)),
        SLAPolicy(priority: .p2, firstResponse: SLATarget(.minutes(60), clock: .businessHours),
                  resolution: SLATarget(.minutes(8 * 60), clock: .businessHours)),
        SLAPolicy(priority: .p3, firstResponse: SLATarget(.minutes(4 * 60), clock: .businessHours),
                  resolution: SLATarget(.businessDays(3), clock: .businessHours)),
        SLAPolicy(priority: .p4, firstResponse: SLATarget(.businessDays(1), clock: .businessHours),
                  resolution: SLATarget(.businessDays(5), clock: .businessHours)),
    ])

    private init(unchecked policies: [SLAPolicy]) {
        self.policies = policies
    }
}

/// `{"policies": [{"priority": "P1", "first_response": {…}, "resolution": {…}}, …]}`; decoding runs
/// the checks of `init` and throws its `Refusal`.
extension SLAPolicies: Codable {
    enum CodingKeys: String, CodingKey { case policies }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(try c.decode([SLAPolicy].self, forKey: .policies))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policies, forKey: .policies)
    }
}
