#if canImport(Glibc)
import Glibc
#endif

/// Stops the fuzzer with a message when an invariant does not hold.
///
/// libFuzzer treats the abort as a crash and saves the input under the artifact prefix, so a
/// broken invariant is reported exactly like a memory error: with the bytes that caused it.
/// (Fuzz entry points are test code; aborting is their way of failing an assertion.)
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if condition { return }
    let text = "fuzz invariant failed at \(file):\(line): \(message())\n"
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
    abort()
}

/// A short printable rendering of bytes for invariant messages.
func fuzzDescribe<C: Collection<UInt8>>(_ bytes: C, limit: Int = 200) -> String {
    var out = ""
    for b in bytes.prefix(limit) {
        switch b {
        case 0x0D: out += "\\r"
        case 0x0A: out += "\\n"
        case 0x5C: out += "\\\\"
        case 0x20..<0x7F: out += String(UnicodeScalar(b))
        default:
            let hex = String(b, radix: 16)
            out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    if bytes.count > limit { out += "…(\(bytes.count) bytes)" }
    return out
}
