import ServiceLifecycle

/// The notifier as a process's service: it stops after the batch in hand.
extension Notifier: Service {
    public func run(until stop: StopSignal) async throws {
        try await run(shouldStop: { stop.isRequested })
    }
}
