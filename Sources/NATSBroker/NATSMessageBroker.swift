import Foundation
import Synchronization
import Domain
import SpoolBroker

/// The broker protocol on NATS JetStream (docs/nats.md): a queue is a work-queue stream with
/// one durable pull consumer, its dead letters a stream beside it, exchanges fan out to the
/// subjects of the bound queues (bindings kept in a stream of their own), and reply queues are
/// core-NATS subscriptions of the requesting process.
///
/// Errors are `SpoolError` like the spool's (the protocol's one error type); `path` names the
/// queue or stream and `detail` carries the `NATSError`.
public final class NATSMessageBroker: MessageBroker {
    public let configuration: NATSBrokerConfiguration
    public let connection: NATSConnection
    let api: JetStreamAPI
    /// Queues whose streams and consumer this process has made or seen.
    private let ensured = Mutex<Set<QueueName>>([])
    /// This process's reply queues, by name.
    private let replyQueues = Mutex<[QueueName: NATSReplyConsumer]>([:])
    private let bindingsReady = Atomic<Bool>(false)
    /// Stream sequences this process NAKed with a delay and has not seen again, by queue: JetStream
    /// counts them as pending acks, `stats()` as waiting (other processes see them as claimed).
    let retrying = Mutex<[QueueName: Set<Int>]>([:])

    /// Connects to the first server of the list that answers.
    public init(configuration: NATSBrokerConfiguration) throws(SpoolError) {
        self.configuration = configuration
        do { connection = try NATSConnection(options: configuration.connection) } catch {
            throw Self.spoolError(error, "connect", path: "\(configuration.connection.servers)")
        }
        api = JetStreamAPI(connection: connection, timeout: configuration.connection.requestTimeout)
    }

    deinit { connection.close() }

    /// `nats://host:port[,host:port...]`.
    public convenience init(url: String, name: String = "campusdesk") throws(SpoolError) {
        let configuration: NATSBrokerConfiguration
        do { configuration = try NATSBrokerConfiguration(url: url, name: name) } catch {
            throw Self.spoolError(error, "configure", path: NATSCredentials.redacted(url: url))
        }
        try self.init(configuration: configuration)
    }

    public func close() { connection.close() }

    /// The server's max_payload less room for the headers a publish adds.
    public var maxMessageBytes: Int { min(1 << 20, connection.maxPayload - 512) }
    public var maxBatchBytes: Int { configuration.maxBatchBytes }

    // MARK: - Sending

    public func send(_ batch: [Envelope], to queue: QueueName, durability: Durability) throws(SpoolError) {
        if NATSNames.isReplyQueue(queue) && replyQueues.withLock({ $0[queue] }) != nil {
            return try sendReplies(batch, to: queue)
        }
        let lines = try encode(batch, operation: "send", path: queue.rawValue)
        try ensureQueue(queue)
        try publishDurably(lines, ids: batch.map(\.id.rawValue), subject: NATSNames.subject(queue), queue: queue)
    }

    public func sendReplies(_ replies: [Envelope], to replyQueue: QueueName) throws(SpoolError) {
        let lines = try encode(replies, operation: "reply", path: replyQueue.rawValue)
        let subject = NATSNames.replySubject(replyQueue)
        for line in lines {
            do { try connection.publish(subject, payload: line) } catch {
                throw Self.spoolError(error, "reply", path: replyQueue.rawValue)
            }
        }
    }

    @discardableResult
    public func publish(_ batch: [Envelope], to exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        let lines = try encode(batch, operation: "publish", path: exchange.rawValue)
        let targets = try bindings(of: exchange)
        guard !batch.isEmpty else { return targets }
        for queue in targets {
            try ensureQueue(queue)
            try publishDurably(lines, ids: batch.map(\.id.rawValue), subject: NATSNames.subject(queue), queue: queue)
        }
        return targets
    }

    /// Checks every message (size, one JSON body) before anything is published.
    private func encode(_ batch: [Envelope], operation: String, path: String) throws(SpoolError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        lines.reserveCapacity(batch.count)
        for envelope in batch {
            guard envelope.body.isEmpty || Envelope.isValidJSONValue(envelope.body) else {
                throw SpoolError(kind: .encoding, operation: operation, path: path, detail: "body of \(envelope.type) is not one JSON value")
            }
            let line = envelope.encodedLine()
            guard line.count <= maxMessageBytes else {
                throw SpoolError(kind: .tooLarge, operation: operation, path: path,
                                 detail: "message of \(line.count) bytes exceeds limit of \(maxMessageBytes)")
            }
            lines.append(line)
        }
        return lines
    }

