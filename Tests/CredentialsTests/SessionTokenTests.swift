import Testing
import Credentials

@Suite struct SessionTokenTests {
    @Test("tokens are 43 characters of base64url, well formed, and distinct")
    func generate() throws {
        let tokens = (0..<200).map { _ in SessionToken.generate() }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.utf8.count == 43)
            #expect(SessionToken.isWellFormed(token))
            #expect(try #require(Base64URL.decode(token)).count == 32)
        }
    }

    @Test("the digest is the hex SHA-256 of the token's text")
    func digest() {
        #expect(SessionToken.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let token = SessionToken.generate()
        #expect(SessionToken.digest(token) == hexString(SHA256.hash(Array(token.utf8))))
        #expect(SessionToken.digest(token).utf8.count == 64)
        #expect(SessionToken.digest(token) != SessionToken.digest(SessionToken.generate()))
    }

    static let valid = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    @Test("a fixed valid token is well formed")
    func fixedValid() {
        #expect(SessionToken.isWellFormed(Self.valid))
        #expect(Base64URL.decode(Self.valid) == Array(0..<32))
    }

    @Test("anything else is not well formed", arguments: [
        "",
        String(valid.dropLast()),
        valid + "A",
        valid + "=",
        String(valid.dropLast()) + "B",
        String(valid.dropLast()) + "+",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 ",
        String(repeating: "é", count: 21) + "A",
    ])
    func malformed(_ token: String) {
        #expect(!SessionToken.isWellFormed(token))
    }
}
