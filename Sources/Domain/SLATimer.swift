/// Which of a ticket's two SLA targets a timer measures.
public enum SLATimerKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// Met by the first staff message or the move to `active`.
    case firstResponse = "first_response"
    /// Met by `closed`.
    case resolution
}

/// One SLA target running on a ticket: its two instants, when it was met, and the last
/// transition recorded for it.
///
/// Why `recorded` beside the deadlines: the state a list shows can be computed from the deadlines
/// and the clock, but the audited transition (at risk, breached) is a fact the SLA monitor records
/// once; `recorded` is that fact, and the worker refuses to record a transition twice.
public struct SLATimer: Sendable, Codable, Hashable {
    public var deadlines: SLADeadlines
    /// When the target was met (first staff message or `active`; `closed`); nil while it runs.
    public var metAt: Timestamp?
    /// The last transition recorded by the SLA monitor: `on_track` until one is.
    public var recorded: SLAState

    public init(deadlines: SLADeadlines, metAt: Timestamp? = nil, recorded: SLAState = .onTrack) {
        self.deadlines = deadlines
        self.metAt = metAt
        self.recorded = recorded
    }

    /// The state at `now`, from the deadlines and `metAt` (``SLADeadlines/state(now:metAt:)``).
    public func state(now: Timestamp) -> SLAState { deadlines.state(now: now, metAt: metAt) }

    /// Whether the timer still waits for a transition: not met, and not yet recorded as breached.
    public var isRunning: Bool { metAt == nil && recorded != .breached }

    enum CodingKeys: String, CodingKey {
        case atRisk = "at_risk", due, recorded
        case metAt = "met_at"
    }

    /// Flat JSON: `{"at_risk": ms, "due": ms, "met_at": ms|null, "recorded": "on_track"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deadlines = SLADeadlines(atRisk: try c.decode(Timestamp.self, forKey: .atRisk), due: try c.decode(Timestamp.self, forKey: .due))
        metAt = try c.decodeIfPresent(Timestamp.self, forKey: .metAt)
        recorded = try c.decodeIfPresent(SLAState.self, forKey: .recorded) ?? .onTrack
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deadlines.atRisk, forKey: .atRisk)
        try c.encode(deadlines.due, forKey: .due)
        try c.encode(metAt, forKey: .metAt)
        try c.encode(recorded, forKey: .recorded)
    }
}

/// A ticket's two SLA timers and the policy version they were computed under (issue 16).
///
/// Carried in ``TicketFacts`` so the change events tell the SLA monitor every timer to watch and
/// the SLA dashboard every figure to count, without a ticket table of their own.
public struct TicketSLA: Sendable, Codable, Hashable {
    /// The version of the policies and calendar the due times were computed under; a change to
    /// either applies to tickets opened after it.
    public var policyVersion: Int64
    public var firstResponse: SLATimer
    public var resolution: SLATimer

    public init(policyVersion: Int64, firstResponse: SLATimer, resolution: SLATimer) {
        self.policyVersion = policyVersion
        self.firstResponse = firstResponse
        self.resolution = resolution
    }

    public subscript(kind: SLATimerKind) -> SLATimer {
        get { kind == .firstResponse ? firstResponse : resolution }
        set { if kind == .firstResponse { firstResponse = newValue } else { resolution = newValue } }
    }

    enum CodingKeys: String, CodingKey {
        case policyVersion = "policy_version"
        case firstResponse = "first_response"
        case resolution
    }
}

/// What the SLA monitor asks the ticket worker to record when a running timer crosses an instant:
/// `at_risk` at 75 %, `breached` at 100 %.
///
/// `at` is the instant crossed (the timer's `at_risk` or `due`), not the time the monitor noticed,
/// so a transition recorded after downtime carries its true time. The worker records it once: only
/// if the ticket's timer still has this instant (a priority change since recomputed it), is not met
/// before `at`, and has not recorded this state or a later one.
public struct RecordSLATransition: Sendable, Codable, Hashable {
    public var ticketID: TicketID
    public var timer: SLATimerKind
    /// `at_risk` or `breached`.
    public var state: SLAState
    public var at: Timestamp

    public init(ticketID: TicketID, timer: SLATimerKind, state: SLAState, at: Timestamp) {
        self.ticketID = ticketID
        self.timer = timer
        self.state = state
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case timer, state, at
    }
}
