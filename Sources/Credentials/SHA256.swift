/// SHA-256 (FIPS 180-4): CSRF tokens, asset validators, session token digests, and the hash
/// under HMAC and PBKDF2.
public enum SHA256 {
    /// Bytes in a digest.
    public static let digestLength = 32
    /// Bytes in a block: the unit the compression function takes, and HMAC's key block.
    public static let blockLength = 64

    /// The 32-byte digest of `message`.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var state = State.initial
        state.finish(message, after: 0)
        return state.bytes
    }

    /// HMAC-SHA-256 of `message` under `key` (RFC 2104); the same as ``HMAC/sha256(key:message:)``.
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        HMAC.sha256(key: key, message: message)
    }

    /// The round constants (FIPS 180-4 §4.2.2).
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The eight chaining words between blocks (FIPS 180-4 §6.2), kept in registers rather than an
    /// array so HMAC can store the state after its key block and PBKDF2 can restart from it on
    /// every iteration without allocating.
    struct State {
        var h0, h1, h2, h3, h4, h5, h6, h7: UInt32

        /// The initial hash value (FIPS 180-4 §5.3.3).
        static let initial = State(
            h0: 0x6a09e667, h1: 0xbb67ae85, h2: 0x3c6ef372, h3: 0xa54ff53a,
            h4: 0x510e527f, h5: 0x9b05688c, h6: 0x1f83d9ab, h7: 0x5be0cd19
        )

        /// The digest: the eight words, big-endian.
        var bytes: [UInt8] {
            [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { buffer, count in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                for (offset, word) in [(0, h0), (4, h1), (8, h2), (12, h3), (16, h4), (20, h5), (24, h6), (28, h7)] {
                    raw.storeBytes(of: word.bigEndian, toByteOffset: offset, as: UInt32.self)
                }
                count = SHA256.digestLength
            }
        }

        /// Stores the eight words in `w[0..<8]`: a digest as the start of the next message block.
        func store(into w: UnsafeMutableBufferPointer<UInt32>) {
            w[0] = h0; w[1] = h1; w[2] = h2; w[3] = h3; w[4] = h4; w[5] = h5; w[6] = h6; w[7] = h7
        }

        mutating func formXOR(_ other: State) {
            h0 ^= other.h0; h1 ^= other.h1; h2 ^= other.h2; h3 ^= other.h3
            h4 ^= other.h4; h5 ^= other.h5; h6 ^= other.h6; h7 ^= other.h7
        }

        /// Hashes the rest of a message and its padding: `message` follows `prefixLength` bytes
        /// already compressed into this state (a whole number of blocks, e.g. HMAC's key block).
        mutating func finish(_ message: [UInt8], after prefixLength: Int) {
            message.withUnsafeBytes { message in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                    let fullBlocks = message.count / SHA256.blockLength
                    for block in 0..<fullBlocks {
                        Self.load(UnsafeRawBufferPointer(rebasing: message[(block * 64)...]), into: w)
                        compress(w)
                    }
                    // The tail, 0x80, zeros and the 64-bit bit length: one block, or two when fewer
                    // than 9 bytes are left after the tail (§5.1.1).
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                        tail.initialize(repeating: 0)
                        let rest = message.count - fullBlocks * 64
                        for i in 0..<rest { tail[i] = message[fullBlocks * 64 + i] }
                        tail[rest] = 0x80
                        let end = rest < 56 ? 64 : 128
                        let bitLength = UInt64(prefixLength + message.count) &* 8
                        for i in 0..<8 { tail[end - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i))) }
                        let bytes = UnsafeRawBufferPointer(tail)
                        for start in stride(from: 0, to: end, by: 64) {
                            Self.load(UnsafeRawBufferPointer(rebasing: bytes[start...]), into: w)
                            compress(w)
                        }
                    }
                }
            }
        }

        /// Compresses one whole 64-byte block (HMAC's padded key).
        mutating func compress(block: [UInt8]) {
            precondition(block.count == SHA256.blockLength, "a SHA-256 block is 64 bytes")
            block.withUnsafeBytes { block in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                    Self.load(block, into: w)
                    compress(w)
                }
            }
        }

        /// The first 16 words of `w` from the first 64 bytes of `bytes`, big-endian.
        static func load(_ bytes: UnsafeRawBufferPointer, into w: UnsafeMutableBufferPointer<UInt32>) {
            for i in 0..<16 {
                w[i] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            }
        }

        /// The compression function (§6.2.2) on the block whose 16 words are in `w[0..<16]`.
        ///
        /// `w` holds 64 words; the message schedule is expanded into `w[16..<64]` and the first 16
        /// are left as they were, so a caller may keep fixed words (padding) there between calls.
        mutating func compress(_ w: UnsafeMutableBufferPointer<UInt32>) {
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            SHA256.k.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
    }
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

/// Lower-case hexadecimal text of bytes.
public func hexString(_ bytes: [UInt8]) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { out in
        for (i, byte) in bytes.enumerated() {
            out[2 * i] = hexDigit(byte >> 4)
            out[2 * i + 1] = hexDigit(byte & 0x0f)
        }
        return bytes.count * 2
    }
}

/// The ASCII digit of a value 0...15: '0'...'9', then 'a'...'f'.
@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value }
