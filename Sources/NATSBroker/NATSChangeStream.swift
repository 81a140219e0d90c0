import Foundation
import Synchronization

/// The stream of `tickets.db`'s replication batches (docs/nats.md, "Gateways on other machines"):
/// the ticket worker publishes each numbered batch, gateways with a replica of their own read them
/// in order, from the first on.
///
/// Stream `CAMPUSDESK-CHANGES`, limits retention (kept for every gateway, also one started later),
/// file storage. Batch N's bytes are at subject `campusdesk.changes.N.P` for its parts P = 0, 1, ...
/// (a batch larger than a message is split), with header `CampusDesk-Parts` on part 0 and
/// `Nats-Msg-Id: changes.N.P`, so a batch published again after a crash within the duplicate window
/// is dropped by the stream (a later copy is harmless: a replica skips what it applied). A reader
/// finds a batch by subject (`STREAM.MSG.GET` with `last_by_subj`), not by stream sequence, which
/// duplicates beyond the window would shift. Core subscribers of `campusdesk.changes.>` hear each
/// publish at once: the wake-up of a waiting reader.
public final class NATSChangeStream: Sendable {
    public static let streamName = "CAMPUSDESK-CHANGES"
    static let subjectPrefix = "campusdesk.changes."

    let broker: NATSMessageBroker
    /// Bytes of one part (the message limit less room for the headers).
    let partBytes: Int
    /// Highest batch number heard of through the subscription, and its wake-ups.
    private let news = NATSMailbox()
    private let subscription = Mutex<Int?>(nil)

    /// Makes the stream if it is not there yet.
    public init(broker: NATSMessageBroker) throws(NATSError) {
        self.broker = broker
        partBytes = max(1_024, broker.maxMessageBytes - 1_024)
        try broker.api.createStream(Self.streamName, subjects: [Self.subjectPrefix + ">"], workQueue: false,
                                    replicas: broker.configuration.replicas, duplicateWindow: broker.configuration.duplicateWindow)
    }

    deinit {
        if let sid = subscription.withLock({ $0 }) { broker.connection.unsubscribe(sid) }
    }

    // MARK: - Writing

    /// Publishes one batch (all its parts), waiting for each PubAck; throws if a part is not stored.
    public func publish(seq: Int64, bytes: [UInt8]) throws(NATSError) {
        let parts = stride(from: 0, to: max(bytes.count, 1), by: partBytes).map { Array(bytes[$0..<min(bytes.count, $0 + partBytes)]) }
        for (index, part) in parts.enumerated() {
            let subject = "\(Self.subjectPrefix)\(seq).\(index)"
            var headers = [("Nats-Msg-Id", "changes.\(seq).\(index)")]
            if index == 0 { headers.append(("CampusDesk-Parts", String(parts.count))) }
            let reply = try broker.connection.request(subject, headers: NATSHeaders(headers), payload: part)
            _ = try PubAck.read(reply, subject: subject)
        }
    }

    // MARK: - Reading

    /// Batch `seq`'s bytes, nil while the stream does not hold it (not yet published, or removed by a
    /// limit: the reader tells the two apart by hearing of a later batch, `ReplicaFollower`).
    public func batch(_ seq: Int64) throws(NATSError) -> [UInt8]? {
        guard let first = try message(subject: "\(Self.subjectPrefix)\(seq).0") else { return nil }
        let parts = first.headers.pairs.first { $0.name == "CampusDesk-Parts" }.flatMap { Int($0.value) } ?? 1
        var bytes = first.data
        for index in 1..<max(parts, 1) {
            guard let part = try message(subject: "\(Self.subjectPrefix)\(seq).\(index)") else { return nil }
            bytes += part.data
        }
        return bytes
    }

    /// Waits up to `timeout` for a publish to the stream; returns the highest batch number heard, nil if none.
    /// The first call also answers with the newest batch already stored: the publishes made before
    /// this reader listened are never heard, and a reader stopped at a gap must learn of a later batch
    /// even when no more are published (a gateway started after the last change).
    public func waitForNews(timeout: Duration) throws(NATSError) -> Int64? {
        if try subscribeOnce(), let stored = try newestStored() { return stored }
        guard let first = news.next(timeout: timeout) else { return nil }
        return ([first] + news.take(max: 10_000)).compactMap { Self.seq(of: $0.subject) }.max()
    }

    /// Subscribes to the publishes on first use; true when it did so now.
    private func subscribeOnce() throws(NATSError) -> Bool {
        if subscription.withLock({ $0 }) != nil { return false }
        let news = self.news
        let sid = try broker.connection.subscribe(Self.subjectPrefix + ">") { message in news.deliver(message) }
        subscription.withLock { $0 = sid }
        try broker.connection.flush()  // the server has the subscription before the stream is read
        return true
    }

    /// The batch number of the stream's last message, nil when it holds none (or that one was removed).
    private func newestStored() throws(NATSError) -> Int64? {
        guard let state = try broker.api.streamInfo(Self.streamName)?["state"] as? [String: Any],
              let last = state["last_seq"] as? Int, last > 0 else { return nil }
        let answer: [String: Any]
        do { answer = try broker.api.call("STREAM.MSG.GET.\(Self.streamName)", ["seq": last]) } catch where error.code == JetStreamAPI.Code.noMessageFound {
            return nil
        }
        return ((answer["message"] as? [String: Any])?["subject"] as? String).flatMap(Self.seq(of:))
    }

    private func message(subject: String) throws(NATSError) -> (headers: NATSHeaders, data: [UInt8])? {
        let answer: [String: Any]
        do { answer = try broker.api.call("STREAM.MSG.GET.\(Self.streamName)", ["last_by_subj": subject]) } catch where error.code == JetStreamAPI.Code.noMessageFound {
            return nil
        }
        guard let m = answer["message"] as? [String: Any] else { return nil }
        let data = (m["data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
        let headers = (m["hdrs"] as? String).flatMap { Data(base64Encoded: $0) }.map { NATSHeaders(block: Array($0)) } ?? NATSHeaders()
        return (headers, Array(data))
    }

    /// The batch number of a subject `campusdesk.changes.N.P`.
    static func seq(of subject: String) -> Int64? {
        guard subject.hasPrefix(subjectPrefix) else { return nil }
        return subject.dropFirst(subjectPrefix.count).split(separator: ".").first.flatMap { Int64($0) }
    }
}
