/// Comparison whose time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes.
    ///
    /// Every byte pair is examined whatever the earlier ones were, so the time says nothing about
    /// how much of a guessed MAC or hash was right. Lengths are compared first: they are not
    /// secret (a MAC's or a stored hash's length is fixed by its format).
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
