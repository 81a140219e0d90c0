import Foundation
import Synchronization
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// One queue directory (`tmp/ new/ cur/ deferred/ dead/`) and one consumer's claims on it.
///
/// Sending is durable when `send` returns: written in `tmp/`, fsynced, renamed into `new/`,
/// `new/` fsynced. Claiming renames `new/X` to `cur/X@<pid>-<millis>`: the rename is atomic, so
/// two consumers never hold the same file. A dead pid's claims go back to `new/` at once, any
/// other claim after the lease. Retries wait in `deferred/` with their due time as the file's
/// mtime (Postfix's trick); failures go to `dead/X` beside `dead/X.reason`.
public final class SpoolQueue: MessageConsumer {
    public let name: QueueName
    public let path: String
    let spool: Spool
    let queueFD: Int32
    let newFD: Int32
    let deferredFD: Int32
    let deadFD: Int32
    let state = Mutex(State())
    let inotify = Mutex<Int32>(-1)
    let waitQueue: DispatchQueue

    struct State {
        var buffer: [Delivery] = []
        var outstanding: [String: Int] = [:]
        var listing: [String] = []
        var listingIndex = 0
        var lastRecovery: Int64 = .min
        /// Settles that failed (disk full, I/O error), by claim and line, with the step still to do.
        var unsettled: [String: Unsettled] = [:]
    }

    /// What a consumer decided for a delivery; the step that is left when a settle fails half way.
    enum Settle {
        case ack
        case retry(RetryPolicy, reason: String)
        case reject(reason: String)

        /// For logs.
        var name: String {
            switch self {
            case .ack: "ack"
            case .retry: "retry"
            case .reject: "reject"
            }
        }
    }

    /// A settle the queue could not write yet; its claim stays counted (so never recovered by this
    /// process) until the step succeeds.
    struct Unsettled {
        var delivery: Delivery
        var step: Settle
    }

