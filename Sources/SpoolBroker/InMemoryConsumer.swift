import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One consumer of an `InMemoryBroker` queue; its claims come back at once when it is released.
///
/// Why releasing counts as a crash: in memory there is no process to die, so dropping the
/// consumer is how a test says "this holder is gone" (the spool's dead pid).
final class InMemoryConsumer: MessageConsumer {
    let broker: InMemoryBroker
    let name: QueueName
    let id: Int

    init(broker: InMemoryBroker, name: QueueName, id: Int) {
        self.broker = broker
        self.name = name
        self.id = id
    }

    deinit { broker.release(consumer: id) }

    func claim(max: Int, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery] {
        broker.claim(name, consumer: id, max: max, knownTypes: knownTypes)
    }

    func messages(max: Int, timeout: Duration, knownTypes: Set<String>?) async throws(SpoolError) -> [Delivery] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let got = broker.claim(name, consumer: id, max: max, knownTypes: knownTypes)
            if !got.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return got }
            // Task.sleep suspends without holding a thread of the cooperative pool.
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    func waitForMessages(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if broker.hasClaimable(name) { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(1_000)
        }
    }

    func ack(_ delivery: Delivery) throws(SpoolError) {
        broker.settle(name, delivery, consumer: id, dead: nil)
    }

    func retry(_ delivery: Delivery, policy: RetryPolicy, reason: String) throws(SpoolError) {
        let attempts = delivery.envelope.attempts + 1
        if attempts >= policy.maxAttempts {
            try reject(delivery, reason: "gave up after \(attempts) attempts: \(reason)")
            return
        }
        broker.deferRetry(name, delivery, consumer: id, attempts: attempts, policy: policy)
    }

    func reject(_ delivery: Delivery, reason: String) throws(SpoolError) {
        broker.settle(name, delivery, consumer: id, dead: reason)
    }

    @discardableResult
    func recoverClaims() throws(SpoolError) -> Int { broker.recoverClaims(name, consumer: id) }

    func stats() throws(SpoolError) -> QueueStats { try broker.stats(name) }

    func deadLetters() throws(SpoolError) -> [DeadLetter] { broker.deadLetters(name) }
}
