import ServiceLifecycle

/// The SLA monitor as a process's service: it stops after the batch in hand, saving its state.
extension SLAMonitor: Service {
    public func run(until stop: StopSignal) async throws {
        try await run(shouldStop: { stop.isRequested })
    }
}
