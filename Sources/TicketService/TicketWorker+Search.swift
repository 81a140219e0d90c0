import Foundation
import Domain
import SpoolBroker

/// Where the worker's background full-text pass stands: imported tickets wait in the store's search
/// backlog (migration 4) and the worker indexes them between command batches.
struct SearchPass: Sendable {
    /// True while the backlog may hold tickets (set at start and by every batch with an import).
    var pending = false
    /// Tickets indexed since the backlog was last seen empty (for the progress and done lines).
    var indexedInStretch = 0
    /// Failed attempts in a row; a failing pass backs off instead of spinning.
    var failures = 0
    /// No attempt before this instant (after a failure).
    var retryAt: ContinuousClock.Instant?

    /// True when a chunk should run now.
    func isDue(_ now: ContinuousClock.Instant) -> Bool {
        guard pending else { return false }
        guard let retryAt else { return true }
        return now >= retryAt
    }
}

extension Command {
    /// True for `import_ticket`, the one command whose ticket waits for the background pass.
    var isImport: Bool {
        if case .importTicket = action { return true }
        return false
    }
}

extension TicketWorker {
    /// Reads the backlog size for the start line and arms the pass when it is not empty.
    func searchBacklogAtStart() async -> Int {
        do {
            let backlog = try await store.searchBacklog
            search.pending = backlog > 0
            return backlog
        } catch {
            // Try the pass anyway: it reports its own failure, with backoff.
            search.pending = true
            logger.warning("search backlog not counted", ["error": Self.describe(error)])
            return -1
        }
    }

    /// Indexes one chunk of the search backlog (one transaction), logs progress, and disarms the pass
    /// once the backlog is empty; a failure is logged and retried with backoff (the tickets stay pending).
    func indexSearchChunk() async {
        let chunk = max(1, settings.searchChunk)
        do {
            let indexed = try await store.indexSearchBacklog(limit: chunk)
            // The pass's transaction wrote a replication batch too (search flags and words).
            if replication != nil { replicationPending = true }
            search.failures = 0
            search.retryAt = nil
            counters.ticketsSearchIndexed += indexed
            let before = search.indexedInStretch
            search.indexedInStretch += indexed
            if indexed < chunk {
                search.pending = false
                // A trickle (a few imports between idle moments) is not worth a line each time.
                if search.indexedInStretch >= chunk {
                    logger.info("search backlog indexed", ["search.indexed": String(search.indexedInStretch)])
                }
                search.indexedInStretch = 0
            } else if before / max(1, settings.searchProgressEvery) != search.indexedInStretch / max(1, settings.searchProgressEvery) {
                let left = (try? await store.searchBacklog).map(String.init) ?? "unknown"
                logger.info("search backlog progress", ["search.indexed": String(search.indexedInStretch), "search.backlog": left])
            }
        } catch {
            search.failures += 1
            let delay = settings.storageRetry.delayMilliseconds(forAttempt: search.failures)
            search.retryAt = ContinuousClock.now.advanced(by: .milliseconds(delay))
            logger.error("search backlog not indexed, will retry", [
                "attempt": String(search.failures), "retry.in_ms": String(delay), "error": Self.describe(error)])
        }
    }
}
