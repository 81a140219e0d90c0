/// A header value of the form `first; name=value; name="value"`, split into its parts.
///
/// Used for the request's Content-Type (RFC 9110 §5.6.6, quoted strings with backslash escapes)
/// and for a part's Content-Disposition, where browsers follow the WHATWG form encoding instead:
/// they write `"` as `%22` and never escape a backslash, so there a quoted string ends at the
/// next `"` and a backslash is an ordinary byte (a Windows path in `filename` stays readable).
struct HeaderParameters: Equatable {
    /// The value before the first `;`, trimmed and lowercased (`multipart/form-data`, `form-data`).
    var first: String
    /// The parameters in order; names lowercased, values as sent (quotes removed).
    var parameters: [(name: String, value: [UInt8])]

    static func == (a: Self, b: Self) -> Bool {
        a.first == b.first && a.parameters.map(\.name) == b.parameters.map(\.name) && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    /// The value of `name` (lowercase), if present.
    subscript(name: String) -> [UInt8]? { parameters.first { $0.name == name }?.value }

    /// Parses `bytes`; nil when the syntax is broken or a parameter name repeats.
    init?(_ bytes: some Collection<UInt8>, backslashEscapes: Bool) {
        let b = Array(bytes)
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 } }
        skipSpace()
        let firstStart = i
        while i < b.count, b[i] != UInt8(ascii: ";") { i += 1 }
        var firstEnd = i
        while firstEnd > firstStart, b[firstEnd - 1] == 0x20 || b[firstEnd - 1] == 0x09 { firstEnd -= 1 }
        first = String(decoding: b[firstStart..<firstEnd], as: UTF8.self).lowercased()
        parameters = []
        while i < b.count {
            // At a ';'.
            i += 1
            skipSpace()
            if i == b.count { break }
            if b[i] == UInt8(ascii: ";") { continue }
            let nameStart = i
            while i < b.count, b[i].isTokenByte { i += 1 }
            guard i > nameStart, i < b.count, b[i] == UInt8(ascii: "=") else { return nil }
            let name = String(decoding: b[nameStart..<i], as: UTF8.self).lowercased()
            i += 1
            var value: [UInt8] = []
            if i < b.count, b[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    if backslashEscapes, c == UInt8(ascii: "\\"), i + 1 < b.count { value.append(b[i + 1]); i += 2; continue }
                    value.append(c)
                    i += 1
                }
                guard closed else { return nil }
            } else {
                let start = i
                while i < b.count, b[i].isTokenByte { i += 1 }
                guard i > start else { return nil }
                value = Array(b[start..<i])
            }
            skipSpace()
            guard i == b.count || b[i] == UInt8(ascii: ";") else { return nil }
            guard !parameters.contains(where: { $0.name == name }) else { return nil }
            parameters.append((name, value))
        }
    }
}

extension UInt8 {
    /// RFC 9110 §5.6.2 tchar.
    var isTokenByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// RFC 2046 §5.1.1 bcharsnospace, plus the space (allowed except at the end).
    var isBoundaryByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: "_"), UInt8(ascii: ","),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: " "): true
        default: false
        }
    }
}

/// The boundary of a `multipart/form-data` Content-Type (RFC 2046 §5.1.1, RFC 7578 §4.1).
public struct MultipartBoundary: Sendable, Equatable {
    /// The boundary's bytes, without the leading `--`.
    public let bytes: [UInt8]

    /// Validates a boundary given directly: 1–70 bchars, not ending in a space.
    public init(_ boundary: some Collection<UInt8>) throws(MultipartError) {
        let b = Array(boundary)
        guard (1...70).contains(b.count), b.allSatisfy(\.isBoundaryByte), b.last != 0x20 else { throw .invalidBoundary }
        bytes = b
    }

    /// Extracts the boundary from a request's Content-Type value, quoted or not.
    public init(contentType: String) throws(MultipartError) {
        guard let header = HeaderParameters(contentType.utf8, backslashEscapes: true) else {
            let type = HeaderParameters(contentType.utf8.prefix { $0 != UInt8(ascii: ";") }, backslashEscapes: true)?.first ?? ""
            if type != "multipart/form-data" { throw .notFormData(type) }
            throw .malformedContentType
        }
        guard header.first == "multipart/form-data" else { throw .notFormData(header.first) }
        guard let boundary = header["boundary"] else { throw .missingBoundary }
        try self.init(boundary)
    }
}
