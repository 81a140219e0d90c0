import CSQLite

/// The instant past which a connection's statements are interrupted; the progress handler's context.
///
/// A class so the handler can hold a stable pointer to it (unretained: the connection owns it).
final class TimeLimitDeadline {
    var instant = ContinuousClock.now
}

extension Connection {
    /// How many SQLite VM instructions run between two looks at the clock (a few microseconds).
    public static let timeLimitCheckInterval: Int32 = 1_000

    /// Runs `body` with a deadline: once `limit` has passed, the statement running is interrupted
    /// and fails with an `SQLiteError` whose ``SQLiteError/isInterrupted`` is true.
    ///
    /// Why: a reader's slow query (a search over a million tickets) ran on after its HTTP client
    /// had left, holding a pooled connection; with every connection held the gateway answered
    /// nothing (docs/performance.md, scaling finding 8). A progress handler looks at a monotonic
    /// clock every ``timeLimitCheckInterval`` VM instructions and returns non-zero past the
    /// deadline, which makes SQLite stop the statement with `SQLITE_INTERRUPT`. A statement that
    /// ends before its first check (a short lookup) never reads the clock at all.
    ///
    /// The handler is removed when `body` returns or throws, so the connection is reusable; a
    /// transaction opened in `body` is rolled back by ``transaction(_:_:)`` as for any error.
    /// - Parameter limit: nil runs `body` without a limit; zero or less interrupts at the first check.
    public func withTimeLimit<T>(_ limit: Duration?, _ body: (Connection) throws -> T) throws -> T {
        startTimeLimit(limit)
        defer { endTimeLimit() }
        return try body(self)
    }

    /// Starts the limit of ``withTimeLimit(_:_:)`` (nil: none) until ``endTimeLimit()``; for
    /// callers that hold the connection in a closure of their own (a pool's lock).
    public func startTimeLimit(_ limit: Duration?) {
        guard let limit else { return endTimeLimit() }
        timeLimitDeadline.instant = ContinuousClock.now.advanced(by: limit)
        sqlite3_progress_handler(handle, Self.timeLimitCheckInterval, { context in
            guard let context else { return 0 }
            return ContinuousClock.now >= Unmanaged<TimeLimitDeadline>.fromOpaque(context).takeUnretainedValue().instant ? 1 : 0
        }, Unmanaged.passUnretained(timeLimitDeadline).toOpaque())
    }

    /// Removes the limit: statements run to the end again.
    public func endTimeLimit() {
        sqlite3_progress_handler(handle, 0, nil, nil)
    }
}
