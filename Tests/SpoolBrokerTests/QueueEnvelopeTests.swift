import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker

@Suite struct QueueEnvelopeTests {
    @Test("an envelope survives encode and decode unchanged")
    func roundTrip() throws {
        let clock = TestClock()
        var env = try Envelope(type: "ticket.\"created\"\n", body: QueueTestBody(n: 7, text: "é \u{1F600} \\ \" \n"),
                               replyTo: try QueueName("reply.gw.12"), correlationID: "c-1", sentAt: clock.now())
        env.attempts = 3
        let line = env.encodedLine()
        #expect(!line.contains(0x0A))
        let back = try Envelope.decode(line: line)
        #expect(back == env)
        #expect(try back.decodeBody(QueueTestBody.self) == QueueTestBody(n: 7, text: "é \u{1F600} \\ \" \n"))
    }

    @Test("the wire format has the agreed keys")
    func wireKeys() throws {
        let env = Envelope(id: EnvelopeID("abc"), type: "t", sentAt: Timestamp(millisecondsSinceEpoch: 0), rawBody: Data("{\"a\":1}".utf8))
        let text = String(decoding: env.encodedLine(), as: UTF8.self)
        #expect(text == #"{"v":1,"id":"abc","type":"t","sent_at":"1970-01-01T00:00:00.000Z","attempts":0,"reply_to":null,"correlation_id":null,"body":{"a":1}}"#)
    }

    @Test("a pretty-printed raw body still encodes to one line")
    func rawBodyNewlines() throws {
        let env = Envelope(type: "t", sentAt: Timestamp(millisecondsSinceEpoch: 0), rawBody: Data("{\n  \"a\": [1,\n 2]\n}".utf8))
        let line = env.encodedLine()
        #expect(!line.contains(0x0A))
        let back = try Envelope.decode(line: line)
        #expect(try JSONSerialization.jsonObject(with: back.body) as? [String: [Int]] == ["a": [1, 2]])
    }

    @Test("escaped header strings decode, including surrogate pairs")
    func escapes() throws {
        let line = #"{"v":1,"id":"x\u0041","type":"a\nb\ud83d\ude00","sent_at":"2026-01-01T00:00:00Z","attempts":2,"reply_to":"q1","correlation_id":null,"body":[1,2]}"#
        let env = try Envelope.decode(line: Array(line.utf8))
        #expect(env.id.rawValue == "xA")
        #expect(env.type == "a\nb\u{1F600}")
        #expect(env.attempts == 2)
        #expect(env.replyTo?.rawValue == "q1")
        #expect(env.body == Data("[1,2]".utf8))
    }

    @Test("bad lines give the exact decoding error", arguments: [
        ("", EnvelopeError.empty),
        ("   ", EnvelopeError.empty),
        (#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{"x":"#, EnvelopeError.malformedJSON(offset: 72)),
        (#"[{"v":1}]"#, EnvelopeError.notAnObject),
        (#""text""#, EnvelopeError.notAnObject),
        (#"{"v":2,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{}}"#, EnvelopeError.unsupportedVersion(2)),
        (#"{"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{}}"#, EnvelopeError.missingField("v")),
        (#"{"v":1,"id":"a","type":"t","sent_at":"yesterday","body":{}}"#, EnvelopeError.invalidField("sent_at")),
        (#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z"}"#, EnvelopeError.missingField("body")),
        (#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","reply_to":"../etc","body":{}}"#, EnvelopeError.invalidField("reply_to")),
        (#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{}} x"#, EnvelopeError.malformedJSON(offset: 71)),
    ])
    func badLines(text: String, expected: EnvelopeError) {
        #expect(throws: expected) { try Envelope.decode(line: Array(text.utf8)) }
    }

    /// Fuzz finding 8 (docs/fuzzing.md): a number beyond a Double passed the scanner, and every
    /// consumer's Foundation parser then refused the body.
    @Test("a number beyond a Double is malformed; large but finite ones and underflow are kept", arguments: [
        ("1E+5666666666666666666666666666666666601", false), ("1e400", false), ("-1e309", false),
        (String(repeating: "9", count: 400), false),
        ("1e308", true), ("-1.7976931348623157e308", true), ("1e-400", true), ("123456789012345678901234567890", true), ("0.5", true),
    ])
    func numberRange(number: String, accepted: Bool) throws {
        let line = #"{"v":1,"id":"a","type":"t","sent_at":"2025-03-01T09:30:00Z","body":[0,"# + number + "]}"
        if accepted {
            let e = try Envelope.decode(line: Array(line.utf8))
            #expect((try? JSONSerialization.jsonObject(with: Data(e.body))) != nil, "Foundation reads what the decoder kept: \(number)")
        } else {
            #expect(throws: EnvelopeError.self) { try Envelope.decode(line: Array(line.utf8)) }
        }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        var bytes = Array(#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":"x"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"}".utf8)
        #expect(throws: EnvelopeError.notUTF8) { try Envelope.decode(line: bytes) }
    }

    @Test("retry delays grow exponentially, are jittered and capped")
    func retryPolicy() {
        let low = RetryPolicy(maxAttempts: 10, base: .milliseconds(100), cap: .seconds(1), random: { 0 })
        let high = RetryPolicy(maxAttempts: 10, base: .milliseconds(100), cap: .seconds(1), random: { 0.999_999_9 })
        #expect((1...6).map { low.delayMilliseconds(forAttempt: $0) } == [50, 100, 200, 400, 500, 500])
        #expect((1...6).map { high.delayMilliseconds(forAttempt: $0) } == [99, 199, 399, 799, 999, 999])
        #expect(high.delayMilliseconds(forAttempt: 200) == 999)
    }

    @Test("queue names are validated", arguments: ["", ".hidden", "a/b", "..", "a..b", "sp ace", String(repeating: "q", count: 121), "naïve"])
    func invalidNames(raw: String) {
        #expect(throws: SpoolError.self) { try QueueName(raw) }
    }

    @Test("well-known queue names")
    func wellKnown() throws {
        #expect(QueueName.commands.rawValue == "commands")
        #expect(QueueName.query(.openTickets).rawValue == "query.open-tickets")
        #expect(QueueName.events(.categoryLoad).rawValue == "events.category-load")
        #expect(try QueueName("events.open-tickets") == QueueName.events(.openTickets))
    }
}
