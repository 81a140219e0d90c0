import Foundation
import Domain
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Limits and timings of a spool, in one value so tests and tools can tighten them.
public struct SpoolLimits: Sendable {
    /// The largest encoded envelope accepted at send (and read back).
    public var maxMessageBytes: Int = 1 << 20
    /// The largest file a batch is packed into; bigger batches are split into several files.
    public var maxFileBytes: Int = 4 << 20
    /// How long a live process may hold a claim before others may take it back.
    public var lease: Duration = .seconds(300)
    /// Files in `tmp/` older than this are leftovers of crashed senders and are deleted.
    public var staleTmpAge: Duration = .seconds(3600)
    /// The longest a waiting consumer sleeps without rescanning (safety net for lost inotify events).
    public var pollInterval: Duration = .milliseconds(250)
    /// How often a consumer looks for abandoned claims while it claims.
    public var recoveryInterval: Duration = .seconds(1)

    public init() {}
}

/// The file-based broker: queues are directories under `<root>/queues/`, exchanges under `<root>/exchanges/`.
///
/// A cheap value: it holds paths and settings; each `queue(_:)` call returns a new consumer
/// handle with its own claim state. See docs/queue.md for the layout.
public struct Spool: Sendable {
    public let root: String
    public let clock: any WallClock
    public var limits: SpoolLimits
    public var logger: Logger

    /// Opens (and creates) a spool at `root`.
    public init(root: String, clock: any WallClock = SystemClock(), limits: SpoolLimits = SpoolLimits(),
                logger: Logger = Logger(component: "spool")) throws(SpoolError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.clock = clock
        self.limits = limits
        self.logger = logger
        try SpoolIO.makeDirectory(self.root)
        try SpoolIO.makeDirectory(queuesPath)
        try SpoolIO.makeDirectory(exchangesPath)
    }

    var queuesPath: String { root + "/queues" }
    var exchangesPath: String { root + "/exchanges" }

    func path(of queue: QueueName) -> String { queuesPath + "/" + queue.rawValue }

    /// A handle on a queue; with `create` false a missing queue is `.notFound`.
    ///
    /// Each handle is one consumer: deliveries it claims must be settled through it.
    public func queue(_ name: QueueName, create: Bool = true) throws(SpoolError) -> SpoolQueue {
        try SpoolQueue(spool: self, name: name, create: create)
    }

    /// A handle on an exchange (bindings are files under `exchanges/<name>/`).
    public func exchange(_ name: ExchangeName) -> Exchange { Exchange(spool: self, name: name) }

    /// Whether a queue directory exists.
    public func queueExists(_ name: QueueName) -> Bool {
        var st = stat()
        return lstat(path(of: name), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Every queue present, sorted by name (entries with invalid names are ignored).
    public func queueNames() throws(SpoolError) -> [QueueName] {
        try SpoolIO.list(queuesPath).filter(\.isDirectory).compactMap { try? QueueName($0.name) }.sorted()
    }

    /// Every exchange present, sorted by name.
    public func exchangeNames() throws(SpoolError) -> [ExchangeName] {
        try SpoolIO.list(exchangesPath).filter(\.isDirectory).compactMap { try? ExchangeName($0.name) }
            .sorted { $0.rawValue < $1.rawValue }
    }

    // MARK: - Replies

    /// Writes already built replies to one reply queue as one JSON Lines file (more only past
    /// `limits.maxFileBytes`), without fsync; a vanished queue drops them quietly.
    ///
    /// Replies are not fsynced: a reply only matters to a requester that is alive and waiting,
    /// and if the machine crashes that requester is gone too (its caller sees a timeout and the
    /// durable request was processed idempotently). A missing reply queue means the requester
    /// died; the replies are dropped quietly (debug log).
    ///
    /// Why: a worker answering a batch would otherwise create, rename and the requester claim,
    /// read and unlink one file per reply; one file per batch and reply queue costs that once.
    /// A reply over `limits.maxMessageBytes` throws `.tooLarge` before anything is written.
    public func sendReplies(_ replies: [Envelope], to replyTo: QueueName) throws(SpoolError) {
        guard !replies.isEmpty else { return }
        let queuePath = path(of: replyTo)
        var lines: [[UInt8]] = []
        lines.reserveCapacity(replies.count)
        for reply in replies {
            let line = reply.encodedLine()
            guard line.count <= limits.maxMessageBytes else {
                throw SpoolError(kind: .tooLarge, operation: "reply", path: queuePath,
                                 detail: "\(line.count) bytes > \(limits.maxMessageBytes)")
            }
            lines.append(line)
        }
        let fd: Int32
        do { fd = try SpoolIO.openDirectory(queuePath) } catch where error.kind == .notFound {
            logger.debug("replies dropped, requester gone", ["queue.name": replyTo.rawValue])
            return
        }
        defer { close(fd) }
        var file: [UInt8] = []
        func flush() throws(SpoolError) {
            guard !file.isEmpty else { return }
            try SpoolIO.publish(file, name: MessageFileName.make(now: clock.now()), queueFD: fd,
                                queuePath: queuePath, stage: "new", stageFD: nil, durable: false)
            file.removeAll(keepingCapacity: true)
        }
        for line in lines {
            if !file.isEmpty && file.count + line.count + 1 > limits.maxFileBytes { try flush() }
            file += line
            file.append(0x0A)
        }
        do { try flush() } catch where error.kind == .notFound {
            logger.debug("replies dropped, requester gone", ["queue.name": replyTo.rawValue])
        }
    }

    // MARK: - Cleanup

    /// Removes reply queues (`reply.<process>.<pid>`) whose process no longer exists.
    ///
    /// - Returns: the queues removed.
    @discardableResult
    public func removeDeadReplyQueues() -> [QueueName] {
        var removed: [QueueName] = []
        for q in (try? queueNames()) ?? [] where q.rawValue.hasPrefix(QueueName.replyPrefix) {
            guard let pidText = q.rawValue.split(separator: ".").last, let pid = Int32(pidText),
                  pid != getpid(), !SpoolIO.isProcessAlive(pid) else { continue }
            SpoolIO.removeTree(path(of: q))
            removed.append(q)
            logger.info("removed reply queue of dead process", ["queue.name": q.rawValue])
        }
        return removed
    }
}
