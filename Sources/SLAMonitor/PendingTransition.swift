import Domain

/// The next transition one running SLA timer waits for: the instant, and enough to know what follows it.
///
/// Why 24 bytes and these fields: the monitor holds a million of them (issue 16), so each is two
/// instants and one packed tag, with no per-entry allocation. `due` stays beside the instant of an
/// `at_risk` so that, once it is sent, the same entry moves on to `breached` without a lookup.
public struct PendingTransition: Sendable, Hashable {
    /// When the transition falls due, in milliseconds since the epoch: the timer's `at_risk` or `due`.
    public var instant: Int64
    /// The timer's `due` (equal to `instant` once `at_risk` has been sent).
    public var due: Int64
    /// `ticket << 2 | kind << 1 | state`: kind 0 first response, 1 resolution; state 0 at risk, 1 breached.
    public var tag: UInt64

    public init(instant: Int64, due: Int64, tag: UInt64) {
        self.instant = instant
        self.due = due
        self.tag = tag
    }

    /// The first transition a running timer waits for, given what is already recorded on it
    /// (`on_track`: at risk next; `at_risk`: breached next); nil when nothing is left to record.
    public init?(ticket: TicketID, kind: SLATimerKind, timer: SLATimer) {
        guard timer.isRunning, ticket.rawValue > 0, ticket.rawValue < 1 << 61 else { return nil }
        let key = TimerKey(ticket: ticket, kind: kind)
        switch timer.recorded {
        case .onTrack:
            self.init(instant: timer.deadlines.atRisk.millisecondsSinceEpoch, due: timer.deadlines.due.millisecondsSinceEpoch, tag: key.rawValue << 1)
        case .atRisk:
            self.init(instant: timer.deadlines.due.millisecondsSinceEpoch, due: timer.deadlines.due.millisecondsSinceEpoch, tag: key.rawValue << 1 | 1)
        case .breached, .met:
            return nil
        }
    }

    /// The ticket and timer this entry belongs to (the heap's index key).
    public var key: TimerKey { TimerKey(rawValue: tag >> 1) }
    /// `at_risk` or `breached`.
    public var state: SLAState { tag & 1 == 0 ? .atRisk : .breached }

    /// The command body that records this transition, with its true instant.
    public var transition: RecordSLATransition {
        RecordSLATransition(ticketID: key.ticket, timer: key.kind, state: state, at: Timestamp(millisecondsSinceEpoch: instant))
    }

    /// What waits after this transition is sent: `breached` at `due` after `at_risk`; nothing after `breached`.
    public var following: PendingTransition? {
        tag & 1 == 0 ? PendingTransition(instant: due, due: due, tag: tag | 1) : nil
    }
}

/// One timer of one ticket, packed in 63 bits: `ticket << 1 | kind`.
public struct TimerKey: Sendable, Hashable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(ticket: TicketID, kind: SLATimerKind) {
        rawValue = UInt64(ticket.rawValue) << 1 | (kind == .resolution ? 1 : 0)
    }
    public var ticket: TicketID { TicketID(Int64(rawValue >> 1)) }
    public var kind: SLATimerKind { rawValue & 1 == 0 ? .firstResponse : .resolution }
}
