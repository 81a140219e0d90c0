/// PBKDF2 with HMAC-SHA-256 (RFC 8018 §5.2): the password hash's key stretching.
public enum PBKDF2 {
    /// The `keyLength`-byte key derived from `password` and `salt` with `iterations` rounds.
    ///
    /// Cost is two SHA-256 compressions per iteration per 32 bytes of key, and nothing else: the
    /// key's padded blocks are compressed once (``HMAC/SHA256Key``) and each U_i stays in eight
    /// words on the stack, fed back as the next one-block message (600,000 iterations: see
    /// docs/performance.md, "Credentials").
    /// - Precondition: `iterations` ≥ 1 and `keyLength` ≥ 1 (callers pass constants or checked values).
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations >= 1, "PBKDF2 needs at least one iteration")
        precondition(keyLength >= 1, "PBKDF2 derives at least one byte")
        let key = HMAC.SHA256Key(password)
        var derived: [UInt8] = []
        derived.reserveCapacity(keyLength + SHA256.digestLength)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scratch in
            var blockIndex: UInt32 = 1
            while derived.count < keyLength {
                // T_i = U_1 ⊕ U_2 ⊕ … ⊕ U_c, U_1 = PRF(P, S ‖ INT(i)), U_j = PRF(P, U_{j-1}).
                let index = [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                             UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)]
                var u = key.authenticate(salt + index)
                var t = u
                for _ in 1..<iterations {
                    u = key.authenticate(digest: u, scratch: scratch)
                    t.formXOR(u)
                }
                derived += t.bytes
                blockIndex += 1
            }
        }
        return Array(derived.prefix(keyLength))
    }
}