    init(spool: Spool, name: QueueName, create: Bool) throws(SpoolError) {
        self.spool = spool
        self.name = name
        self.path = spool.path(of: name)
        if create {
            try SpoolIO.makeDirectory(path)
            for stage in ["tmp", "new", "cur", "deferred", "dead"] { try SpoolIO.makeDirectory(path + "/" + stage) }
        } else if !spool.queueExists(name) {
            throw SpoolError(kind: .notFound, operation: "open queue", path: path, errno: ENOENT, detail: "no such queue")
        }
        var fds: [Int32] = []
        do {
            fds.append(try SpoolIO.openDirectory(path))
            for stage in ["new", "deferred", "dead"] { fds.append(try SpoolIO.openDirectory(stage, at: fds[0])) }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        queueFD = fds[0]
        newFD = fds[1]
        deferredFD = fds[2]
        deadFD = fds[3]
        waitQueue = DispatchQueue(label: "spool.wait.\(name.rawValue)")
    }

    deinit {
        for fd in [queueFD, newFD, deferredFD, deadFD] { close(fd) }
        let fd = inotify.withLock { $0 }
        if fd >= 0 { close(fd) }
    }

    private var pid: Int32 { getpid() }
    var now: Timestamp { spool.clock.now() }

    // MARK: - Send

    /// Sends one message durably; when this returns the message survives a crash.
    ///
    /// - Throws: `.tooLarge` over `limits.maxMessageBytes`, `.encoding` for a body that is not
    ///   JSON, `.io` with errno (ENOSPC, EIO...) — and then nothing was left in `new/`.
    public func send(_ envelope: Envelope, durability: Durability = .durable) throws(SpoolError) {
        var line = try encode(envelope)
        line.append(0x0A)
        try SpoolIO.publish(line, name: MessageFileName.make(now: now), queueFD: queueFD, queuePath: path,
                            stage: "new", stageFD: newFD, durable: durability == .durable)
    }

    /// Sends several messages in as few files as possible (JSON Lines, one fsync per file).
    ///
    /// All messages are checked before anything is written; files are capped at
    /// `limits.maxFileBytes`. If a later file fails, earlier files stay sent (at-least-once:
    /// a sender that retries the batch creates duplicates that consumers drop by id).
    public func send(batch: [Envelope], durability: Durability = .durable) throws(SpoolError) {
        guard !batch.isEmpty else { return }
        var lines: [[UInt8]] = []
        lines.reserveCapacity(batch.count)
        for e in batch { lines.append(try encode(e)) }
        try send(encodedLines: lines, durability: durability)
    }

    /// `send(batch:)` for lines already checked by `encode` (an exchange encodes once for all its queues).
    func send(encodedLines lines: [[UInt8]], durability: Durability = .durable) throws(SpoolError) {
        var file: [UInt8] = []
        func flush() throws(SpoolError) {
            guard !file.isEmpty else { return }
            try SpoolIO.publish(file, name: MessageFileName.make(now: now), queueFD: queueFD, queuePath: path,
                                stage: "new", stageFD: newFD, durable: durability == .durable)
            file.removeAll(keepingCapacity: true)
        }
        for line in lines {
            if !file.isEmpty && file.count + line.count + 1 > spool.limits.maxFileBytes { try flush() }
            file += line
            file.append(0x0A)
        }
        try flush()
    }

    func encode(_ envelope: Envelope) throws(SpoolError) -> [UInt8] {
        guard envelope.body.isEmpty || Envelope.isValidJSONValue(envelope.body) else {
            throw SpoolError(kind: .encoding, operation: "send", path: path, detail: "body of \(envelope.type) is not one JSON value")
        }
        let line = envelope.encodedLine()
        guard line.count <= spool.limits.maxMessageBytes else {
            throw SpoolError(kind: .tooLarge, operation: "send", path: path,
                             detail: "message of \(line.count) bytes exceeds limit of \(spool.limits.maxMessageBytes)")
        }
        return line
    }

    // MARK: - Claim

    /// Takes up to `max` waiting messages, oldest first, without blocking.
    ///
    /// Due retries are moved back to `new/` first. Files that are not envelopes (empty,
    /// truncated, not UTF-8, too large, a symlink, an array, an unknown version) go to `dead/`
    /// with a reason and the next message is still returned. With `knownTypes`, messages of any
    /// other type are rejected to `dead/` too.
    public func claim(max: Int, knownTypes: Set<String>?) throws(SpoolError) -> [Delivery] {
        guard max > 0 else { return [] }
        return try state.withLock { (s: inout State) throws(SpoolError) -> [Delivery] in
            settleUnsettledLocked(&s)
            let nowMs = now.millisecondsSinceEpoch
            if s.lastRecovery == .min || nowMs - s.lastRecovery >= spool.limits.recoveryInterval.milliseconds {
                s.lastRecovery = nowMs
                _ = try recoverLocked(&s)
                sweepTmpLocked()
            }
            try promoteDueLocked(nowMs: nowMs)
            var result: [Delivery] = []
            let fromBuffer = min(max, s.buffer.count)
            result += s.buffer.prefix(fromBuffer)
            s.buffer.removeFirst(fromBuffer)
            var rescanned = false
            while result.count < max {
                if s.listingIndex >= s.listing.count {
                    if rescanned { break }
                    rescanned = true
                    s.listing = try scanNew()
                    s.listingIndex = 0
                    if s.listing.isEmpty { break }
                }
                let file = s.listing[s.listingIndex]
                s.listingIndex += 1
                let got = try claimFile(file, knownTypes: knownTypes, state: &s)
                let room = max - result.count
                result += got.prefix(room)
                if got.count > room { s.buffer += got.dropFirst(room) }
            }
            return result
        }
    }

    /// Names in `new/` that may be messages, sorted (send order). Hidden names and directories are skipped.
    private func scanNew() throws(SpoolError) -> [String] {
        try SpoolIO.list("new", at: queueFD).filter { !$0.isDirectory && !$0.name.hasPrefix(".") }.map(\.name).sorted()
    }

    private func claimFile(_ file: String, knownTypes: Set<String>?, state s: inout State) throws(SpoolError) -> [Delivery] {
        guard SpoolNames.isValidMessageFile(file) else {
            let claimed = file + "@\(pid)-0"
            guard renameat(queueFD, "new/" + file, queueFD, "cur/" + claimed) == 0 else { return [] }
            try deadLetterFile(claimed: claimed, original: "invalid-name-\(MessageFileName.make(now: now))", reason: "invalid file name")
            return []
        }
        let claimed = "\(file)@\(pid)-\(now.millisecondsSinceEpoch)"
        if renameat(queueFD, "new/" + file, queueFD, "cur/" + claimed) != 0 {
            let e = errno
            if e == ENOENT { return [] }  // another consumer won the race
            throw .posix("claim", path: path + "/new/" + file, errno: e)
        }
        let fd = openat(queueFD, "cur/" + claimed, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            let reason = e == ELOOP ? "symbolic link (not followed)" : "cannot open: \(String(cString: strerror(e))) (errno \(e))"
            try deadLetterFile(claimed: claimed, original: file, reason: reason)
            return []
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw .posix("fstat", path: path + "/cur/" + claimed, errno: e)
        }
        let size = Int(st.st_size)
        var early: String?
        if (st.st_mode & S_IFMT) != S_IFREG {
            early = "not a regular file"
        } else if size == 0 {
            early = "empty file"
        } else if size > spool.limits.maxFileBytes {
            early = "file of \(size) bytes exceeds limit of \(spool.limits.maxFileBytes)"
        }
        if let early {
            close(fd)
            try deadLetterFile(claimed: claimed, original: file, reason: early)
            return []
        }
        let bytes: [UInt8]
        do {
            bytes = try SpoolIO.readAll(fd, size: size, path: path + "/cur/" + claimed)
            close(fd)
        } catch {
            close(fd)
            try deadLetterFile(claimed: claimed, original: file, reason: "cannot read: \(error.detail) (errno \(error.errno))")
            return []
        }

        // Split into lines; a trailing newline ends the last line, blank lines are ignored.
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in 0..<bytes.count where bytes[i] == 0x0A {
            if i > start { lines.append(bytes[start..<i]) }
            start = i + 1
        }
        if start < bytes.count { lines.append(bytes[start..<bytes.count]) }
        if lines.isEmpty {
            try deadLetterFile(claimed: claimed, original: file, reason: "empty file")
            return []
        }

        var good: [(Int, Envelope)] = []
        var bad: [(Int, String)] = []
        for (i, line) in lines.enumerated() {
            do throws(EnvelopeError) {
                if line.count > spool.limits.maxMessageBytes {
                    throw EnvelopeError.tooLarge(bytes: line.count, limit: spool.limits.maxMessageBytes)
                }
                let env = try Envelope.decode(line: line)
                if let knownTypes, !knownTypes.contains(env.type) {
                    bad.append((i, "unknown type \(JSONText.quoted(String(env.type.prefix(100))))"))
                } else {
                    good.append((i, env))
                }
            } catch {
                bad.append((i, error.description))
            }
        }
        if good.isEmpty {
            let reason = lines.count == 1 ? bad[0].1 : bad.map { "line \($0.0 + 1): \($0.1)" }.joined(separator: "\n")
            try deadLetterFile(claimed: claimed, original: file, reason: reason)
            return []
        }
        for (i, reason) in bad {
            // Kept byte for byte, as its own dead file, before the good lines are handed out.
            try writeDead(bytes: Array(lines[i]) + [0x0A], name: "\(file).\(i)", reason: reason)
        }
        s.outstanding[claimed] = good.count
        return good.map { Delivery(envelope: $0.1, claim: claimed, index: $0.0, total: lines.count) }
    }

    // MARK: - Settle

    // A settle that cannot be written (ENOSPC, EIO...) throws, so the consumer can log it, and is
    // not lost: the claim stays counted in `outstanding` and the step still to do is kept in
    // `unsettled`, tried again before every claim and while waiting, so it completes as soon as the
    // disk takes writes again. Before this, a failed retry left its claim counted forever (never
    // delivered again while the consumer lived) and a failed reject dropped the count first, so its
    // file waited in cur/ for the lease (300 s).

    /// Marks a delivery done; its file is removed once every message in it is settled.
    ///
    /// - Throws: when the file cannot be removed; the queue removes it later (see `retry`).
    public func ack(_ delivery: Delivery) throws(SpoolError) {
        try state.withLock { (s: inout State) throws(SpoolError) in try settleLocked(delivery, .ack, &s) }
    }

    /// Schedules a delivery again after the policy's backoff, or sends it to `dead/` when attempts run out.
    ///
    /// The retry copy (with `attempts + 1`) is written durably to `deferred/` before the claim
    /// is released, so a crash in between can duplicate but never lose it.
    /// - Throws: when the copy cannot be written (disk full). The claim is kept and the queue writes
    ///   the copy at this consumer's next claim or wait once it can; do not settle the delivery again.
    public func retry(_ delivery: Delivery, policy: RetryPolicy, reason: String) throws(SpoolError) {
        try state.withLock { (s: inout State) throws(SpoolError) in
            try settleLocked(delivery, .retry(policy, reason: reason), &s)
        }
    }

    /// Moves a delivery to `dead/` with a reason file beside it.
    ///
    /// - Throws: when the dead letter cannot be written; kept and finished later, as for `retry`.
    public func reject(_ delivery: Delivery, reason: String) throws(SpoolError) {
        try state.withLock { (s: inout State) throws(SpoolError) in try settleLocked(delivery, .reject(reason: reason), &s) }
    }

    /// Carries out `settle`; on a failure keeps the step not yet done in `unsettled` and rethrows.
    private func settleLocked(_ d: Delivery, _ settle: Settle, _ s: inout State) throws(SpoolError) {
        let key = "\(d.claim)#\(d.index)"
        var step = settle
        do {
            try performLocked(d, &step, &s)
            s.unsettled[key] = nil
        } catch {
            if s.outstanding[d.claim] != nil && claimFileExists(d.claim) {
                s.unsettled[key] = Unsettled(delivery: d, step: step)
            } else {
                // Nothing of it is left in cur/ (moved to dead/ before a failed directory fsync, or
                // taken back by another consumer after the lease): nothing to finish.
                s.outstanding[d.claim] = nil
                s.unsettled[key] = nil
            }
            throw error
        }
    }

    /// One settle, advancing `step` past each part that is done (a retry copy written leaves an ack).
    private func performLocked(_ d: Delivery, _ step: inout Settle, _ s: inout State) throws(SpoolError) {
        switch step {
        case .ack:
            try releaseLocked(d, &s)
        case .retry(let policy, let reason):
            let attempts = d.envelope.attempts + 1
            if attempts >= policy.maxAttempts {
                step = .reject(reason: "gave up after \(attempts) attempts: \(reason)")
                try performLocked(d, &step, &s)
                return
            }
            guard s.outstanding[d.claim] != nil, claimFileExists(d.claim) else {
                // Taken back by recovery (lease expired) while the retry waited: it is delivered
                // again from new/, so a copy in deferred/ would be a second one.
                spool.logger.warning("claim vanished before retry", ["queue.name": name.rawValue, "queue.file": d.claim])
                return
            }
            var env = d.envelope
            env.attempts = attempts
            let due = now.adding(milliseconds: policy.delayMilliseconds(forAttempt: attempts))
            var line = env.encodedLine()
            line.append(0x0A)
            try SpoolIO.publish(line, name: MessageFileName.make(now: now), queueFD: queueFD, queuePath: path,
                                stage: "deferred", stageFD: deferredFD, durable: true, modified: due)
            step = .ack
            try releaseLocked(d, &s)
        case .reject(let reason):
            guard s.outstanding[d.claim] != nil else { return }
            let original = Self.originalName(ofClaim: d.claim)
            if d.total == 1 {
                try deadLetterFile(claimed: d.claim, original: original, reason: reason)
                s.outstanding[d.claim] = nil
            } else {
                var line = d.envelope.encodedLine()
                line.append(0x0A)
                try writeDead(bytes: line, name: "\(original).\(d.index)", reason: reason)
                step = .ack
                try releaseLocked(d, &s)
            }
        }
    }

    /// Counts one message of the claim as settled; removes the file with the last one.
    private func releaseLocked(_ d: Delivery, _ s: inout State) throws(SpoolError) {
        guard let left = s.outstanding[d.claim] else { return }
        if left > 1 {
            s.outstanding[d.claim] = left - 1
            return
        }
        if unlinkat(queueFD, "cur/" + d.claim, 0) != 0 {
            let e = errno
            if e == ENOENT {
                // Taken back by recovery (lease expired): it will be delivered again; harmless for idempotent consumers.
                s.outstanding[d.claim] = nil
                spool.logger.warning("claim vanished before ack", ["queue.name": name.rawValue, "queue.file": d.claim])
                return
            }
            // Still counted, so still ours: the unlink is tried again (settleUnsettledLocked).
            throw .posix("unlink", path: path + "/cur/" + d.claim, errno: e)
        }
        s.outstanding[d.claim] = nil
    }

    /// Tries again every settle that failed before; those that fail again stay.
    func settleUnsettledLocked(_ s: inout State) {
        guard !s.unsettled.isEmpty else { return }
        for key in s.unsettled.keys.sorted() {
            guard let item = s.unsettled[key] else { continue }
            do throws(SpoolError) {
                try settleLocked(item.delivery, item.step, &s)
                spool.logger.info("settled after an earlier failure", ["queue.name": name.rawValue, "queue.file": item.delivery.claim,
                                                                       "settle": item.step.name])
            } catch {
                // Still failing (the disk is still full): kept for the next claim or wait.
            }
        }
    }

    /// Settles still waiting to be written (for tests).
    var unsettledCount: Int { state.withLock { $0.unsettled.count } }

    private func claimFileExists(_ claim: String) -> Bool {
        var st = stat()
        return fstatat(queueFD, "cur/" + claim, &st, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// `X` from `X@<pid>-<millis>`.
    static func originalName(ofClaim claim: String) -> String {
        guard let at = claim.lastIndex(of: "@") else { return claim }
        return String(claim[..<at])
    }

    // MARK: - Dead letters

    /// Moves a claimed file into `dead/` unchanged, writing the reason first.
    private func deadLetterFile(claimed: String, original: String, reason: String) throws(SpoolError) {
        try SpoolIO.publish(Array((reason + "\n").utf8), name: original + ".reason", queueFD: queueFD, queuePath: path,
                            stage: "dead", stageFD: nil, durable: true)
        guard renameat(queueFD, "cur/" + claimed, queueFD, "dead/" + original) == 0 else {
            throw .posix("rename to dead", path: path + "/cur/" + claimed)
        }
        guard fsync(deadFD) == 0 else { throw .posix("fsync directory", path: path + "/dead") }
        spool.logger.warning("message dead-lettered", ["queue.name": name.rawValue, "queue.file": original,
                                                       "reason": String(reason.prefix(200))])
    }

    private func writeDead(bytes: [UInt8], name file: String, reason: String) throws(SpoolError) {
        // Replacing an existing copy is fine: a redelivered file yields the same bytes.
        unlinkat(queueFD, "tmp/" + file, 0)
        unlinkat(queueFD, "tmp/" + file + ".reason", 0)
        try SpoolIO.publish(Array((reason + "\n").utf8), name: file + ".reason", queueFD: queueFD, queuePath: path,
                            stage: "dead", stageFD: nil, durable: true)
        try SpoolIO.publish(bytes, name: file, queueFD: queueFD, queuePath: path, stage: "dead", stageFD: deadFD, durable: true)
        spool.logger.warning("message dead-lettered", ["queue.name": name.rawValue, "queue.file": file,
                                                       "reason": String(reason.prefix(200))])
    }

    // MARK: - Recovery and housekeeping

    /// Returns abandoned claims to `new/`: at once if the claiming pid is dead, else after the lease.
    ///
    /// - Returns: how many files were returned.
    @discardableResult
    public func recoverClaims() throws(SpoolError) -> Int {
        try state.withLock { (s: inout State) throws(SpoolError) -> Int in try recoverLocked(&s) }
    }

    private func recoverLocked(_ s: inout State) throws(SpoolError) -> Int {
        let nowMs = now.millisecondsSinceEpoch
        let leaseMs = spool.limits.lease.milliseconds
        var returned = 0
        for entry in try SpoolIO.list("cur", at: queueFD) where !entry.isDirectory {
            let claim = entry.name
            if s.outstanding[claim] != nil { continue }
            guard let at = claim.lastIndex(of: "@") else { continue }
            let tail = claim[claim.index(after: at)...].split(separator: "-", maxSplits: 1)
            guard tail.count == 2, let owner = Int32(tail[0]), let claimedAt = Int64(tail[1]) else { continue }
            let ownerGone = owner != pid && !SpoolIO.isProcessAlive(owner)
            guard ownerGone || nowMs - claimedAt >= leaseMs else { continue }
            let original = String(claim[..<at])
            if renameat(queueFD, "cur/" + claim, queueFD, "new/" + original) == 0 {
                returned += 1
                spool.logger.info("claim returned", ["queue.name": name.rawValue, "queue.file": original,
                                                     "owner.pid": String(owner), "owner.dead": String(ownerGone)])
            }
        }
        if returned > 0 { s.listingIndex = s.listing.count }
        return returned
    }

    /// Deletes `tmp/` files older than `limits.staleTmpAge` (leftovers of senders that crashed mid-write).
    @discardableResult
    public func sweepTmp() -> Int { sweepTmpLocked() }

    @discardableResult
    private func sweepTmpLocked() -> Int {
        let nowMs = now.millisecondsSinceEpoch
        let maxAge = spool.limits.staleTmpAge.milliseconds
        var removed = 0
        for entry in (try? SpoolIO.list("tmp", at: queueFD)) ?? [] where !entry.isDirectory {
            guard let m = SpoolIO.modifiedMillis("tmp/" + entry.name, at: queueFD), nowMs - m >= maxAge else { continue }
            if unlinkat(queueFD, "tmp/" + entry.name, 0) == 0 { removed += 1 }
        }
        return removed
    }

    /// Moves retries whose due time (mtime) has come from `deferred/` back to `new/`.
    private func promoteDueLocked(nowMs: Int64) throws(SpoolError) {
        for entry in try SpoolIO.list("deferred", at: queueFD) where !entry.isDirectory && !entry.name.hasPrefix(".") {
            guard let due = SpoolIO.modifiedMillis("deferred/" + entry.name, at: queueFD), due <= nowMs else { continue }
            renameat(queueFD, "deferred/" + entry.name, queueFD, "new/" + entry.name)
        }
    }

    /// The earliest due time in `deferred/`, if any.
    func nextDueMillis() -> Int64? {
        var next: Int64?
        for entry in (try? SpoolIO.list("deferred", at: queueFD)) ?? [] where !entry.isDirectory {
            if let m = SpoolIO.modifiedMillis("deferred/" + entry.name, at: queueFD) { next = min(next ?? m, m) }
        }
        return next
    }
}
