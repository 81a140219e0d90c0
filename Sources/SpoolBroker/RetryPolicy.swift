import Foundation

/// How often and how late a failed message is tried again before it goes to `dead/`.
///
/// Exponential backoff with "equal jitter": the n-th retry waits between half and all of
/// `min(cap, base * 2^(n-1))`, so a burst of failures does not retry in lock step. Randomness is
/// injected so tests can pin it.
public struct RetryPolicy: Sendable {
    /// Deliveries allowed in total; the delivery that would exceed it goes to `dead/` instead.
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration
    /// Returns a value in `0..<1`.
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 5, base: Duration = .milliseconds(500), cap: Duration = .seconds(300),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
        self.random = random
    }

    /// The wait before retry number `attempt` (1 for the first retry), in milliseconds.
    public func delayMilliseconds(forAttempt attempt: Int) -> Int64 {
        let baseMs = max(Int64(1), base.milliseconds)
        let capMs = max(baseMs, cap.milliseconds)
        let shift = min(max(attempt - 1, 0), 40)
        let (scaled, overflow) = baseMs.multipliedReportingOverflow(by: Int64(1) << shift)
        let full = overflow ? capMs : min(capMs, scaled)
        let half = full / 2
        let r = min(max(random(), 0), 0.999_999)
        return half + Int64(Double(full - half) * r)
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (s, attos) = components
        return s * 1000 + attos / 1_000_000_000_000_000
    }

    /// Whole nanoseconds (rounded down), for Dispatch deadlines.
    var nanoseconds: Int64 {
        let (s, attos) = components
        return s * 1_000_000_000 + attos / 1_000_000_000
    }
}
