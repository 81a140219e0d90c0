/// Session tokens: what the browser holds, and what the database keeps instead.
///
/// The token is 32 random bytes (256 bits, beyond guessing) in base64url, fit for a cookie. The
/// database stores only its SHA-256: a leaked copy of the database (a backup, a read-only bug)
/// then holds no usable session, and a lookup by digest needs no constant-time compare, since
/// the attacker cannot choose the digest's bytes. No slow hash is needed: the token has full entropy.
public enum SessionToken {
    /// Random bytes in a token.
    static let byteCount = 32
    /// Characters in a token: 32 bytes in unpadded base64url.
    static let length = 43

    /// A new token from the kernel's CSPRNG: 43 characters of base64url.
    public static func generate() -> String {
        Base64URL.encode(SecureRandom.bytes(byteCount))
    }

    /// The lower-case hex SHA-256 of `token`: the key the database stores and looks sessions up by.
    public static func digest(_ token: String) -> String {
        hexString(SHA256.hash(Array(token.utf8)))
    }

    /// True when `token` could have come from ``generate()``: 43 characters of canonical base64url.
    ///
    /// Checked before any lookup, so a cookie of arbitrary text costs no hashing or query.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == length && Base64URL.decode(token)?.count == byteCount
    }
}
