/// Builds a query string (`a=1&b=2`) as `FormDecoding.encodeQuery` does, without a `String` per
/// pair: the list page writes three or four of them (its Next and Last links, each row's `from=`),
/// and building each through `encodeQuery` (an array of optional `String` pairs, two encoded
/// `String`s a pair, joined) cost as much as five rows (docs/performance.md).
struct QueryBuilder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    /// `name=value` after a `&` (none before the first); nil and empty values are skipped, as
    /// `encodeQuery` skips them. `name` is one of our parameter names: unreserved characters only.
    mutating func add(_ name: StaticString, _ value: String?) {
        guard var value, !value.isEmpty else { return }
        if !bytes.isEmpty { bytes.append(UInt8(ascii: "&")) }
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "="))
        value.withUTF8 { Self.percentEncode($0, into: &bytes) }
    }

    var isEmpty: Bool { bytes.isEmpty }
    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// `FormDecoding.percentEncode` into `out`: unreserved characters as they are, every other byte `%XX`.
    static func percentEncode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        for b in text {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex.utf8Start[Int(b >> 4)])
                out.append(hex.utf8Start[Int(b & 0x0f)])
            }
        }
    }
}
