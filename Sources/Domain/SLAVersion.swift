/// One version of the SLA policies and the business calendar: what a ticket's timers are computed
/// under. A change to either makes a new version, which applies to tickets opened after it.
public struct SLAVersion: Sendable, Equatable {
    public var version: Int64
    public var policies: SLAPolicies
    public var calendar: BusinessCalendar

    public init(version: Int64, policies: SLAPolicies, calendar: BusinessCalendar) {
        self.version = version
        self.policies = policies
        self.calendar = calendar
    }

    /// The policy an untriaged ticket (no priority) runs under: P3, what ``PriorityMatrix`` gives a
    /// `medium` problem for one person, so a ticket nobody has judged yet is neither ignored nor urgent.
    public static let untriagedPriority: Priority = .p3

    /// Both timers of a ticket of `priority` opened at `opened`, running (not met, nothing recorded).
    public func timers(priority: Priority?, opened: Timestamp) -> TicketSLA {
        let policy = policies[priority ?? Self.untriagedPriority]
        return TicketSLA(
            policyVersion: version,
            firstResponse: SLATimer(deadlines: SLAClock.deadlines(opened: opened, target: policy.firstResponse, calendar: calendar)),
            resolution: SLATimer(deadlines: SLAClock.deadlines(opened: opened, target: policy.resolution, calendar: calendar)))
    }
}

extension TicketSLA {
    /// The ticket's priority changed: each running timer takes the deadlines of the new priority,
    /// counted from the opening time under the same version.
    ///
    /// A timer already met keeps its deadlines (its verdict, met or breached, was given). A running
    /// timer whose deadlines move goes back to `recorded = on_track`: the transitions recorded
    /// were about instants that no longer apply (the trail keeps them), and the SLA monitor records
    /// the new instants' transitions, with their true times even if they lie in the past.
    public func retimed(priority: Priority?, opened: Timestamp, under version: SLAVersion) -> TicketSLA {
        let fresh = version.timers(priority: priority, opened: opened)
        var out = self
        for kind in SLATimerKind.allCases where self[kind].metAt == nil && self[kind].deadlines != fresh[kind].deadlines {
            out[kind] = fresh[kind]
        }
        return out
    }

    /// The due order's key (`sort=due`): the earliest due instant of a timer not yet met, in
    /// milliseconds; ``noneRunning`` when both are met or the ticket has no timers.
    ///
    /// The store's `tickets.sla_next_due` (migration 16) computes the same in SQL, and its index
    /// holds it. A met timer no longer counts even if it was met late; a breached one not yet met
    /// counts with its due time, which is past, so breached tickets come first.
    public static func nextDue(of sla: TicketSLA?) -> Int64 {
        guard let sla else { return noneRunning }
        let first = sla.firstResponse.metAt == nil ? sla.firstResponse.deadlines.due.millisecondsSinceEpoch : noneRunning
        let resolution = sla.resolution.metAt == nil ? sla.resolution.deadlines.due.millisecondsSinceEpoch : noneRunning
        return min(first, resolution)
    }

    /// The due order's key for a ticket with no timer running: after every real instant, and 18
    /// digits so a cursor carrying it stays in the cursor's documented form.
    public static let noneRunning: Int64 = 999_999_999_999_999_999

    /// Marks `kind` met at `at`, unless it was met already (the first meeting counts).
    public mutating func meet(_ kind: SLATimerKind, at: Timestamp) {
        if self[kind].metAt == nil { self[kind].metAt = at }
    }

    /// The ticket's state as one word for lists and the `sla` filter: `breached` if either timer
    /// is, else `at_risk` if either is, else `on_track` if either still runs, else `met`.
    public func state(now: Timestamp) -> SLAState {
        SLAState.combined(firstResponse.state(now: now), resolution.state(now: now))
    }
}

extension SLAState {
    /// Two timers' states as the ticket's one word: `breached` if either is, else `at_risk` if
    /// either is, else `on_track` if either still runs, else `met`.
    public static func combined(_ a: SLAState, _ b: SLAState) -> SLAState {
        if a == .breached || b == .breached { return .breached }
        if a == .atRisk || b == .atRisk { return .atRisk }
        return a == .onTrack || b == .onTrack ? .onTrack : .met
    }
}

extension SLAState {
    /// The order transitions are recorded in: `on_track` < `at_risk` < `breached`; `met` is not a
    /// recorded transition and ranks with `on_track`.
    public var recordRank: Int {
        switch self {
        case .onTrack, .met: 0
        case .atRisk: 1
        case .breached: 2
        }
    }
}

/// Replace the SLA policies (managers and admins): a new version, with the calendar unchanged,
/// for tickets opened from then on.
public struct SetSLAPolicies: Sendable, Codable, Equatable {
    public var policies: SLAPolicies
    public init(policies: SLAPolicies) { self.policies = policies }
}

/// Replace the business calendar (managers and admins): a new version, with the policies unchanged,
/// for tickets opened from then on.
public struct SetSLACalendar: Sendable, Codable, Equatable {
    public var calendar: BusinessCalendar
    public init(calendar: BusinessCalendar) { self.calendar = calendar }
}

/// A version as the API shows it: what it holds, and who made it when (nil for version 1, which
/// the store wrote with the defaults).
public struct SLAVersionRecord: Sendable, Equatable {
    public var sla: SLAVersion
    public var createdAt: Timestamp
    public var createdByID: UserID?
    public var createdByRole: Role
    public var createdByName: String?

    public init(sla: SLAVersion, createdAt: Timestamp, createdByID: UserID?, createdByRole: Role, createdByName: String?) {
        self.sla = sla
        self.createdAt = createdAt
        self.createdByID = createdByID
        self.createdByRole = createdByRole
        self.createdByName = createdByName
    }
}
