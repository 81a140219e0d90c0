import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A message seen by `queue peek`, without claiming it.
public struct PeekedMessage: Sendable, Equatable {
    public var file: String
    /// Nil when the line is not a valid envelope (then `error` says why).
    public var envelope: Envelope?
    public var error: String?

    public init(file: String, envelope: Envelope?, error: String?) {
        self.file = file
        self.envelope = envelope
        self.error = error
    }
}

/// A dead letter: the file kept in `dead/` and the reason beside it.
public struct DeadLetter: Sendable, Equatable {
    public var file: String
    public var reason: String
    /// The envelope id, when the file decodes.
    public var id: EnvelopeID?
    public var type: String?

    public init(file: String, reason: String, id: EnvelopeID? = nil, type: String? = nil) {
        self.file = file
        self.reason = reason
        self.id = id
        self.type = type
    }
}

extension SpoolQueue {
    /// Up to `max` waiting messages in claim order, read without claiming (operator view).
    public func peek(max: Int) throws(SpoolError) -> [PeekedMessage] {
        var out: [PeekedMessage] = []
        let names = try SpoolIO.list("new", at: queueFD).filter { !$0.isDirectory && !$0.name.hasPrefix(".") }.map(\.name).sorted()
        for file in names where out.count < max {
            for line in readLines("new/" + file) where out.count < max {
                switch line {
                case .success(let bytes):
                    do throws(EnvelopeError) {
                        out.append(PeekedMessage(file: file, envelope: try Envelope.decode(line: bytes), error: nil))
                    } catch {
                        out.append(PeekedMessage(file: file, envelope: nil, error: error.description))
                    }
                case .failure(let reason):
                    out.append(PeekedMessage(file: file, envelope: nil, error: reason.detail))
                }
            }
        }
        return out
    }

    /// Every dead letter with its reason, oldest name first.
    public func deadLetters() throws(SpoolError) -> [DeadLetter] {
        let entries = try SpoolIO.list("dead", at: queueFD).filter { !$0.isDirectory && !$0.name.hasPrefix(".") }.map(\.name)
        return entries.filter { !$0.hasSuffix(".reason") }.sorted().map { file in
            let reasonBytes = readLines("dead/" + file + ".reason", raw: true).compactMap { try? $0.get() }
            let reason = reasonBytes.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
            var letter = DeadLetter(file: file, reason: reason.isEmpty ? "(no reason recorded)" : reason)
            if case .success(let first)? = readLines("dead/" + file).first, let env = try? Envelope.decode(line: first) {
                letter.id = env.id
                letter.type = env.type
            }
            return letter
        }
    }

    /// Moves dead letters back to `new/` (their reasons are removed): one by file name or envelope id, or all.
    ///
    /// The file moves unchanged, attempts included; a message that keeps failing returns to `dead/`.
    /// - Returns: how many were moved.
    @discardableResult
    public func retryDead(matching idOrFile: String?) throws(SpoolError) -> Int {
        var moved = 0
        for letter in try deadLetters() {
            if let idOrFile, letter.file != idOrFile, letter.id?.rawValue != idOrFile { continue }
            guard renameat(queueFD, "dead/" + letter.file, queueFD, "new/" + letter.file) == 0 else {
                throw .posix("rename to new", path: path + "/dead/" + letter.file)
            }
            unlinkat(queueFD, "dead/" + letter.file + ".reason", 0)
            moved += 1
        }
        if moved > 0 && fsync(newFD) != 0 { throw .posix("fsync directory", path: path + "/new") }
        return moved
    }

    /// Deletes every dead letter and reason.
    /// - Returns: how many dead letters were deleted.
    @discardableResult
    public func purgeDead() throws(SpoolError) -> Int {
        var removed = 0
        for e in try SpoolIO.list("dead", at: queueFD) where !e.isDirectory {
            guard unlinkat(queueFD, "dead/" + e.name, 0) == 0 else { throw .posix("unlink", path: path + "/dead/" + e.name) }
            if !e.name.hasSuffix(".reason") { removed += 1 }
        }
        return removed
    }

