import Foundation
import Synchronization
import Logging
import SQLiteKit
import TicketStore

/// Keeps a gateway's own `tickets.db` replica (``TicketReplica``) up with the ticket worker:
/// applies the batches of a ``ReplicationSource`` in order, on a thread of its own.
///
/// Why a thread: reading the source blocks (a request, a wait for news), and the replica's
/// connection needs one owner; neither belongs on the cooperative pool. A batch the source does
/// not hold while a later one was published is a gap: the follower logs it, stops applying and
/// reports it through ``failure`` (so `/readyz` fails), never skipping. The broker's errors are
/// retried every second; the replica's (a constraint, damaged bytes, a full disk) stop it too.
public final class ReplicaFollower: ReplicaProgress, Sendable {
    public let path: String
    let source: any ReplicationSource
    let logger: Logger
    private let applied: Atomic<Int64>
    private let stopped = Atomic<Bool>(false)
    private let failed = Mutex<String?>(nil)

    /// Opens (creating and migrating) the replica once to check it, and remembers how far it is.
    public init(path: String, source: any ReplicationSource, logger: Logger) throws {
        self.path = path
        self.source = source
        self.logger = logger
        applied = Atomic(try TicketReplica(path: path).appliedSeq)
    }

    /// The last batch applied.
    public var appliedSeq: Int64 { applied.load(ordering: .acquiring) }

    public var failure: String? { failed.withLock { $0 } }

    /// Starts the follower thread.
    public func start() {
        let thread = Thread { [self] in follow() }
        thread.name = "replica-follower"
        thread.start()
    }

    /// Asks the thread to end after the batch in hand (within a second).
    public func stop() { stopped.store(true, ordering: .releasing) }

    public func waitUntilApplied(_ seq: Int64, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while appliedSeq < seq {
            if failure != nil || ContinuousClock.now >= deadline { return false }
            do { try await Task.sleep(for: .milliseconds(2)) } catch { return false }
        }
        return true
    }

    // MARK: - The thread

    private func follow() {
        let replica: TicketReplica
        do { replica = try TicketReplica(path: path) } catch {
            return fail("replica not opened", error)
        }
        var heard: Int64 = 0
        logger.info("replica following", ["replica.seq": String(appliedSeq)])
        while !stopped.load(ordering: .acquiring) {
            let next = appliedSeq + 1
            let batch: ReplicationBatch?
            do { batch = try source.batch(next) } catch {
                logger.warning("replication batch not read, retrying", ["replica.seq": String(next), "error": String(String(describing: error).prefix(300))])
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            if let batch {
                do { try replica.apply(batch) } catch {
                    return fail("replication batch not applied", error, seq: next)
                }
                applied.store(next, ordering: .releasing)
                continue
            }
            if heard >= next {
                // Publishes are in order, each stored before the next: a later batch without this
                // one means the stream lost it (a limit removed it): reseed from a backup.
                return fail("batch missing from the stream", TicketReplica.ReplicaError.gap(expected: next, received: heard), seq: next)
            }
            do {
                if let newest = try source.waitForNews(timeout: .milliseconds(500)) { heard = max(heard, newest) }
            } catch {
                logger.warning("replication news not heard, retrying", ["error": String(String(describing: error).prefix(300))])
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    private func fail(_ message: String, _ error: any Error, seq: Int64? = nil) {
        let detail = String(String(describing: error).prefix(300))
        failed.withLock { $0 = "\(message): \(detail)" }
        logger.error("the replica stops applying", ["reason": message, "replica.seq": seq.map(String.init) ?? "-", "error": detail])
    }
}
