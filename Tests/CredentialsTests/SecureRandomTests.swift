import Testing
import Credentials

@Suite struct SecureRandomTests {
    @Test("the requested number of bytes, also past getentropy's 256 bytes per call")
    func counts() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(1).count == 1)
        #expect(SecureRandom.bytes(256).count == 256)
        #expect(SecureRandom.bytes(1000).count == 1000)
    }

    @Test("draws differ, and a long draw holds every byte value (a fill or a pattern would not)")
    func looksRandom() {
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        // Some value missing from 10,000 fair bytes has probability about 256 · e^-39.
        #expect(Set(SecureRandom.bytes(10_000)).count == 256)
    }
}
