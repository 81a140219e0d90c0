import CSQLite

extension Connection {
    /// How many SQLite VM instructions run between two looks at the clock (a few microseconds).
    public static let timeLimitCheckInterval: Int32 = 1_000

    /// Runs `body` with a deadline: once `limit` has passed, the statement running is interrupted
    /// and fails with an `SQLiteError` whose ``SQLiteError/isInterrupted`` is true.
    ///
    /// Why: a reader's slow query (a search over a million tickets) ran on after its HTTP client
    /// had left, holding a pooled connection; with every connection held the gateway answered
    /// nothing (docs/performance.md, scaling finding 7). A progress handler looks at a monotonic
    /// clock every ``timeLimitCheckInterval`` VM instructions and returns non-zero past the
    /// deadline, which makes SQLite stop the statement with `SQLITE_INTERRUPT`. A statement that
    /// ends before its first check (a short lookup) never reads the clock at all.
    ///
    /// The handler is removed when `body` returns or throws, so the connection is reusable; a
    /// transaction opened in `body` is rolled back by ``transaction(_:_:)`` as for any error.
    /// - Parameter limit: nil runs `body` without a limit; zero or less interrupts at the first check.
    public func withTimeLimit<T>(_ limit: Duration?, _ body: (Connection) throws -> T) throws -> T {
        guard let limit else { return try body(self) }
        var deadline = ContinuousClock.now.advanced(by: limit)
        return try withUnsafeMutablePointer(to: &deadline) { pointer in
            sqlite3_progress_handler(handle, Self.timeLimitCheckInterval, { context in
                guard let context else { return 0 }
                let deadline = context.assumingMemoryBound(to: ContinuousClock.Instant.self).pointee
                return ContinuousClock.now >= deadline ? 1 : 0
            }, UnsafeMutableRawPointer(pointer))
            defer { sqlite3_progress_handler(handle, 0, nil, nil) }
            return try body(self)
        }
    }
}
