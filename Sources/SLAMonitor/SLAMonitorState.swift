import Domain

/// What the SLA monitor knows: every running timer's next transition, and the last event applied.
///
/// A pure value with no clock and no I/O, so the rules are tested with fixed instants:
/// - An event's `after.sla` decides each timer outright (a priority change moved its instants,
///   `recorded` says what is already recorded): running → its next transition replaces the old
///   one; met, breached recorded, or no SLA → nothing pending. `before` is not needed.
/// - A transition whose instant has passed is still due and is sent with its true instant.
///   When both have passed (downtime, a ticket imported late), both are sent, `at_risk` first:
///   each crossing is a fact of its own in the audit trail and the dashboard, and the worker
///   accepts `breached` after `at_risk` but refuses `at_risk` after `breached`.
/// - Events apply in `seq` order from `lastSeq + 1`; older ones are skipped, and a batch stops at a gap.
public struct SLAMonitorState: Sendable {
    /// What one batch of events did.
    public struct BatchOutcome: Sendable, Equatable {
        /// Events applied (seq = last + 1, in order).
        public var applied = 0
        /// Events applied before (seq ≤ last): redeliveries, replay overlap.
        public var duplicates = 0
        /// The first missing seq if the batch skipped ahead; events past it were not applied.
        public var gapAt: SequenceNumber?
        public init() {}
    }

    public private(set) var timers: SLATimerHeap
    public private(set) var lastSeq: SequenceNumber

    public init(lastSeq: SequenceNumber = .zero, timers: SLATimerHeap = SLATimerHeap()) {
        self.lastSeq = lastSeq
        self.timers = timers
    }

    /// The earliest instant a transition waits for.
    public var nextInstant: Timestamp? { timers.first.map { Timestamp(millisecondsSinceEpoch: $0.instant) } }

    /// Applies the events that follow `lastSeq`, in seq order, up to the first gap.
    @discardableResult
    public mutating func apply(_ events: [ChangeEvent]) -> BatchOutcome {
        var outcome = BatchOutcome()
        for event in events.sorted(by: { $0.seq < $1.seq }) {
            if event.seq <= lastSeq {
                outcome.duplicates += 1
            } else if event.seq == lastSeq.next {
                apply(event)
                lastSeq = event.seq
                outcome.applied += 1
            } else {
                outcome.gapAt = lastSeq.next
                break
            }
        }
        return outcome
    }

    private mutating func apply(_ event: ChangeEvent) {
        for kind in SLATimerKind.allCases {
            if let sla = event.after.sla, let next = PendingTransition(ticket: event.ticketID, kind: kind, timer: sla[kind]) {
                timers.upsert(next)
            } else {
                timers.remove(TimerKey(ticket: event.ticketID, kind: kind))
            }
        }
    }

    /// Takes up to `max` transitions due at `now` (instant ≤ now), earliest first, and moves each
    /// timer on to what follows (`breached` after `at_risk`, also taken if it is due too).
    ///
    /// Send what is returned durably, then keep this state; if the send fails, ``putBack(_:)``.
    public mutating func takeDue(now: Timestamp, max: Int = .max) -> [PendingTransition] {
        var taken: [PendingTransition] = []
        while taken.count < max, let first = timers.first, first.instant <= now.millisecondsSinceEpoch {
            taken.append(first)
            if let following = first.following { timers.upsert(following) } else { timers.remove(first.key) }
        }
        return taken
    }

    /// Undoes a ``takeDue(now:max:)`` whose commands could not be sent: each timer gets back the
    /// first transition taken from it.
    public mutating func putBack(_ taken: [PendingTransition]) {
        var restored = Set<UInt64>()
        for entry in taken where restored.insert(entry.key.rawValue).inserted { timers.upsert(entry) }
    }
}
