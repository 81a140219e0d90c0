import Foundation

/// The JetStream API calls the broker makes: JSON requests to `$JS.API.*` subjects over core
/// request/reply, each answer checked for `{"error":{...}}`.
struct JetStreamAPI: Sendable {
    let connection: NATSConnection
    let timeout: Duration

    /// JetStream's error codes the broker branches on.
    enum Code {
        static let streamNotFound = 10059
        static let consumerNotFound = 10014
        static let noMessageFound = 10037
        static let streamNameInUse = 10058
        /// What a cluster answers during an election: "JetStream system temporarily unavailable"
        /// (10008), "JetStream cluster can not handle request" (10009), and "no suitable peers for
        /// placement" (10005) while a starting node has not yet joined the meta group (nats-server's
        /// errors.json; 10005 also means a node is down, which outlasts `setupPatience`).
        static let transient: Set<Int> = [10005, 10008, 10009]
    }

    /// One API call: `body` encoded as JSON (nil: empty payload), the answer decoded.
    func call(_ subject: String, _ body: [String: Any]? = nil) throws(NATSError) -> [String: Any] {
        var payload: [UInt8] = []
        if let body {
            guard let data = try? JSONSerialization.data(withJSONObject: body) else {
                throw NATSError(.protocolViolation, subject, "request not encodable")
            }
            payload = Array(data)
        }
        let reply: NATSMessage
        do { reply = try connection.request("$JS.API." + subject, payload: payload, timeout: timeout) } catch where error.kind == .noResponders {
            throw NATSError(.noResponders, subject, "JetStream is not enabled on the server")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(reply.payload))) as? [String: Any] else {
            throw NATSError(.protocolViolation, subject, "answer is not a JSON object")
        }
        if let error = object["error"] as? [String: Any] {
            throw NATSError(.server, subject, error["description"] as? String ?? "error", code: error["err_code"] as? Int ?? 0)
        }
        return object
    }

    /// Creates a stream, or leaves one of the same name as it is.
    func createStream(_ name: String, subjects: [String], workQueue: Bool, replicas: Int, duplicateWindow: Duration) throws(NATSError) {
        let config: [String: Any] = [
            "name": name, "subjects": subjects, "retention": workQueue ? "workqueue" : "limits",
            "storage": "file", "num_replicas": replicas, "discard": "old",
            "duplicate_window": duplicateWindow.nanoseconds,
        ]
        do { _ = try call("STREAM.CREATE.\(name)", config) } catch where error.code == Code.streamNameInUse {
            // Made by another process (perhaps with another replica count): the queue exists, use it.
        }
    }

    /// The stream's info (`state.messages`, `state.first_seq`...), nil when it does not exist.
    func streamInfo(_ name: String, subjectsFilter: String? = nil) throws(NATSError) -> [String: Any]? {
        do {
            return try call("STREAM.INFO.\(name)", subjectsFilter.map { ["subjects_filter": $0] })
        } catch where error.code == Code.streamNotFound {
            return nil
        }
    }

    func deleteStream(_ name: String) throws(NATSError) {
        do { _ = try call("STREAM.DELETE.\(name)") } catch where error.code == Code.streamNotFound {}
    }

    /// Purges a stream's messages (all, or those of subjects matching `filter`).
    func purgeStream(_ name: String, filter: String? = nil) throws(NATSError) {
        do { _ = try call("STREAM.PURGE.\(name)", filter.map { ["filter": $0] }) } catch where error.code == Code.streamNotFound {}
    }

    /// Creates (or confirms) a durable pull consumer with explicit acks.
    func createDurablePullConsumer(stream: String, durable: String, ackWait: Duration, filterSubject: String) throws(NATSError) {
        let config: [String: Any] = [
            "durable_name": durable, "deliver_policy": "all", "ack_policy": "explicit",
            "ack_wait": ackWait.nanoseconds, "max_deliver": -1, "filter_subject": filterSubject,
            "replay_policy": "instant", "max_ack_pending": 20_000, "max_waiting": 512,
        ]
        _ = try call("CONSUMER.DURABLE.CREATE.\(stream).\(durable)", ["stream_name": stream, "config": config])
    }

    func consumerInfo(stream: String, durable: String) throws(NATSError) -> [String: Any] {
        try call("CONSUMER.INFO.\(stream).\(durable)")
    }

    /// One stored message by sequence: its subject, header block and data; nil when deleted or past the end.
    func message(stream: String, seq: Int) throws(NATSError) -> (headers: NATSHeaders, data: [UInt8])? {
        let answer: [String: Any]
        do { answer = try call("STREAM.MSG.GET.\(stream)", ["seq": seq]) } catch where error.code == Code.noMessageFound {
            return nil
        }
        guard let m = answer["message"] as? [String: Any] else { return nil }
        let data = (m["data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
        let headers = (m["hdrs"] as? String).flatMap { Data(base64Encoded: $0) }.map { NATSHeaders(block: Array($0)) } ?? NATSHeaders()
        return (headers, Array(data))
    }
}

/// The answer to a JetStream publish: where it was stored, and whether it was a duplicate.
struct PubAck: Sendable, Equatable {
    var stream: String
    var seq: Int
    var duplicate: Bool

    /// Reads a publish's answer; an `error` object or a status (503: no stream listens) throws.
    static func read(_ reply: NATSMessage, subject: String) throws(NATSError) -> PubAck {
        if let status = reply.headers.status, status >= 300 {
            throw NATSError(status == 503 ? .noResponders : .server, "publish \(subject)", "status \(status)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(reply.payload))) as? [String: Any] else {
            throw NATSError(.protocolViolation, "publish \(subject)", "PubAck is not JSON")
        }
        if let error = object["error"] as? [String: Any] {
            throw NATSError(.server, "publish \(subject)", error["description"] as? String ?? "error", code: error["err_code"] as? Int ?? 0)
        }
        guard let stream = object["stream"] as? String, let seq = object["seq"] as? Int else {
            throw NATSError(.protocolViolation, "publish \(subject)", "PubAck without stream and seq")
        }
        return PubAck(stream: stream, seq: seq, duplicate: object["duplicate"] as? Bool ?? false)
    }
}
