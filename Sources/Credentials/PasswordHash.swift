import Foundation

/// Stored password hashes: PBKDF2-HMAC-SHA-256 with a random salt, in one self-describing string.
///
/// The form is `pbkdf2-sha256$<iterations>$<salt>$<hash>`, salt (16 random bytes) and hash
/// (32 bytes) in padded base64. The iteration count travels with each hash, so raising
/// ``defaultIterations`` leaves older hashes verifiable, and ``needsRehash(_:iterations:)`` tells
/// the login to store a new one while it has the password in hand.
public enum PasswordHash {
    /// The OWASP Password Storage Cheat Sheet's figure for PBKDF2-HMAC-SHA-256 (2023): about a
    /// quarter of a second of one core per hash here (docs/performance.md, "Credentials").
    public static let defaultIterations = 600_000

    static let scheme = "pbkdf2-sha256"
    static let saltLength = 16
    static let hashLength = 32
    /// Counts outside this are malformed: zero is no hash, and more than ten million would let a
    /// forged or damaged row hold a login (and a core) for tens of seconds.
    static let iterationLimits = 1...10_000_000

    /// A new hash of `password` under a fresh random salt.
    /// - Precondition: `iterations` is within 1...10,000,000.
    public static func make(password: String, iterations: Int = defaultIterations) -> String {
        precondition(iterationLimits.contains(iterations), "iterations must be within 1...10,000,000")
        let salt = SecureRandom.bytes(saltLength)
        return Stored(iterations: iterations, salt: salt, hash: derive(password, salt: salt, iterations: iterations)).encoded
    }

    /// True when `password` is the one `encoded` was made from; false too when `encoded` is not a
    /// hash this type makes (another scheme, bad base64, wrong lengths, an absurd count).
    ///
    /// The derived hash is compared in constant time.
    public static func verify(password: String, encoded: String) -> Bool {
        guard let stored = Stored(encoded) else { return false }
        return ConstantTime.equals(derive(password, salt: stored.salt, iterations: stored.iterations), stored.hash)
    }

    /// True when `encoded` should be replaced by a fresh hash: made with another iteration count
    /// than `iterations` (the policy changed) or not readable at all.
    public static func needsRehash(_ encoded: String, iterations: Int = defaultIterations) -> Bool {
        guard let stored = Stored(encoded) else { return true }
        return stored.iterations != iterations
    }

    /// Spends the time of verifying `password` against a hash of ``defaultIterations``, and
    /// forgets the answer.
    ///
    /// A login for an e-mail address with no account calls this instead of returning at once, so
    /// the response time does not tell which addresses have accounts.
    public static func burnEquivalentWork(password: String) {
        _ = verify(password: password, encoded: unknownAccount)
    }

    /// A well-formed hash that no password matches in practice (its hash is 32 zero bytes).
    static let unknownAccount = Stored(
        iterations: defaultIterations,
        salt: [UInt8](repeating: 0, count: saltLength),
        hash: [UInt8](repeating: 0, count: hashLength)
    ).encoded

    /// The password's UTF-8 in Unicode Normalization Form C, so "é" typed as one code point or as
    /// "e" plus a combining accent (as some keyboards and systems send it) is the same password
    /// (RFC 8265's OpaqueString profile does the same).
    static func derive(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let bytes = Array(password.precomposedStringWithCanonicalMapping.utf8)
        return PBKDF2.sha256(password: bytes, salt: salt, iterations: iterations, keyLength: hashLength)
    }

    /// The fields of an encoded hash, read strictly: one spelling per hash.
    struct Stored {
        let iterations: Int
        let salt: [UInt8]
        let hash: [UInt8]

        init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
            self.iterations = iterations
            self.salt = salt
            self.hash = hash
        }

        init?(_ encoded: String) {
            let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[0] == PasswordHash.scheme,
                  let iterations = Self.count(fields[1]),
                  let salt = Base64.decode(String(fields[2])), salt.count == PasswordHash.saltLength,
                  let hash = Base64.decode(String(fields[3])), hash.count == PasswordHash.hashLength
            else { return nil }
            self.init(iterations: iterations, salt: salt, hash: hash)
        }

        var encoded: String {
            "\(PasswordHash.scheme)$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(hash))"
        }

        /// Decimal digits without sign or leading zero, within the limits.
        private static func count(_ text: Substring) -> Int? {
            let digits = text.utf8
            guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 8,
                  digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let count = Int(text), PasswordHash.iterationLimits.contains(count)
            else { return nil }
            return count
        }
    }
}
