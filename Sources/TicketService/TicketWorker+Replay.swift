import Foundation
import Domain
import SpoolBroker

extension TicketWorker {
    /// Why a replay request is refused; the text becomes the dead letter's reason.
    enum ReplayRefusal: Error, CustomStringConvertible {
        case invalidQueueName(String)
        case notAnEventsQueue(String)
        case notBound(String)

        var description: String {
            switch self {
            case .invalidQueueName(let q): "replay target '\(q.prefix(80))' is not a valid queue name"
            case .notAnEventsQueue(let q): "replay target '\(q)' is not an events.* queue"
            case .notBound(let q): "replay target '\(q)' is not bound to the events exchange"
            }
        }
    }

    /// Answers a replay request: re-sends events ≥ `from` into the named queue until caught up.
    ///
    /// Only an `events.*` queue bound to the `events` exchange is a valid target, so a request can
    /// never make the worker write into `commands`, a reply queue or a queue it invents. A failure to
    /// write is retried with backoff (then `dead/`); consumers drop the duplicates by seq.
    func replay(_ request: TicketWorkerReplayRequest, delivery: Delivery) async {
        do {
            let target = try replayTarget(request.queue)
            let sent = try await sendEvents(from: request.from, to: target)
            counters.eventsReplayed += sent
            logger.info("replay sent", ["queue.name": target.rawValue, "replay.from": request.from.description, "events": String(sent)])
            do { try commands.ack(delivery) } catch {
                logger.warning("ack failed, the queue will finish it", ["queue.file": delivery.claim, "error": error.description])
            }
        } catch let refusal as ReplayRefusal {
            logger.warning("replay request refused", ["reason": refusal.description])
            counters.rejected += 1
            do { try commands.reject(delivery, reason: refusal.description) } catch {
                logger.error("reject failed", ["queue.file": delivery.claim, "error": error.description])
            }
        } catch {
            counters.replaysFailed += 1
            logger.error("replay failed, will retry", ["queue.name": String(request.queue.prefix(80)), "error": Self.describe(error)])
            do { try commands.retry(delivery, policy: settings.replayRetry, reason: "replay failed: \(Self.describe(error))") } catch {
                // A full disk refuses the retry copy too: the queue keeps the claim and writes the copy once it can.
                logger.error("retry failed, the queue will finish it", ["queue.file": delivery.claim, "error": error.description])
            }
        }
    }

    private func replayTarget(_ raw: String) throws -> QueueName {
        let name: QueueName
        do { name = try QueueName(raw) } catch { throw ReplayRefusal.invalidQueueName(raw) }
        guard name.rawValue.hasPrefix("events."), name.rawValue.count > "events.".count else {
            throw ReplayRefusal.notAnEventsQueue(name.rawValue)
        }
        guard try broker.bindings(of: .events).contains(name) else { throw ReplayRefusal.notBound(name.rawValue) }
        return name
    }

    /// Sends events `from...lastSequence` (as of the start) into `queue`, `eventsPerFile` per file.
    private func sendEvents(from: SequenceNumber, to name: QueueName) async throws -> Int {
        let end = try await store.lastSequence
        var next = max(from, SequenceNumber(1))
        var sent = 0
        while next <= end {
            let events = try await store.events(from: next, limit: settings.eventsPerFile)
            guard let last = events.last else { break }
            try broker.send(try changeEventEnvelopes(events), to: name)
            sent += events.count
            next = last.seq.next
        }
        return sent
    }
}
