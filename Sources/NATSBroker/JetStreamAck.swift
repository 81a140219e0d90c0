/// What a JetStream delivery's reply subject says:
/// `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>`
/// (v2 subjects put a domain and an account hash first and a token after: the last seven
/// tokens are read, so both forms parse).
public struct JetStreamAck: Sendable, Equatable {
    public var stream: String
    public var consumer: String
    /// How many times this message has been delivered, this time included (1 the first time).
    public var delivered: Int
    public var streamSequence: Int
    public var consumerSequence: Int
    public var timestampNanos: Int64
    public var pending: Int

    public init?(replySubject: String) {
        let t = replySubject.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard t.count >= 9, t[0] == "$JS", t[1] == "ACK" else { return nil }
        // v1: 9 tokens; v2: $JS.ACK.<domain>.<account>.<stream>.<consumer>.<5 numbers>.<random>
        let base = t.count == 9 ? 2 : 4
        guard t.count >= base + 7,
              let delivered = Int(t[base + 2]), let sseq = Int(t[base + 3]), let cseq = Int(t[base + 4]),
              let ts = Int64(t[base + 5]), let pending = Int(t[base + 6]) else { return nil }
        stream = t[base]
        consumer = t[base + 1]
        self.delivered = delivered
        streamSequence = sseq
        consumerSequence = cseq
        timestampNanos = ts
        self.pending = pending
    }
}
