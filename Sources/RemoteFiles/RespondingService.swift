import ServiceLifecycle

/// A process's service with responders beside it (the attachment home in the ticket worker, the
/// inbox queries in the notifier): they answer on threads of their own while the service runs
/// and stop with it.
public struct RespondingService<Inner: Service>: Service {
    public let inner: Inner
    let stopResponders: @Sendable () -> Void

    public init(_ inner: Inner, stopResponders: @escaping @Sendable () -> Void) {
        self.inner = inner
        self.stopResponders = stopResponders
    }

    public func run(until stop: StopSignal) async throws {
        defer { stopResponders() }
        try await inner.run(until: stop)
    }
}
