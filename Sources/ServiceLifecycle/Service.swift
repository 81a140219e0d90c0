import Logging

/// A long-running process of CampusDesk: the gateway, the ticket worker, an analytics worker.
///
/// Why one shape: every service stops the same way (a signal sets `stop`, the loop notices,
/// finishes the batch in hand and returns), so the signal handling, the failure log line and the
/// exit codes live once, in `ServiceRunner`, instead of in each executable.
public protocol Service: Sendable {
    /// Runs until `stop.isRequested` (then returns normally) or a failure (then throws).
    func run(until stop: StopSignal) async throws
}

/// Runs one `Service` as the process's whole life: installs the signals, builds, runs, maps the outcome.
public enum ServiceRunner {
    /// Returns the process exit code: 0 after a graceful stop, 1 after a failure (logged).
    ///
    /// The signals are routed before `make` runs, so a SIGTERM that arrives while the service is
    /// still opening its database is a graceful stop, not the default action (death by signal).
    /// - Parameters:
    ///   - onStop: runs when the first signal arrives, before the service notices the flag
    ///     (a server uses it to stop accepting connections at once).
    ///   - make: builds the service (opens files, queues, sockets); a throw is a failure.
    public static func run<S: Service>(logger: Logger, note: StaticString = "stop requested, finishing the work in hand",
                                       onStop: @escaping @Sendable () -> Void = {},
                                       make: () async throws -> S) async -> Int32 {
        let stop = StopSignal()
        stop.install(logger: logger, note: note) { _ in onStop() }
        defer { stop.uninstall() }
        do {
            let service = try await make()
            try await service.run(until: stop)
            return ExitCode.success
        } catch {
            logger.error("service failed", ["error": String(String(describing: error).prefix(300))])
            return ExitCode.failure
        }
    }
}
