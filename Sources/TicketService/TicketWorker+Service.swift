import ServiceLifecycle

/// The ticket worker as a process's service: it stops claiming when a stop is requested.
extension TicketWorker: Service {
    public func run(until stop: StopSignal) async throws {
        try await run(shouldStop: { stop.isRequested })
    }
}
