/// HMAC (RFC 2104) over SHA-256: the CSRF token's MAC and PBKDF2's pseudorandom function.
public enum HMAC {
    /// HMAC-SHA-256 of `message` under `key`: 32 bytes.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        SHA256Key(key).authenticate(message).bytes
    }

    /// A key with its two padded blocks already compressed.
    ///
    /// HMAC is H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); both padded keys fill exactly one block, so the
    /// state after each is computed once and every MAC under the key starts from those two states:
    /// PBKDF2 then pays two compressions per iteration instead of four.
    struct SHA256Key {
        let inner: SHA256.State
        let outer: SHA256.State

        init(_ key: [UInt8]) {
            // A key longer than a block is hashed first; a shorter one is padded with zeros (§2).
            var block = key.count > SHA256.blockLength ? SHA256.hash(key) : key
            block += [UInt8](repeating: 0, count: SHA256.blockLength - block.count)
            var inner = SHA256.State.initial, outer = SHA256.State.initial
            inner.compress(block: block.map { $0 ^ 0x36 })
            outer.compress(block: block.map { $0 ^ 0x5c })
            self.inner = inner
            self.outer = outer
        }

        /// The MAC of any message, as the outer hash's state.
        func authenticate(_ message: [UInt8]) -> SHA256.State {
            var inner = self.inner
            inner.finish(message, after: SHA256.blockLength)
            var outer = self.outer
            outer.finish(inner.bytes, after: SHA256.blockLength)
            return outer
        }

        /// The MAC of a 32-byte message that is itself a digest (PBKDF2's U_i), without allocating.
        ///
        /// Both hashed messages are one block after the key block: 32 bytes of digest, 0x80, zeros,
        /// and the bit length (64 + 32) × 8 = 768. `w` is 64 words of scratch.
        func authenticate(digest: SHA256.State, scratch w: UnsafeMutableBufferPointer<UInt32>) -> SHA256.State {
            digest.store(into: w)
            w[8] = 0x8000_0000
            for i in 9..<15 { w[i] = 0 }
            w[15] = UInt32((SHA256.blockLength + SHA256.digestLength) * 8)
            var inner = self.inner
            inner.compress(w)
            // compress leaves w[8..<16] as they were: the same padding serves the outer block.
            inner.store(into: w)
            var outer = self.outer
            outer.compress(w)
            return outer
        }
    }
}
