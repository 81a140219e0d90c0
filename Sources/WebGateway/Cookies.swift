import HTTPServer

/// Reads the `Cookie` header and writes `Set-Cookie` values (RFC 6265).
public enum Cookies {
    /// The cookies a request carries, first value of a name wins (RFC 6265 §5.4 orders by path length,
    /// and all ours share `/`).
    public static func parse(_ request: HTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers.values("Cookie") {
            for part in header.split(separator: ";") {
                let pair = part.trimmingWhitespace()
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<eq])
                var value = String(pair[pair.index(after: eq)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                if out[name] == nil { out[name] = value }
            }
        }
        return out
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`; `maxAge` nil → session cookie, 0 → delete.
    ///
    /// The value must already be cookie-safe (use `FormDecoding.percentEncode` for free text).
    public static func setCookie(_ name: String, _ value: String, maxAge: Int? = 60 * 60 * 24 * 365) -> String {
        var s = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if let maxAge { s += "; Max-Age=\(maxAge)" }
        return s
    }
}