    /// The non-empty lines of a file (relative to the queue), each or the reason it could not be read.
    func readLines(_ relative: String, raw: Bool = false) -> [Result<[UInt8], SpoolError>] {
        let fd = openat(queueFD, relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return [.failure(.posix("open", path: relative))] }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return [.failure(.posix("fstat", path: relative))] }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return [.failure(SpoolError(kind: .io, operation: "read", path: relative, detail: "not a regular file"))]
        }
        guard Int(st.st_size) <= spool.limits.maxFileBytes else {
            return [.failure(SpoolError(kind: .tooLarge, operation: "read", path: relative, detail: "file of \(st.st_size) bytes"))]
        }
        let bytes: [UInt8]
        do { bytes = try SpoolIO.readAll(fd, size: Int(st.st_size), path: relative) } catch { return [.failure(error)] }
        if bytes.isEmpty && !raw { return [.failure(SpoolError(kind: .io, operation: "read", path: relative, detail: "empty file"))] }
        return bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { .success(Array($0)) }
    }
}

// MARK: - Counts

extension SpoolQueue {
    /// Counts of this queue's messages, for `queue list` and dashboards.
    public func stats() throws(SpoolError) -> QueueStats {
        func messages(in stage: String) throws(SpoolError) -> (count: Int, oldest: Int64?) {
            var count = 0
            var oldest: Int64?
            for e in try SpoolIO.list(stage, at: queueFD) where !e.isDirectory && !e.name.hasPrefix(".") {
                count += countLines(stage + "/" + e.name)
                if let m = SpoolIO.modifiedMillis(stage + "/" + e.name, at: queueFD) { oldest = min(oldest ?? m, m) }
            }
            return (count, oldest)
        }
        let new = try messages(in: "new")
        let deferred = try messages(in: "deferred")
        let claimed = try messages(in: "cur")
        let dead = try SpoolIO.list("dead", at: queueFD).filter { !$0.isDirectory && !$0.name.hasSuffix(".reason") }.count
        let age = new.oldest.map { Double(max(0, now.millisecondsSinceEpoch - $0)) / 1000 }
        return QueueStats(queue: name, waiting: new.count + deferred.count, claimed: claimed.count, dead: dead,
                          oldestAgeSeconds: age)
    }

    /// Non-empty lines in a file (1 for anything unreadable, so it still counts as one message).
    private func countLines(_ relative: String) -> Int {
        let fd = openat(queueFD, relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return 1 }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= spool.limits.maxFileBytes,
              let bytes = try? SpoolIO.readAll(fd, size: Int(st.st_size), path: relative) else { return 1 }
        var n = 0
        var lineHasBytes = false
        for b in bytes {
            if b == 0x0A { if lineHasBytes { n += 1 }; lineHasBytes = false } else { lineHasBytes = true }
        }
        if lineHasBytes { n += 1 }
        return max(n, 1)
    }
}

/// One row of `queue list`.
public struct QueueStats: Sendable, Equatable, Codable {
    public var queue: QueueName
    /// Messages in `new/` and `deferred/`.
    public var waiting: Int
    public var claimed: Int
    /// Files in `dead/` (reason files not counted).
    public var dead: Int
    /// Age of the oldest file in `new/`, nil when `new/` is empty.
    public var oldestAgeSeconds: Double?

    public init(queue: QueueName, waiting: Int, claimed: Int, dead: Int, oldestAgeSeconds: Double?) {
        self.queue = queue
        self.waiting = waiting
        self.claimed = claimed
        self.dead = dead
        self.oldestAgeSeconds = oldestAgeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case queue, waiting, claimed, dead
        case oldestAgeSeconds = "oldest_age_seconds"
    }
}