    /// Publishes every line with its `Nats-Msg-Id` and waits for every PubAck; a line whose
    /// PubAck did not come (a reconnect, a timeout) is published again under the same id, which
    /// the stream drops if it had stored it. Throws when the deadline passes with some unacked.
    ///
    /// The id is the envelope's id and a token of this call: the stream drops this call's own
    /// repeats, never a later send of the same envelope. The ticket worker's replays send events
    /// again under their ids (`event-<seq>`), and the spool delivers every send; with the bare
    /// envelope id a replay within the duplicate window (2 min) was dropped, and the consumer
    /// that asked for it waited for events that never came (docs/nats.md).
    /// - Parameter acrossCalls: use `ids` as they are, so that a later call with the same ids is
    ///   dropped too (`queue retry`: a retry of a letter already retried before a crash).
    func publishDurably(_ lines: [[UInt8]], ids given: [String], subject: String, queue: QueueName,
                        acrossCalls: Bool = false) throws(SpoolError) {
        let call = NATSConnection.randomToken()
        let ids = acrossCalls ? given : given.map { "\($0).\(call)" }
        var remaining = Array(lines.indices)
        let deadline = ContinuousClock.now.advanced(by: configuration.connection.requestTimeout * 3)
        var lastError = NATSError(.timedOut, "publish \(subject)", "no PubAck")
        var recreated = false
        while !remaining.isEmpty {
            var inflight: [(index: Int, inbox: String, mailbox: NATSMailbox)] = []
            for i in remaining {
                let (inbox, mailbox) = connection.openInbox()
                do {
                    try connection.publish(subject, replyTo: inbox, headers: NATSHeaders([("Nats-Msg-Id", ids[i])]), payload: lines[i])
                    inflight.append((i, inbox, mailbox))
                } catch {
                    connection.closeInbox(inbox)
                    lastError = error
                    if error.kind == .tooLarge || error.kind == .closed { throw Self.spoolError(error, "send", path: queue.rawValue) }
                }
            }
            var failed: [Int] = []
            for f in inflight {
                defer { connection.closeInbox(f.inbox) }
                let wait = max(Duration.milliseconds(10), deadline - ContinuousClock.now)
                guard let reply = f.mailbox.next(timeout: min(wait, configuration.connection.requestTimeout)) else {
                    failed.append(f.index)
                    continue
                }
                do { _ = try PubAck.read(reply, subject: subject) } catch {
                    lastError = error
                    failed.append(f.index)
                    if error.kind == .noResponders && !recreated {
                        // The stream went away (removed by another process): make it again, once.
                        recreated = true
                        _ = ensured.withLock { $0.remove(queue) }
                        try ensureQueue(queue, until: deadline)
                    }
                }
            }
            remaining = failed + remaining.filter { i in !inflight.contains { $0.index == i } && !failed.contains(i) }
            remaining.sort()
            if !remaining.isEmpty && ContinuousClock.now >= deadline { throw Self.spoolError(lastError, "send", path: queue.rawValue) }
            if !remaining.isEmpty { usleep(20_000) }
        }
    }

    // MARK: - Exchanges

    public func bind(_ queue: QueueName, to exchange: ExchangeName) throws(SpoolError) {
        try ensureQueue(queue)
        try ensureBindingsStream()
        let subject = NATSNames.bindingSubject(exchange, queue)
        do {
            // Right after the bindings stream is made on a cluster it may have no leader yet: no responders.
            try duringElections(until: ContinuousClock.now.advanced(by: configuration.setupPatience)) { () throws(NATSError) in
                let reply = try connection.request(subject, headers: NATSHeaders([("Nats-Msg-Id", subject)]), payload: Array(queue.rawValue.utf8))
                _ = try PubAck.read(reply, subject: subject)
            }
        } catch {
            throw Self.spoolError(error, "bind", path: "\(exchange.rawValue)/\(queue.rawValue)")
        }
    }

    public func bindings(of exchange: ExchangeName) throws(SpoolError) -> [QueueName] {
        try ensureBindingsStream()
        let info: [String: Any]?
        do { info = try api.streamInfo(NATSNames.bindingsStream, subjectsFilter: NATSNames.bindingFilter(exchange)) } catch {
            throw Self.spoolError(error, "bindings", path: exchange.rawValue)
        }
        let subjects = ((info?["state"] as? [String: Any])?["subjects"] as? [String: Any]) ?? [:]
        return subjects.keys.compactMap { s in
            guard let last = s.split(separator: ".").last else { return nil }
            return try? QueueName(NATSNames.untoken(String(last)))
        }.sorted()
    }

    private func ensureBindingsStream() throws(SpoolError) {
        guard !bindingsReady.load(ordering: .acquiring) else { return }
        do {
            let config: [String: Any] = [
                "name": NATSNames.bindingsStream, "subjects": [NATSNames.bindingsSubjects], "retention": "limits",
                "storage": "file", "num_replicas": configuration.replicas, "max_msgs_per_subject": 1,
                "duplicate_window": configuration.duplicateWindow.nanoseconds,
            ]
            try duringElections(until: ContinuousClock.now.advanced(by: configuration.setupPatience)) { () throws(NATSError) in
                do throws(NATSError) { _ = try api.call("STREAM.CREATE.\(NATSNames.bindingsStream)", config) } catch where error.code == JetStreamAPI.Code.streamNameInUse {}
            }
        } catch {
            throw Self.spoolError(error, "create bindings", path: NATSNames.bindingsStream)
        }
        bindingsReady.store(true, ordering: .releasing)
    }

