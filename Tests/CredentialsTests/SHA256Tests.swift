import Testing
import Credentials

/// SHA-256 against the FIPS 180-2 examples (Appendix B) and the padding boundaries.
@Suite struct SHA256Tests {
    @Test("FIPS 180-2 B.1: \"abc\", one block")
    func abc() {
        #expect(hexString(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the empty message")
    func empty() {
        #expect(hexString(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("FIPS 180-2 B.2: the 448-bit message, whose padding needs a second block")
    func twoBlocks() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hexString(SHA256.hash(message)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("FIPS 180-2 B.3: one million 'a'")
    func millionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hexString(SHA256.hash(message)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("every length 0..<200 across the padding boundaries (55, 56, 63, 64, 119, 120, ...)")
    func paddingBoundaries() {
        // The digest of the 200 digests of [0, 1, ..., n-1 (mod 256)], as Python's hashlib gives it:
        // hashlib.sha256(b"".join(hashlib.sha256(bytes(i % 256 for i in range(n))).digest() for n in range(200)))
        var digests: [UInt8] = []
        for n in 0..<200 {
            digests += SHA256.hash((0..<n).map { UInt8(truncatingIfNeeded: $0) })
        }
        #expect(hexString(SHA256.hash(digests)) == "ba7b0fcea7d10c06b855b43d2b4dce1e3e842fff6be0acefb0faf4f2dd05bb47")
    }

    @Test("hexString writes two lower-case digits per byte")
    func hex() {
        #expect(hexString([]) == "")
        #expect(hexString([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}

@Suite("SHA256.Hasher")
struct SHA256HasherTests {
    @Test("fed in pieces of any size, the digest is the one-shot hash", arguments: [1, 7, 63, 64, 65, 1000])
    func pieces_GiveTheOneShotDigest(_ size: Int) {
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 3000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var hasher = SHA256.Hasher()
            for start in stride(from: 0, to: message.count, by: size) { hasher.update(message[start..<min(start + size, message.count)]) }
            #expect(hasher.finalize() == SHA256.hash(message), "\(length) bytes in pieces of \(size)")
        }
    }
}
