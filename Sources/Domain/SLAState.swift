/// Where a ticket's SLA target stands, as lists show and filter it (`?sla=at_risk`).
public enum SLAState: String, Sendable, Codable, CaseIterable, Hashable {
    /// Less than 75 % of the target used, not yet met.
    case onTrack = "on_track"
    /// At least 75 % used, not yet met.
    case atRisk = "at_risk"
    /// 100 % used without being met, or met only after that.
    case breached
    /// Met before the target was used up.
    case met
}

/// The two instants a running target crosses: 75 % used (at risk) and 100 % used (due, breached).
///
/// Computed once from the opening time (``SLAClock/deadlines(opened:target:calendar:)``), so the
/// state at any moment is two comparisons; the SLA monitor keeps exactly these instants.
public struct SLADeadlines: Sendable, Hashable, Codable {
    /// The share of a target after which it is at risk.
    public static let atRiskPercent: Int64 = 75

    public var atRisk: Timestamp
    public var due: Timestamp

    public init(atRisk: Timestamp, due: Timestamp) {
        self.atRisk = atRisk
        self.due = due
    }

    enum CodingKeys: String, CodingKey { case atRisk = "at_risk", due }

    /// The state at `now`; `metAt` counts only if it is not after `now`.
    ///
    /// Why met needs `metAt < due`: at `due` the whole target is used, which is breached; a
    /// reply in the last millisecond before is met. A target met late stays breached.
    public func state(now: Timestamp, metAt: Timestamp?) -> SLAState {
        if let metAt, metAt <= now { return metAt < due ? .met : .breached }
        if now >= due { return .breached }
        return now >= atRisk ? .atRisk : .onTrack
    }
}
