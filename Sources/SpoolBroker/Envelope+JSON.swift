import Foundation
import Domain

// MARK: - Encoding

extension Envelope {
    /// The envelope as one JSON line, without the trailing newline.
    ///
    /// Written by hand (not `JSONEncoder`) because it runs once per message on the hot path and
    /// must splice the body bytes in unchanged. A raw newline can only be JSON whitespace in valid
    /// JSON (inside strings it must be escaped), so it is replaced by a space to keep one line.
    public func encodedLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + body.count)
        out += Array("{\"v\":\(version),\"id\":".utf8)
        JSONText.appendString(id.rawValue, to: &out)
        out += Array(",\"type\":".utf8)
        JSONText.appendString(type, to: &out)
        out += Array(",\"sent_at\":\"\(sentAt.iso8601)\",\"attempts\":\(attempts),\"reply_to\":".utf8)
        if let replyTo { JSONText.appendString(replyTo.rawValue, to: &out) } else { out += Array("null".utf8) }
        out += Array(",\"correlation_id\":".utf8)
        if let correlationID { JSONText.appendString(correlationID, to: &out) } else { out += Array("null".utf8) }
        out += Array(",\"body\":".utf8)
        if body.isEmpty {
            out += Array("null".utf8)
        } else {
            for b in body { out.append(b == 0x0A ? 0x20 : b) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reads one envelope from one line of bytes (no newline), validating UTF-8 and JSON syntax.
    public static func decode<C: Collection<UInt8>>(line: C) throws(EnvelopeError) -> Envelope {
        let bytes = Array(line)
        guard !bytes.isEmpty else { throw .empty }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .notUTF8 }
        var s = JSONScanner(bytes)
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            if s.peek == nil { throw .empty }
            // Tell "valid JSON but the wrong shape" from garbage, for a clearer reason.
            var probe = JSONScanner(bytes)
            if (try? probe.skipValue()) != nil { throw .notAnObject }
            throw .malformedJSON(offset: s.i)
        }
        var fields: [String: Range<Int>] = [:]
        do {
            s.i += 1
            s.skipWhitespace()
            if s.peek == UInt8(ascii: "}") {
                s.i += 1
            } else {
                while true {
                    s.skipWhitespace()
                    let key = try s.parseString()
                    s.skipWhitespace()
                    try s.expect(UInt8(ascii: ":"))
                    s.skipWhitespace()
                    let start = s.i
                    try s.skipValue()
                    fields[key] = start..<s.i
                    s.skipWhitespace()
                    if s.peek == UInt8(ascii: ",") { s.i += 1; continue }
                    try s.expect(UInt8(ascii: "}"))
                    break
                }
            }
            s.skipWhitespace()
            guard s.i == bytes.count else { throw JSONScanner.Failure(offset: s.i) }
        } catch let f as JSONScanner.Failure {
            throw .malformedJSON(offset: f.offset)
        } catch {
            throw .malformedJSON(offset: s.i)
        }

        func raw(_ key: String) -> ArraySlice<UInt8>? { fields[key].map { bytes[$0] } }
        func string(_ key: String, required: Bool) throws(EnvelopeError) -> String? {
            guard let r = raw(key) else { if required { throw .missingField(key) }; return nil }
            if r.elementsEqual("null".utf8) { if required { throw .invalidField(key) }; return nil }
            var sub = JSONScanner(Array(r))
            guard let v = try? sub.parseString() else { throw .invalidField(key) }
            return v
        }
        func int(_ key: String) throws(EnvelopeError) -> Int {
            guard let r = raw(key) else { throw .missingField(key) }
            guard let text = String(bytes: r, encoding: .utf8), let v = Int(text) else { throw .invalidField(key) }
            return v
        }

        let version = try int("v")
        guard version == Envelope.currentVersion else { throw .unsupportedVersion(version) }
        guard let id = try string("id", required: true), !id.isEmpty else { throw .invalidField("id") }
        guard let type = try string("type", required: true) else { throw .missingField("type") }
        guard let sentText = try string("sent_at", required: true), let sentAt = Timestamp(iso8601: sentText) else {
            throw .invalidField("sent_at")
        }
        let attempts = fields["attempts"] == nil ? 0 : try int("attempts")
        guard attempts >= 0 else { throw .invalidField("attempts") }
        var replyTo: QueueName?
        if let r = try string("reply_to", required: false) {
            guard let q = try? QueueName(r) else { throw .invalidField("reply_to") }
            replyTo = q
        }
        let correlationID = try string("correlation_id", required: false)
        guard let bodyRange = fields["body"] else { throw .missingField("body") }
        return Envelope(version: version, id: EnvelopeID(id), type: type, sentAt: sentAt, attempts: attempts,
                        replyTo: replyTo, correlationID: correlationID, rawBody: Data(bytes[bodyRange]))
    }

    /// Checks that bytes hold exactly one JSON value (used to validate raw bodies at send).
    public static func isValidJSONValue(_ data: Data) -> Bool {
        var s = JSONScanner(Array(data))
        s.skipWhitespace()
        guard (try? s.skipValue()) != nil else { return false }
        s.skipWhitespace()
        return s.i == s.b.count
    }
}

