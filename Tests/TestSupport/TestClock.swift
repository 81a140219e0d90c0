import Domain
import Synchronization

/// A wall clock that moves only when the test advances it.
///
/// Backoff, leases, "older than an hour" sweeps and timestamps on rows are tested by injecting
/// this clock (STYLE.md: no `Date()` in logic) instead of waiting for real time to pass.
public final class TestClock: WallClock {
    /// 2026-03-01T09:00:00Z: a fixed, recognisable start.
    public static let defaultStart = Timestamp(millisecondsSinceEpoch: 1_772_355_600_000)

    private let milliseconds: Mutex<Int64>

    public init(_ start: Timestamp = TestClock.defaultStart) { milliseconds = Mutex(start.millisecondsSinceEpoch) }

    public func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: milliseconds.withLock { $0 }) }

    /// Moves the clock forward (or back, for a negative duration) by `duration`, to the millisecond.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        milliseconds.withLock { $0 += seconds * 1000 + attoseconds / 1_000_000_000_000_000 }
    }

    /// Sets the clock to `time`.
    public func set(_ time: Timestamp) { milliseconds.withLock { $0 = time.millisecondsSinceEpoch } }
}
