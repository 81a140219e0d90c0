import Testing
import Credentials

@Suite struct ConstantTimeTests {
    @Test("equal bytes are equal; a difference anywhere, or another length, is not")
    func equals() {
        let a: [UInt8] = Array(0..<32)
        #expect(ConstantTime.equals(a, a))
        #expect(ConstantTime.equals([], []))
        for position in [0, 15, 31] {
            var b = a
            b[position] ^= 0x01
            #expect(!ConstantTime.equals(a, b))
        }
        #expect(!ConstantTime.equals(a, Array(a.dropLast())))
        #expect(!ConstantTime.equals([], [0]))
    }
}
