import Domain
import Logging

/// Read-your-writes for a gateway with its own replica: sends through `inner`, then, when the
/// worker's reply names the replication batch holding the change, waits (at most `wait`) until the
/// replica has applied it, so the page or API answer that follows shows the change.
///
/// Past the wait it answers anyway and logs: the change is committed, only this gateway's copy lags.
public struct ReplicaWaitingCommandSender: CommandSending {
    let inner: any CommandSending
    let replica: any ReplicaProgress
    let wait: Duration
    let logger: Logger

    public init(inner: any CommandSending, replica: any ReplicaProgress, wait: Duration = .seconds(5), logger: Logger) {
        self.inner = inner
        self.replica = replica
        self.wait = wait
        self.logger = logger
    }

    public func send(_ command: Command, timeout: Duration) async -> CommandOutcome {
        let outcome = await inner.send(command, timeout: timeout)
        if case .replied(let reply) = outcome, let seq = reply.replicationSeq {
            if !(await replica.waitUntilApplied(seq, timeout: wait)) {
                logger.warning("replica behind the reply, answering anyway", ["command.id": command.id.rawValue, "replica.seq": String(seq),
                                                                              "replica.failure": replica.failure ?? "-"])
            }
        }
        return outcome
    }
}
