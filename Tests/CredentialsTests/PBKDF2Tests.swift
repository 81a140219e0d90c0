import Testing
import Credentials

/// PBKDF2-HMAC-SHA-256 against RFC 7914 §11 (the scrypt RFC publishes its PBKDF2 vectors).
@Suite struct PBKDF2Tests {
    @Test("RFC 7914 §11: P = \"passwd\", S = \"salt\", c = 1, dkLen = 64")
    func oneIteration() {
        let key = PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, keyLength: 64)
        #expect(key == bytes(hex: """
            55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc \
            49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83
            """))
    }

    @Test("RFC 7914 §11: P = \"Password\", S = \"NaCl\", c = 80000, dkLen = 64")
    func eightyThousandIterations() {
        let key = PBKDF2.sha256(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80_000, keyLength: 64)
        #expect(key == bytes(hex: """
            4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9 64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56 \
            a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17 6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d
            """))
    }

    @Test("a key length that is not a whole digest is the prefix of a longer key; a long password is hashed first")
    func partialBlock_LongPassword() {
        let password = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        let salt = Array("salt".utf8)
        let short = PBKDF2.sha256(password: password, salt: salt, iterations: 3, keyLength: 20)
        // Python: hashlib.pbkdf2_hmac("sha256", b"x" * 100, b"salt", 3, 20).hex()
        #expect(hexString(short) == "59bfa49750dd5462ce38370a1e7abe0736ff334c")
        let long = PBKDF2.sha256(password: password, salt: salt, iterations: 3, keyLength: 40)
        #expect(Array(long.prefix(20)) == short)
        #expect(long.count == 40)
    }
}
