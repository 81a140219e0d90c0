import Testing
import TestSupport
@testable import NATSBroker

@Suite("NATS protocol parser")
struct NATSProtocolParserTests {
    static let stream: [UInt8] = Array((
        "INFO {\"server_id\":\"X\",\"max_payload\":1048576,\"headers\":true}\r\n"
            + "+OK\r\nPING\r\nPONG\r\n"
            + "MSG campusdesk.q.a 7 5\r\nhello\r\n"
            + "MSG foo.bar 12 _INBOX.abc.def 0\r\n\r\n"
            + "HMSG _INBOX.x.y 3 $JS.ACK.S.c.1.2.3.4.5 24 29\r\nNATS/1.0\r\nA: b\r\nA: c\r\n\r\nworld\r\n"
            + "HMSG _INBOX.x.z 3 28 28\r\nNATS/1.0 404 No Messages\r\n\r\n\r\n"
            + "-ERR 'Unknown Protocol Operation'\r\n"
    ).utf8)

    // Computed, not stored: LeakSanitizer cannot see arrays inside a stored global of enum values.
    static var expected: [NATSServerOp] { [
        .info(json: Array("{\"server_id\":\"X\",\"max_payload\":1048576,\"headers\":true}".utf8)),
        .ok, .ping, .pong,
        .msg(NATSMessage(subject: "campusdesk.q.a", sid: 7, replyTo: nil, headerBlock: nil, payload: Array("hello".utf8))),
        .msg(NATSMessage(subject: "foo.bar", sid: 12, replyTo: "_INBOX.abc.def", headerBlock: nil, payload: [])),
        .msg(NATSMessage(subject: "_INBOX.x.y", sid: 3, replyTo: "$JS.ACK.S.c.1.2.3.4.5",
                         headerBlock: Array("NATS/1.0\r\nA: b\r\nA: c\r\n\r\n".utf8), payload: Array("world".utf8))),
        .msg(NATSMessage(subject: "_INBOX.x.z", sid: 3, replyTo: nil, headerBlock: Array("NATS/1.0 404 No Messages\r\n\r\n".utf8), payload: [])),
        .err("Unknown Protocol Operation"),
    ] }

    static func parse(_ chunks: [ArraySlice<UInt8>]) throws -> [NATSServerOp] {
        var parser = NATSProtocolParser()
        var ops: [NATSServerOp] = []
        for chunk in chunks {
            parser.append(chunk)
            while let op = try parser.next() { ops.append(op) }
        }
        return ops
    }

    @Test("every operation of the server parses from one read")
    func wholeStream() throws {
        #expect(try Self.parse([Self.stream[...]]) == Self.expected)
    }

    @Test("an operation split at every byte waits for the rest")
    func byteByByte() throws {
        #expect(try Self.parse(Self.stream.indices.map { Self.stream[$0...$0] }) == Self.expected)
    }

    @Test("random chunkings give the same operations", arguments: 0..<50)
    func randomChunks(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var chunks: [ArraySlice<UInt8>] = []
        var i = 0
        while i < Self.stream.count {
            let n = Int(random.next() % 40) + 1
            chunks.append(Self.stream[i..<min(Self.stream.count, i + n)])
            i += n
        }
        #expect(try Self.parse(chunks) == Self.expected)
    }

    @Test("headers keep order and repeats; a status line gives its code")
    func headers() {
        let h = NATSHeaders(block: Array("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nX: 1\r\nX: 2\r\n\r\n".utf8))
        #expect(h.status == 408 && h.statusDescription == "Request Timeout")
        #expect(h.pairs.map(\.value) == ["1", "1", "2"] && h["x"] == "1")
        #expect(NATSHeaders(block: NATSHeaders([("Nats-Msg-Id", "abc")]).encoded)["Nats-Msg-Id"] == "abc")
    }

    @Test("garbage, a bad size and a payload without CRLF are errors")
    func errors() {
        for bad in ["HELLO there\r\n", "MSG a b c\r\n", "MSG a 1 3\r\nabcXY"] {
            #expect(throws: NATSParseError.self) { _ = try Self.parse([Array(bad.utf8)[...]]) }
        }
    }

    @Test("the ack subject gives the delivery count and sequences")
    func ackSubject() {
        let ack = JetStreamAck(replySubject: "$JS.ACK.Q-commands.campusdesk.3.41.40.1626818873482533000.7")
        #expect(ack?.stream == "Q-commands" && ack?.delivered == 3 && ack?.streamSequence == 41 && ack?.pending == 7)
        #expect(JetStreamAck(replySubject: "_INBOX.x.y") == nil)
    }

    @Test("queue names map to one subject token and back")
    func names() {
        for name in ["events.open-tickets", "a_b.c", "a._b", "a_.b", "reply.x.123"] {
            #expect(!NATSNames.token(name).contains("."))
            #expect(NATSNames.untoken(NATSNames.token(name)) == name)
        }
        #expect(NATSNames.token("a._b") != NATSNames.token("a_.b"))
    }

    @Test("server lists parse with and without scheme and port")
    func serverList() throws {
        #expect(try NATSServerAddress.list("nats://h1:4223, h2") == [NATSServerAddress(host: "h1", port: 4223), NATSServerAddress(host: "h2", port: 4222)])
        #expect(throws: NATSError.self) { _ = try NATSServerAddress.list("nats://h:x") }
    }
}
