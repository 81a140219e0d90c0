import Testing
@testable import Credentials

/// The stored password hash: its form, verification, refusal of anything malformed, rehashing.
///
/// Iteration counts are small here: the cost of the default is a benchmark's business
/// (`campusdesk-bench credentials`), and PBKDF2 itself is checked against RFC 7914.
@Suite struct PasswordHashTests {
    /// "café" (NFC), salt 0x00...0x0f, 1,000 iterations, made by Python:
    /// hashlib.pbkdf2_hmac("sha256", "café".encode(), bytes(range(16)), 1000, 32), base64.
    static let python = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$3lz/RBdSsdEEND1C5UGPVVI1YF25UA+NdN+veJf7EMo="

    @Test("a hash made elsewhere (Python's hashlib and base64) verifies: the format is plain PBKDF2")
    func interoperates() {
        #expect(PasswordHash.verify(password: "café", encoded: Self.python))
        #expect(!PasswordHash.verify(password: "cafe", encoded: Self.python))
    }

    @Test("make → verify round trip: the right password only, and a fresh salt every time")
    func roundTrip() throws {
        let encoded = PasswordHash.make(password: "correct horse battery staple", iterations: 1000)
        #expect(PasswordHash.verify(password: "correct horse battery staple", encoded: encoded))
        #expect(!PasswordHash.verify(password: "correct horse battery stapl", encoded: encoded))
        #expect(!PasswordHash.verify(password: "", encoded: encoded))
        #expect(PasswordHash.make(password: "correct horse battery staple", iterations: 1000) != encoded)

        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 4)
        #expect(fields[0] == "pbkdf2-sha256")
        #expect(fields[1] == "1000")
        #expect(try #require(Base64.decode(String(fields[2]))).count == 16)
        #expect(try #require(Base64.decode(String(fields[3]))).count == 32)
    }

    @Test("the password is compared in Unicode NFC: a decomposed accent is the same password")
    func normalisesPassword() {
        let encoded = PasswordHash.make(password: "caf\u{e9}", iterations: 10)
        #expect(PasswordHash.verify(password: "cafe\u{301}", encoded: encoded))
        #expect(PasswordHash.verify(password: "cafe\u{301}", encoded: Self.python))
    }

    @Test("the empty password and a long one hash and verify like any other")
    func edgePasswords() {
        let long = String(repeating: "λ", count: 10_000)
        for password in ["", long] {
            let encoded = PasswordHash.make(password: password, iterations: 10)
            #expect(PasswordHash.verify(password: password, encoded: encoded))
            #expect(!PasswordHash.verify(password: password + "x", encoded: encoded))
        }
    }

    static let salt = "AAECAwQFBgcICQoLDA0ODw=="
    static let hash = "3lz/RBdSsdEEND1C5UGPVVI1YF25UA+NdN+veJf7EMo="

    @Test("malformed encodings verify as false and need a rehash", arguments: [
        "",
        "$$$",
        "pbkdf2-sha256$1000$\(salt)",
        "pbkdf2-sha256$1000$\(salt)$\(hash)$",
        "pbkdf2-sha1$1000$\(salt)$\(hash)",
        "PBKDF2-SHA256$1000$\(salt)$\(hash)",
        "$pbkdf2-sha256$1000$\(salt)$\(hash)",
        "pbkdf2-sha256$0$\(salt)$\(hash)",
        "pbkdf2-sha256$-1000$\(salt)$\(hash)",
        "pbkdf2-sha256$+1000$\(salt)$\(hash)",
        "pbkdf2-sha256$01000$\(salt)$\(hash)",
        "pbkdf2-sha256$1e3$\(salt)$\(hash)",
        "pbkdf2-sha256$ 1000$\(salt)$\(hash)",
        "pbkdf2-sha256$$\(salt)$\(hash)",
        "pbkdf2-sha256$10000001$\(salt)$\(hash)",
        "pbkdf2-sha256$99999999999999999999$\(salt)$\(hash)",
        "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAA$\(hash)",
        "pbkdf2-sha256$1000$\(salt)$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
        "pbkdf2-sha256$1000$\(salt)$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$\(hash)",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$3lz_RBdSsdEEND1C5UGPVVI1YF25UA-NdN-veJf7EMo=",
        "pbkdf2-sha256$1000$\(salt)$\(hash)\n",
    ])
    func refusesMalformed(_ encoded: String) {
        #expect(!PasswordHash.verify(password: "café", encoded: encoded))
        #expect(PasswordHash.needsRehash(encoded))
    }

    @Test("the iteration count's limits are 1 and 10,000,000 inclusive")
    func iterationLimits() {
        let one = PasswordHash.make(password: "pw", iterations: 1)
        #expect(PasswordHash.verify(password: "pw", encoded: one))
        let limit = PasswordHash.Stored(iterations: 10_000_000, salt: Array(0..<16), hash: Array(0..<32)).encoded
        #expect(PasswordHash.Stored(limit)?.iterations == 10_000_000)
    }

    @Test("needsRehash: true when the count differs from the policy's, false when it matches")
    func needsRehash() {
        let old = PasswordHash.make(password: "pw", iterations: 1000)
        #expect(PasswordHash.needsRehash(old))
        #expect(PasswordHash.needsRehash(old, iterations: 2000))
        #expect(!PasswordHash.needsRehash(old, iterations: 1000))
        #expect(!PasswordHash.needsRehash(Self.python, iterations: 1000))
        let current = PasswordHash.Stored(iterations: PasswordHash.defaultIterations, salt: Array(0..<16), hash: Array(0..<32)).encoded
        #expect(!PasswordHash.needsRehash(current))
    }

    @Test("the unknown-account hash costs what a real one does: well formed, at the default count")
    func unknownAccount_CostsDefault() {
        #expect(PasswordHash.Stored(PasswordHash.unknownAccount)?.iterations == PasswordHash.defaultIterations)
        #expect(!PasswordHash.needsRehash(PasswordHash.unknownAccount))
        #expect(PasswordHash.defaultIterations == 600_000)
    }
}