// MARK: - Scanner

/// A minimal validating JSON scanner over bytes: skips values, parses strings.
struct JSONScanner {
    struct Failure: Error { var offset: Int }

    let b: [UInt8]
    var i = 0
    private var depth = 0

    init(_ bytes: [UInt8]) { b = bytes }

    var peek: UInt8? { i < b.count ? b[i] : nil }

    mutating func skipWhitespace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ c: UInt8) throws {
        guard i < b.count, b[i] == c else { throw Failure(offset: i) }
        i += 1
    }

    mutating func skipValue() throws {
        guard let c = peek else { throw Failure(offset: i) }
        switch c {
        case UInt8(ascii: "{"):
            depth += 1
            guard depth <= 512 else { throw Failure(offset: i) }
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") { i += 1; depth -= 1; return }
            while true {
                skipWhitespace()
                try skipStringBody()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}"))
                depth -= 1
                return
            }
        case UInt8(ascii: "["):
            depth += 1
            guard depth <= 512 else { throw Failure(offset: i) }
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") { i += 1; depth -= 1; return }
            while true {
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "]"))
                depth -= 1
                return
            }
        case UInt8(ascii: "\""):
            try skipStringBody()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw Failure(offset: i) }
        let ok = word.withUTF8Buffer { w in (0..<n).allSatisfy { b[i + $0] == w[$0] } }
        guard ok else { throw Failure(offset: i) }
        i += n
    }

    private mutating func skipNumber() throws {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let first = peek, first >= 0x30, first <= 0x39 else { throw Failure(offset: start) }
        if first == 0x30 { i += 1 } else { while let c = peek, c >= 0x30, c <= 0x39 { i += 1 } }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard let c = peek, c >= 0x30, c <= 0x39 else { throw Failure(offset: i) }
            while let c = peek, c >= 0x30, c <= 0x39 { i += 1 }
        }
        var hasExponent = false
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let c = peek, c >= 0x30, c <= 0x39 else { throw Failure(offset: i) }
            while let c = peek, c >= 0x30, c <= 0x39 { i += 1 }
        }
        // RFC 8259 lets a parser limit a number's range, and every consumer parses bodies with
        // Foundation, which refuses one beyond a Double (`1E+400`): refused here, the message goes
        // to the dead letters with its reason instead of failing in each consumer. Short plain
        // numbers always fit, so only long ones or those with an exponent are converted.
        if hasExponent || i - start > 15 {
            guard let value = Double(String(decoding: b[start..<i], as: UTF8.self)), value.isFinite else { throw Failure(offset: start) }
        }
    }

    /// Skips a string, validating escapes and rejecting raw control characters (RFC 8259 §7).
    private mutating func skipStringBody() throws {
        try expect(UInt8(ascii: "\""))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c < 0x20 { throw Failure(offset: i) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard let e = peek else { throw Failure(offset: i) }
                if e == UInt8(ascii: "u") {
                    guard i + 4 < b.count, (1...4).allSatisfy({ JSONScanner.hex(b[i + $0]) != nil }) else {
                        throw Failure(offset: i)
                    }
                    i += 5
                    continue
                }
                guard "\"\\/bfnrt".utf8.contains(e) else { throw Failure(offset: i) }
            }
            i += 1
        }
        throw Failure(offset: i)
    }

    /// Parses a string value, resolving escapes (including surrogate pairs).
    mutating func parseString() throws -> String {
        let start = i
        try skipStringBody()
        let inner = b[(start + 1)..<(i - 1)]
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        var out: [UInt8] = []
        var k = inner.startIndex
        var pendingHigh: UInt32?
        func appendScalar(_ v: UInt32) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            out += Array(String(Character(scalar)).utf8)
        }
        while k < inner.endIndex {
            let c = inner[k]
            guard c == UInt8(ascii: "\\") else {
                if let h = pendingHigh { appendScalar(h); pendingHigh = nil }
                out.append(c); k += 1; continue
            }
            let e = inner[k + 1]
            k += 2
            if e == UInt8(ascii: "u") {
                var v: UInt32 = 0
                for j in 0..<4 { v = v * 16 + UInt32(JSONScanner.hex(inner[k + j]) ?? 0) }
                k += 4
                if let h = pendingHigh {
                    pendingHigh = nil
                    if v >= 0xDC00 && v <= 0xDFFF { appendScalar(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00)); continue }
                    appendScalar(h)
                }
                if v >= 0xD800 && v <= 0xDBFF { pendingHigh = v } else { appendScalar(v) }
                continue
            }
            if let h = pendingHigh { appendScalar(h); pendingHigh = nil }
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            default: out.append(e)
            }
        }
        if let h = pendingHigh { appendScalar(h) }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}

/// JSON string escaping for the hand-written encoder.
enum JSONText {
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(c >> 4)], digits[Int(c & 0xF)]]
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A Swift string as a JSON string literal.
    static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
