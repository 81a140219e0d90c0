import Synchronization

/// A flag the test sets to end a loop it started (a worker's `run(shouldStop:)`, a load thread).
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func set() { flag.store(true, ordering: .releasing) }
    public var isSet: Bool { flag.load(ordering: .acquiring) }
}
