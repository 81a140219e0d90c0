import Testing
import Credentials

/// Both base64 variants against RFC 4648 §10, round trips, and the strictness of decoding.
@Suite struct Base64Tests {
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 §10 vectors, padded; base64url is the same without padding")
    func vectors() {
        for (plain, encoded) in Self.rfc4648 {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
            let unpadded = String(encoded.filter { $0 != "=" })
            #expect(Base64URL.encode(Array(plain.utf8)) == unpadded)
            #expect(Base64URL.decode(unpadded) == Array(plain.utf8))
        }
    }

    @Test("the two alphabets differ in the last two characters")
    func alphabets() {
        #expect(Base64.encode([0xfb, 0xff]) == "+/8=")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64.decode("+/8=") == [0xfb, 0xff])
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
    }

    @Test("every length 0..<100 of random bytes survives the round trip")
    func roundTrips() {
        for n in 0..<100 {
            let data = SecureRandom.bytes(n)
            #expect(Base64.decode(Base64.encode(data)) == data)
            #expect(Base64URL.decode(Base64URL.encode(data)) == data)
        }
    }

    @Test("standard base64 refuses missing or extra padding, foreign characters and non-zero unused bits",
          arguments: ["Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Zm9v====", "-_8=", "Zm=v", "Zé=="])
    func standardRefuses(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("base64url refuses padding, the standard alphabet's + and /, impossible lengths and non-zero unused bits",
          arguments: ["Zg==", "Zm8=", "+/8", "Z", "Zm9vY", "Zh", "Zm9", "Zm9v\n"])
    func urlRefuses(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
