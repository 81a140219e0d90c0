/// `/readyz` of a gateway with its own replica: the inner checks, plus `ticket-replica`, not ready
/// once the replica has stopped applying (a gap or a conflict: docs/nats.md).
public struct ReplicaReadinessProbe: ReadinessProbing {
    let inner: any ReadinessProbing
    let replica: any ReplicaProgress

    public init(inner: any ReadinessProbing, replica: any ReplicaProgress) {
        self.inner = inner
        self.replica = replica
    }

    public func check(timeout: Duration) async -> [ReadinessCheck] {
        let failure = replica.failure
        return await inner.check(timeout: timeout) + [ReadinessCheck(name: "ticket-replica", ready: failure == nil, detail: failure)]
    }
}