    // MARK: - Queues

    public func consumer(of queue: QueueName) throws(SpoolError) -> any MessageConsumer {
        if NATSNames.isReplyQueue(queue) {
            if let existing = replyQueues.withLock({ $0[queue] }) { return existing }
            let made = try NATSReplyConsumer(connection: connection, name: queue)
            replyQueues.withLock { $0[queue] = made }
            return made
        }
        try ensureQueue(queue)
        return try NATSConsumer(broker: self, name: queue)
    }

    public func queueExists(_ queue: QueueName) -> Bool {
        if NATSNames.isReplyQueue(queue) { return replyQueues.withLock { $0[queue] != nil } }
        return ((try? api.streamInfo(NATSNames.stream(queue))) ?? nil) != nil
    }

    public func removeQueue(_ queue: QueueName) {
        if NATSNames.isReplyQueue(queue) {
            replyQueues.withLock { $0.removeValue(forKey: queue) }?.stop()
            return
        }
        _ = ensured.withLock { $0.remove(queue) }
        try? api.deleteStream(NATSNames.stream(queue))
        try? api.deleteStream(NATSNames.deadStream(queue))
        try? api.purgeStream(NATSNames.bindingsStream, filter: "campusdesk.binding.*.\(NATSNames.token(queue.rawValue))")
    }

    /// Nothing to remove: a reply queue is a core-NATS subscription, gone with its process's connection.
    @discardableResult
    public func removeDeadReplyQueues() -> [QueueName] { [] }

    /// Creates the queue's stream, dead-letter stream and durable consumer once per process,
    /// riding out a cluster's elections until `deadline` (default: `setupPatience` from now).
    func ensureQueue(_ queue: QueueName, until deadline: ContinuousClock.Instant? = nil) throws(SpoolError) {
        if ensured.withLock({ $0.contains(queue) }) { return }
        let deadline = deadline ?? ContinuousClock.now.advanced(by: configuration.setupPatience)
        do {
            try duringElections(until: deadline) { () throws(NATSError) in
                try api.createStream(NATSNames.stream(queue), subjects: [NATSNames.subject(queue)], workQueue: true,
                                     replicas: configuration.replicas, duplicateWindow: configuration.duplicateWindow)
                try api.createStream(NATSNames.deadStream(queue), subjects: [NATSNames.deadSubject(queue)], workQueue: false,
                                     replicas: configuration.replicas, duplicateWindow: configuration.duplicateWindow)
                do throws(NATSError) {
                    try api.createDurablePullConsumer(stream: NATSNames.stream(queue), durable: NATSNames.durable,
                                                      ackWait: configuration.effectiveAckWait, filterSubject: NATSNames.subject(queue))
                } catch where error.kind == .server && !Self.isElection(error) {
                    // Made by another process with other settings (its lease): use it as it is.
                    _ = try api.consumerInfo(stream: NATSNames.stream(queue), durable: NATSNames.durable)
                }
            }
        } catch {
            throw Self.spoolError(error, "create queue", path: queue.rawValue)
        }
        _ = ensured.withLock { $0.insert(queue) }
    }

    // MARK: - Elections

    /// Runs a setup call (streams, consumer, binding) again while the failure is a cluster's
    /// election, until `deadline`.
    ///
    /// Why: a cluster answers no JetStream call before its nodes have elected a meta leader
    /// (the call times out), and a replicated stream or consumer made a moment ago, by this
    /// process or by another starting beside it, has no leader of its own for a second or two
    /// (a publish to it has no responders; a call may answer "temporarily unavailable"). A process
    /// started with its cluster, or during a node's loss, waits that out rather than exiting.
    func duringElections(until deadline: ContinuousClock.Instant, _ body: () throws(NATSError) -> Void) throws(NATSError) {
        while true {
            do { return try body() } catch {
                guard Self.isElection(error), ContinuousClock.now < deadline else { throw error }
                usleep(250_000)
            }
        }
    }

    /// A failure that a leader election explains and that passes once it is over.
    static func isElection(_ error: NATSError) -> Bool {
        switch error.kind {
        case .timedOut, .noResponders: true
        case .server: JetStreamAPI.Code.transient.contains(error.code)
        default: false
        }
    }

    /// A `NATSError` as the protocol's `SpoolError`.
    static func spoolError(_ error: NATSError, _ operation: String, path: String) -> SpoolError {
        let kind: SpoolError.Kind = switch error.kind {
        case .tooLarge: .tooLarge
        case .server where error.code == JetStreamAPI.Code.streamNotFound: .notFound
        default: .io
        }
        return SpoolError(kind: kind, operation: operation, path: path, detail: error.description)
    }
}
