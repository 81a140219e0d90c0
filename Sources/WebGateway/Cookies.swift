import HTTPServer
import SpoolBroker

/// Reads the `Cookie` header and writes `Set-Cookie` values (RFC 6265).
public enum Cookies {
    /// The cookies a request carries, first value of a name wins (RFC 6265 §5.4 orders by path length,
    /// and all ours share `/`).
    public static func parse(_ request: HTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers.values("Cookie") {
            for part in header.utf8.split(separator: 0x3B) {
                if part.allSatisfy({ $0 < 0x80 }) {
                    addASCII(part, to: &out)
                } else {
                    add(String(Substring(part)), to: &out)
                }
            }
        }
        return out
    }

    /// The common case on bytes: for ASCII, Unicode whitespace is exactly these six bytes.
    private static func addASCII(_ part: Substring.UTF8View, to out: inout [String: String]) {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        guard let first = part.firstIndex(where: { !isSpace($0) }), let last = part.lastIndex(where: { !isSpace($0) }) else { return }
        let pair = part[first...last]
        guard let eq = pair.firstIndex(of: 0x3D) else { return }
        let name = String(Substring(pair[..<eq]))
        guard out[name] == nil else { return }
        var value = pair[pair.index(after: eq)...]
        if value.count >= 2, value.first == 0x22, value.last == 0x22 { value = value.dropFirst().dropLast() }
        out[name] = String(Substring(value))
    }

    /// Any other text, trimmed of Unicode whitespace.
    private static func add(_ part: String, to out: inout [String: String]) {
        let pair = part.trimmingWhitespace()
        guard let eq = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<eq])
        var value = String(pair[pair.index(after: eq)...])
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        if out[name] == nil { out[name] = value }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`; `maxAge` nil → session cookie, 0 → delete;
    /// `secure` adds `Secure` (the request came over HTTPS).
    ///
    /// The value must already be cookie-safe (use `FormDecoding.percentEncode` for free text).
    public static func setCookie(_ name: String, _ value: String, maxAge: Int? = 60 * 60 * 24 * 365, secure: Bool = false) -> String {
        var s = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if let maxAge { s += "; Max-Age=\(maxAge)" }
        if secure { s += "; Secure" }
        return s
    }
}
