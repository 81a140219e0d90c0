import Foundation

/// libFuzzer entry for the spool's envelope decoder, `Envelope.decode(line:)` and its JSON scanner
/// (Sources/CampusDeskCore/Queue/Envelope+JSON.swift): every message file a consumer claims goes
/// through it, so a crash here would be a poison message that kills a worker on every restart.
///
/// Invariants, not only "no crash":
/// - a decoded envelope has version 1, a non-empty id, attempts ≥ 0, a valid reply queue name, and
///   a body that is exactly one JSON value;
/// - `encodedLine()` of a decoded envelope is one line (no LF) that decodes to the same envelope
///   (body newlines become spaces, which is JSON-equivalent);
/// - Foundation's JSON parser is the oracle for syntax: what the decoder accepts, Foundation
///   parses as an object (not the converse: Foundation accepts trailing commas, which RFC 8259
///   and the decoder refuse);
/// - `isValidJSONValue` agrees with the decoder on a body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let envelope: Envelope
    do {
        envelope = try Envelope.decode(line: bytes)
    } catch {
        if case .malformedJSON(let offset) = error {
            fuzzCheck(offset >= 0 && offset <= bytes.count, "malformed JSON offset \(offset) outside \(bytes.count) bytes")
        }
        return 0
    }
    fuzzCheck(envelope.version == Envelope.currentVersion, "version \(envelope.version)")
    fuzzCheck(!envelope.id.rawValue.isEmpty, "empty id")
    fuzzCheck(envelope.attempts >= 0, "attempts \(envelope.attempts)")
    if let q = envelope.replyTo { fuzzCheck((try? QueueName(q.rawValue)) != nil, "reply_to \(q.rawValue) is not a valid queue name") }
    fuzzCheck(Envelope.isValidJSONValue(envelope.body), "body is not one JSON value: \(fuzzDescribe(envelope.body))")
    // RFC 8259 §8.2 allows unpaired surrogate escapes in the grammar; the decoder turns them into
    // U+FFFD, Foundation refuses them. A deliberate difference, so the oracle skips such input.
    fuzzCheck(hasSurrogateEscape(bytes) || foundationParsesObject(bytes), "decoder accepted what Foundation cannot parse as an object: \(fuzzDescribe(bytes))")

    fuzzCheck(Timestamp.representable.contains(envelope.sentAt), "sent_at \(envelope.sentAt.millisecondsSinceEpoch) ms is outside the printable years")
    let line = envelope.encodedLine()
    fuzzCheck(!line.contains(0x0A), "encoded line contains a newline")
    do {
        let again = try Envelope.decode(line: line)
        var expected = envelope
        expected.body = Data(envelope.body.map { $0 == 0x0A ? 0x20 : $0 })
        fuzzCheck(again == expected, "encode/decode changed the envelope:\n was \(expected)\n now \(again)\ninput: \(fuzzDescribe(bytes))")
    } catch {
        fuzzCheck(false, "encodedLine() does not decode: \(error); line: \(fuzzDescribe(line)); input: \(fuzzDescribe(bytes))")
    }
    return 0
}

private func foundationParsesObject(_ bytes: [UInt8]) -> Bool {
    guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else { return false }
    return value is [String: Any]
}

/// True when the bytes contain a `\uD800`...`\uDFFF` escape (any case).
private func hasSurrogateEscape(_ b: [UInt8]) -> Bool {
    guard b.count >= 4 else { return false }
    for i in 0..<(b.count - 3) where b[i] == UInt8(ascii: "\\") && b[i + 1] == UInt8(ascii: "u") {
        let d = b[i + 2] | 0x20, h = b[i + 3] | 0x20
        if d == UInt8(ascii: "d"), (UInt8(ascii: "8")...UInt8(ascii: "9")).contains(h) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(h) { return true }
    }
    return false
}
