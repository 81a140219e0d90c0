/// When a process that exited is started again: exponential backoff, and a long pause when it keeps dying.
///
/// A process that crashes at once would otherwise be restarted in a tight loop, flooding the log
/// and the CPU; a process that ran for a while before dying is restarted quickly again.
public struct RestartPolicy: Sendable, Equatable {
    /// Delay before the first restart after a failure, in seconds; it doubles per consecutive failure.
    public var initialDelay: Double
    /// The largest backoff delay, in seconds.
    public var maximumDelay: Double
    /// A run at least this long counts as healthy and resets the backoff.
    public var stableAfter: Double
    /// Exits within `crashWindow` seconds that make a process "keep dying".
    public var crashLimit: Int
    public var crashWindow: Double
    /// How long to wait before restarting a process that keeps dying.
    public var crashLoopPause: Double

    public init(initialDelay: Double = 1, maximumDelay: Double = 16, stableAfter: Double = 30, crashLimit: Int = 5, crashWindow: Double = 60, crashLoopPause: Double = 30) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.stableAfter = stableAfter
        self.crashLimit = crashLimit
        self.crashWindow = crashWindow
        self.crashLoopPause = crashLoopPause
    }
}

/// The restart history of one process; pure, fed with times from a monotonic clock.
public struct RestartTracker: Sendable, Equatable {
    public var policy: RestartPolicy
    /// Exit times (seconds) inside the crash window.
    private(set) var recentExits: [Double] = []
    private(set) var consecutiveFailures = 0

    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    /// What to do after an exit.
    public struct Decision: Sendable, Equatable {
        /// Seconds to wait before starting the process again.
        public var delay: Double
        /// Set when the process keeps dying: how many exits within how many seconds.
        public var crashLoop: (exits: Int, window: Double)?

        public static func == (a: Decision, b: Decision) -> Bool {
            a.delay == b.delay && a.crashLoop?.exits == b.crashLoop?.exits && a.crashLoop?.window == b.crashLoop?.window
        }
    }

    /// Records an exit at `time` of a run that lasted `ranFor` seconds, and decides the restart delay.
    public mutating func recordExit(at time: Double, ranFor: Double) -> Decision {
        consecutiveFailures = ranFor >= policy.stableAfter ? 1 : consecutiveFailures + 1
        recentExits.append(time)
        recentExits.removeAll { $0 < time - policy.crashWindow }
        if recentExits.count >= policy.crashLimit {
            let count = recentExits.count
            // Start counting afresh after the pause, so the message comes once per loop, not per exit.
            recentExits.removeAll()
            return Decision(delay: policy.crashLoopPause, crashLoop: (count, policy.crashWindow))
        }
        var delay = policy.initialDelay
        for _ in 1..<max(consecutiveFailures, 1) where delay < policy.maximumDelay { delay *= 2 }
        return Decision(delay: min(delay, policy.maximumDelay), crashLoop: nil)
    }
}
