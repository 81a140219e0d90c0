import HTTPServer
/// Writes markup and decimals into a fixed buffer (on the stack), to be appended to a page at once.
///
/// Why: a list row is about twenty small pieces (literals, three copies of the id, the cells, the
/// time); appending each to the page's array costs a uniqueness and capacity check and a call,
/// which together were the largest single item in the list page's profile. Every write checks
/// that it fits (a programmer error otherwise: the caller sizes the buffer for what it writes).
struct DigitWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// What has been written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<count]) }

    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(n <= buffer.count - count, "DigitWriter buffer too small")
        guard let base = buffer.baseAddress else { preconditionFailure("DigitWriter without a buffer") }
        let p = base + count
        count += n
        return p
    }

    mutating func byte(_ b: UInt8) { reserve(1).pointee = b }

    mutating func ascii(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        guard n > 0 else { return }
        reserve(n).update(from: s.utf8Start, count: n)
    }

    /// Bytes known to need no escaping.
    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        guard let base = b.baseAddress, b.count > 0 else { return }
        reserve(b.count).update(from: base, count: b.count)
    }

    /// `v` in 0...99 as two digits.
    mutating func two(_ v: Int64) {
        let p = reserve(2)
        p[0] = UInt8(truncatingIfNeeded: v / 10) &+ 0x30
        p[1] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
    }

    /// `v` in 0...999 as three digits.
    mutating func three(_ v: Int64) { byte(UInt8(truncatingIfNeeded: v / 100) &+ 0x30); two(v % 100) }

    /// `v` in 0...9999 as four digits.
    mutating func four(_ v: Int64) { two(v / 100); two(v % 100) }

    /// Any `v` in decimal, as `CampusTime.appendDecimal` prints it (at most 20 bytes).
    mutating func decimal(_ v: Int64) {
        var n = v.magnitude
        var digits = 1
        var probe = n
        while probe >= 10 { probe /= 10; digits += 1 }
        let p = reserve(digits + (v < 0 ? 1 : 0))
        var i = digits + (v < 0 ? 1 : 0)
        repeat {
            i -= 1
            p[i] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
            n /= 10
        } while n > 0
        if v < 0 { p[0] = 0x2D }
    }

    /// `v` with a comma between groups of three digits, "1,234,567" (at most 27 bytes): the one
    /// grouping of the pages (``Field/grouped(_:)`` writes through it).
    mutating func grouped(_ v: Int64) {
        if v < 0 { byte(0x2D) }
        let n = v.magnitude
        // The leading group as it is, then each group of three zero-padded.
        var scale: UInt64 = 1
        while n / scale >= 1000 { scale *= 1000 }
        decimal(Int64(n / scale))
        var rest = n % scale
        while scale > 1 {
            scale /= 1000
            byte(0x2C)
            three(Int64(rest / scale))
            rest %= scale
        }
    }

    /// The English month abbreviation of `m` in 1...12.
    mutating func month(_ m: Int64) {
        precondition((1...12).contains(m), "month out of range")
        let names: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        reserve(3).update(from: names.utf8Start + Int(m - 1) * 3, count: 3)
    }
}
