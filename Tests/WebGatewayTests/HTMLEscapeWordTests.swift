import Testing
@testable import WebGateway

/// The word-at-a-time escaper equals escaping one byte at a time, wherever the special bytes fall.
@Suite struct HTMLEscapeWordTests {
    /// Escaping one byte at a time, as `HTMLEscape.append` did before it skipped words.
    static func reference(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case 0x26: out += Array("&amp;".utf8)
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x27: out += Array("&#39;".utf8)
            case 0: out += Array("\u{FFFD}".utf8)
            default: out.append(b)
            }
        }
        return out
    }

    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x40]
        bytes.withUnsafeBufferPointer { HTMLEscape.append($0, to: &out) }
        return Array(out.dropFirst())
    }

    @Test("each special byte (and near misses) at every position of texts of length 0 to 40")
    func everyPosition() {
        // Specials, their neighbours (one bit off, which the zero-byte test must not confuse) and UTF-8 bytes.
        let probes: [UInt8] = [0x26, 0x3C, 0x3E, 0x22, 0x27, 0, 0x25, 0x27 ^ 0x80, 0x3D, 0x3F, 0x21, 0x23, 0x01, 0x80, 0xA6, 0xBC, 0xFF]
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(0x61 + $0 % 26) }
            #expect(Self.escaped(plain) == plain)
            for position in 0..<length {
                for probe in probes {
                    var text = plain
                    text[position] = probe
                    #expect(Self.escaped(text) == Self.reference(text), "length \(length) position \(position) byte \(probe)")
                    // Two specials in one word, and one in the next word.
                    text[(position * 7) % length] = 0x3C
                    if position + 9 < length { text[position + 9] = 0x26 }
                    #expect(Self.escaped(text) == Self.reference(text))
                }
            }
        }
    }

    @Test("mayNeedEscape is false exactly for words without a special byte")
    func wordTest() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Bias bytes towards the specials' neighbourhood so both answers occur often.
            var word: UInt64 = 0
            var any = false
            for k in 0..<8 {
                let r = UInt8(truncatingIfNeeded: state >> (k * 8))
                let b: UInt8 = r < 200 ? 0x20 &+ (r % 0x21) : r
                any = any || HTMLEscape.needsEscape(b)
                word |= UInt64(b) << (k * 8)
            }
            #expect(HTMLEscape.mayNeedEscape(word) == any, "word \(String(word, radix: 16))")
        }
    }
}
