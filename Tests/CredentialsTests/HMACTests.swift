import Testing
import Credentials

/// HMAC-SHA-256 against RFC 4231 §4 (case 5 truncates the output, which this API does not do).
@Suite struct HMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(name: "case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
               mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(name: "case 2: a key shorter than the output", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
               mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(name: "case 3: 50 bytes of 0xdd", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
               mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(name: "case 4: key 0x01...0x19", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
               mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(name: "case 6: a key longer than the block is hashed first", key: [UInt8](repeating: 0xaa, count: 131),
               data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(name: "case 7: long key and data longer than the block", key: [UInt8](repeating: 0xaa, count: 131),
               data: Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
               mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test("RFC 4231 test cases", arguments: vectors)
    func rfc4231(_ vector: Vector) {
        #expect(hexString(HMAC.sha256(key: vector.key, message: vector.data)) == vector.mac)
    }

    @Test("SHA256.hmac is the same MAC")
    func sha256HMAC_EqualsHMAC() {
        for vector in Self.vectors {
            #expect(SHA256.hmac(key: vector.key, message: vector.data) == HMAC.sha256(key: vector.key, message: vector.data))
        }
    }

    @Test("a key of exactly one block is used as it is, not hashed")
    func blockSizedKey() {
        let key = [UInt8](repeating: 0x42, count: 64)
        // Python: hmac.new(b"\x42" * 64, b"message", "sha256").hexdigest()
        #expect(hexString(HMAC.sha256(key: key, message: Array("message".utf8)))
                == "3e2dff13376eef21c977d2636c96b03becad305320781276694855a3ea9eb883")
    }
}
