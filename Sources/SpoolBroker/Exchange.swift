import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fan-out point: publishing writes one copy of each message into every bound queue.
///
/// Bindings are empty files `exchanges/<exchange>/<queue>`, created by subscribers when they
/// start, so `ls` (and `campusdesk queue bindings`) shows who listens.
public struct Exchange: Sendable {
    public let spool: Spool
    public let name: ExchangeName

    var path: String { spool.exchangesPath + "/" + name.rawValue }

    /// Binds a queue (creating it if needed); binding twice is harmless.
    public func bind(_ queue: QueueName) throws(SpoolError) {
        _ = try spool.queue(queue)
        try SpoolIO.makeDirectory(path)
        let file = path + "/" + queue.rawValue
        let fd = open(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .posix("bind", path: file) }
        close(fd)
    }

    /// Removes a binding; the queue and its messages stay.
    public func unbind(_ queue: QueueName) throws(SpoolError) {
        let file = path + "/" + queue.rawValue
        if unlink(file) != 0 && errno != ENOENT { throw .posix("unbind", path: file) }
    }

    /// The bound queues, sorted; an exchange nobody bound has none.
    public func bindings() throws(SpoolError) -> [QueueName] {
        let entries: [SpoolIO.Entry]
        do { entries = try SpoolIO.list(path) } catch where error.kind == .notFound { return [] }
        return entries.filter { !$0.isDirectory }.compactMap { try? QueueName($0.name) }.sorted()
    }

    /// Writes the batch (one file, one fsync) into every bound queue.
    ///
    /// Stops at the first failing queue and throws; queues already written keep their copy, so
    /// a publisher that retries delivers duplicates that consumers drop by envelope id.
    /// - Returns: the queues written to.
    @discardableResult
    public func publish(_ batch: [Envelope]) throws(SpoolError) -> [QueueName] {
        let targets = try bindings()
        guard !batch.isEmpty else { return targets }
        // Encoded (and checked) once: the lines are the same bytes for every bound queue.
        var lines: [[UInt8]]?
        for q in targets {
            let queue = try spool.queue(q)
            if lines == nil {
                var encoded: [[UInt8]] = []
                encoded.reserveCapacity(batch.count)
                for e in batch { encoded.append(try queue.encode(e)) }
                lines = encoded
            }
            try queue.send(encodedLines: lines ?? [])
        }
        return targets
    }
}
