import Foundation
import Domain
import SpoolBroker

/// A replay in progress: events `next...` still to send into `queue`, one slice per loop turn.
///
/// Why in slices: at a million events one replay kept the worker from every command for about 1.5
/// minutes, and each fresh consumer asked for one (docs/performance.md, scaling finding 9). Between
/// slices the worker applies the commands that arrived.
struct ReplayJob: Sendable {
    let queue: QueueName
    /// The lowest seq asked for; a later request for this queue from here on is already covered.
    var start: SequenceNumber
    var next: SequenceNumber
    /// The requests this job answers, acknowledged when it catches up (held, so a crash redelivers them).
    var deliveries: [Delivery]
    var sent = 0
}

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

    /// Takes a replay request: starts a job for its queue, or joins the job already running for it.
    ///
    /// Only an `events.*` queue bound to the `events` exchange is a valid target, so a request can
    /// never make the worker write into `commands`, a reply queue or a queue it invents. While a
    /// queue has a job, the outbox relay leaves it out (``publishOutbox()``): the job sends every
    /// event up to the latest, so the consumer sees its seqs in order, as after a one-shot replay.
    func startReplay(_ request: TicketWorkerReplayRequest, delivery: Delivery) async {
        let target: QueueName
        do { target = try replayTarget(request.queue) } catch let refusal as ReplayRefusal {
            logger.warning("replay request refused", ["reason": refusal.description])
            counters.rejected += 1
            do { try commands.reject(delivery, reason: refusal.description) } catch {
                logger.error("reject failed", ["queue.file": delivery.claim, "error": error.description])
            }
            return
        } catch {
            failReplay(deliveries: [delivery], queue: request.queue, error: error)
            return
        }
        let from = max(request.from, SequenceNumber(1))
        if let i = replayJobs.firstIndex(where: { $0.queue == target }) {
            // The job sends everything from its start to the latest: a request from there on is covered;
            // one from earlier (the consumer lost its state) moves the job back.
            if from < replayJobs[i].start {
                replayJobs[i].start = from
                replayJobs[i].next = from
            }
            replayJobs[i].deliveries.append(delivery)
        } else {
            replayJobs.append(ReplayJob(queue: target, start: from, next: from, deliveries: [delivery]))
        }
        logger.info("replay started", ["queue.name": target.rawValue, "replay.from": from.description])
    }

    /// Sends one slice (`replaySlice` events) of the oldest job, then moves it to the back; a job
    /// that has reached the latest event is finished and its requests acknowledged.
    func replayTurn() async {
        guard !replayJobs.isEmpty else { return }
        var job = replayJobs.removeFirst()
        do {
            let end = try await store.lastSequence
            var budget = settings.replaySlice
            while job.next <= end, budget > 0 {
                let events = try await store.events(from: job.next, limit: min(settings.eventsPerFile, budget))
                guard let last = events.last else { break }
                try broker.send(try changeEventEnvelopes(events), to: job.queue)
                job.sent += events.count
                counters.eventsReplayed += events.count
                budget -= events.count
                job.next = last.seq.next
            }
            if job.next > end {
                logger.info("replay sent", ["queue.name": job.queue.rawValue, "replay.from": job.start.description, "events": String(job.sent)])
                for delivery in job.deliveries {
                    do { try commands.ack(delivery) } catch {
                        logger.warning("ack failed, the queue will finish it", ["queue.file": delivery.claim, "error": error.description])
                    }
                }
            } else {
                replayJobs.append(job)
            }
        } catch {
            failReplay(deliveries: job.deliveries, queue: job.queue.rawValue, error: error)
        }
    }

    /// A replay that could not be written (the target queue's disk failing): its requests go back
    /// with backoff (then `dead/`), and the queue rejoins the relay; consumers drop duplicates by seq.
    private func failReplay(deliveries: [Delivery], queue: String, error: any Error) {
        counters.replaysFailed += 1
        logger.error("replay failed, will retry", ["queue.name": String(queue.prefix(80)), "error": Self.describe(error)])
        for delivery in deliveries {
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
}
