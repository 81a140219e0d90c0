import SpoolBroker
import HTTPServer
/// One `name=value` pair of a form body or query string, decoded.
public struct FormField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The decoded fields of a form or query, in order, duplicates kept.
public struct FormFields: Sendable, Equatable {
    public var fields: [FormField]
    public init(_ fields: [FormField] = []) { self.fields = fields }

    /// The first value of `name`, if present.
    public subscript(name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The first value of `name` with surrounding whitespace removed; nil when absent or blank.
    public func trimmed(_ name: String) -> String? {
        guard let v = self[name]?.trimmingWhitespace(), !v.isEmpty else { return nil }
        return v
    }
}

/// Why a form body or query could not be decoded.
public enum FormDecodingError: Error, Equatable, Sendable {
    /// A `%` not followed by two hex digits.
    case invalidPercentEncoding
    /// The decoded bytes are not UTF-8.
    case invalidUTF8
    /// More fields than `FormDecoding.maxFields`.
    case tooManyFields
}

/// The pure `application/x-www-form-urlencoded` decoder (WHATWG URL §5.1), for bodies and queries.
///
/// Pure and bounded so it can be fuzzed: bytes in, fields or a typed error out. Unlike browsers it
/// rejects malformed percent escapes and invalid UTF-8 instead of guessing, so a handler never
/// sees text the user did not send.
public enum FormDecoding {
    /// A form on these pages has fewer than 20 fields; 200 leaves room and bounds the work.
    public static let maxFields = 200

    /// Decodes a form body.
    public static func decode(_ bytes: [UInt8]) throws(FormDecodingError) -> FormFields {
        var fields: [FormField] = []
        var start = 0
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == UInt8(ascii: "&") {
                if i > start {
                    guard fields.count < maxFields else { throw .tooManyFields }
                    fields.append(try decodePair(bytes[start..<i]))
                }
                start = i + 1
            }
            i += 1
        }
        return FormFields(fields)
    }

    /// Decodes the query of a request target (`nil` → no fields).
    public static func decodeQuery(_ query: String?) throws(FormDecodingError) -> FormFields {
        guard let query else { return FormFields() }
        return try decode(Array(query.utf8))
    }

    /// Percent-decodes `text`; `+` becomes a space when `plusAsSpace` (forms), not in paths.
    public static func percentDecode(_ text: some Collection<UInt8>, plusAsSpace: Bool) throws(FormDecodingError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var it = Array(text)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard let h = it.popFirst(), let l = it.popFirst(), let hv = hexValue(h), let lv = hexValue(l) else {
                    throw .invalidPercentEncoding
                }
                out.append(hv << 4 | lv)
            } else if b == UInt8(ascii: "+") && plusAsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(b)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
        return s
    }

    /// Percent-encodes a value for a query string (everything but unreserved characters, RFC 3986 §2.3).
    public static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Builds a query string (`a=1&b=2`) from pairs, skipping nil and empty values.
    public static func encodeQuery(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return percentEncode(name) + "=" + percentEncode(value)
        }.joined(separator: "&")
    }

    private static func decodePair(_ pair: ArraySlice<UInt8>) throws(FormDecodingError) -> FormField {
        if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
            return FormField(
                name: try percentDecode(pair[pair.startIndex..<eq], plusAsSpace: true),
                value: try percentDecode(pair[(eq + 1)...], plusAsSpace: true))
        }
        return FormField(name: try percentDecode(pair, plusAsSpace: true), value: "")
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
