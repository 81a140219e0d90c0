/// Base64 with the standard alphabet and padding (RFC 4648 §4): the salt and hash of a stored
/// password hash.
public enum Base64 {
    /// `bytes` as base64 text, padded with `=` to a multiple of four characters.
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Alphabet.standard.encode(bytes, padded: true)
    }

    /// The bytes of canonical padded base64 text; nil for anything else (other characters,
    /// missing padding, non-zero unused bits), so one byte string has exactly one encoding.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Alphabet.standard.decode(text, padded: true)
    }
}

/// Base64 with the URL- and filename-safe alphabet and no padding (RFC 4648 §5): session tokens,
/// which travel in cookies and URLs.
public enum Base64URL {
    /// `bytes` as unpadded base64url text.
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Alphabet.url.encode(bytes, padded: false)
    }

    /// The bytes of canonical unpadded base64url text; nil for anything else (padding, other
    /// characters, an impossible length, non-zero unused bits).
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Alphabet.url.decode(text, padded: false)
    }
}

/// The 64 characters of one base64 variant and the coder both variants share.
struct Base64Alphabet {
    let characters: [UInt8]
    /// Character → 6-bit value, 0xff where the character is not in the alphabet.
    let values: [UInt8]

    static let standard = Base64Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    static let url = Base64Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    private init(_ characters: String) {
        self.characters = Array(characters.utf8)
        var values = [UInt8](repeating: 0xff, count: 256)
        for (value, character) in self.characters.enumerated() { values[Int(character)] = UInt8(value) }
        self.values = values
    }

    func encode(_ bytes: [UInt8], padded: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let remaining = bytes.count - i
            let group = UInt32(bytes[i]) << 16
                | (remaining > 1 ? UInt32(bytes[i + 1]) << 8 : 0)
                | (remaining > 2 ? UInt32(bytes[i + 2]) : 0)
            let produced = min(remaining, 3) + 1
            for j in 0..<4 {
                if j < produced {
                    out.append(characters[Int((group >> UInt32(18 - 6 * j)) & 0x3f)])
                } else if padded {
                    out.append(UInt8(ascii: "="))
                }
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    func decode(_ text: String, padded: Bool) -> [UInt8]? {
        var input = Array(text.utf8)
        if padded {
            guard input.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, input.last == UInt8(ascii: "=") {
                input.removeLast()
                padding += 1
            }
        }
        // A final group of one character cannot carry a whole byte.
        guard input.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for character in input {
            let value = values[Int(character)]
            guard value != 0xff else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // The bits left over must be zero, or two texts would decode to the same bytes.
        guard buffer == 0 else { return nil }
        return out
    }
}
