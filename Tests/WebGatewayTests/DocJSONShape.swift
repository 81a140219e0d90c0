import Foundation

/// JSON as a doc writes it, with elisions: `...` or `…` in an object or array means "and more",
/// `[...]` (or `[...words...]`) any array, a string holding `…` any string, and a timestamp string
/// any timestamp (the example's instant is illustrative). Everything else is compared exactly, and
/// an object without `...` must have exactly the keys written.
indirect enum DocJSONShape {
    case object([(String, DocJSONShape)], open: Bool)
    case array([DocJSONShape], open: Bool)
    case string(String)
    case anyString
    case timestamp
    case number(Double)
    case bool(Bool)
    case null

    /// Parses the doc's JSON at the start of `text`.
    static func parse(_ text: String) -> DocJSONShape? {
        var p = Parser(chars: Array(text), at: 0)
        return p.value()
    }

    /// What differs between `actual` (from `JSONSerialization`) and this shape, by path.
    func mismatches(_ actual: Any?, at path: String = "$") -> [String] {
        switch self {
        case .object(let fields, let open):
            guard let object = actual as? [String: Any] else { return ["\(path): expected an object, got \(Self.show(actual))"] }
            var out: [String] = []
            for (key, shape) in fields {
                if let value = object[key] { out += shape.mismatches(value, at: "\(path).\(key)") } else { out.append("\(path).\(key): missing") }
            }
            if !open {
                let extra = Set(object.keys).subtracting(fields.map(\.0))
                if !extra.isEmpty { out.append("\(path): keys not in the doc \(extra.sorted()) (add them, or `...`)") }
            }
            return out
        case .array(let items, let open):
            guard let array = actual as? [Any] else { return ["\(path): expected an array, got \(Self.show(actual))"] }
            if open ? array.count < items.count : array.count != items.count {
                return ["\(path): \(array.count) items, the doc shows \(items.count)\(open ? " or more" : "")"]
            }
            return zip(items, array).enumerated().flatMap { i, pair in pair.0.mismatches(pair.1, at: "\(path)[\(i)]") }
        case .string(let s):
            return actual as? String == s ? [] : ["\(path): \(Self.show(actual)), the doc says \"\(s)\""]
        case .anyString:
            return actual is String ? [] : ["\(path): \(Self.show(actual)), the doc shows a string"]
        case .timestamp:
            guard let s = actual as? String, s.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil else {
                return ["\(path): \(Self.show(actual)), the doc shows a timestamp"]
            }
            return []
        case .number(let n):
            guard !(actual is String), let v = (actual as? NSNumber)?.doubleValue else {
                return ["\(path): \(Self.show(actual)), the doc says \(n)"]
            }
            return v == n ? [] : ["\(path): \(v), the doc says \(n)"]
        case .bool(let b):
            return actual as? Bool == b ? [] : ["\(path): \(Self.show(actual)), the doc says \(b)"]
        case .null:
            return actual is NSNull ? [] : ["\(path): \(Self.show(actual)), the doc says null"]
        }
    }

    static func show(_ value: Any?) -> String {
        guard let value else { return "nothing" }
        if let s = value as? String { return "\"\(s)\"" }
        return "\(value)"
    }

    struct Parser {
        let chars: [Character]
        var at: Int

        mutating func space() { while at < chars.count, chars[at].isWhitespace { at += 1 } }

        /// `...` or `…` next (consumed).
        mutating func elision() -> Bool {
            space()
            if at < chars.count, chars[at] == "…" { at += 1; return true }
            if at + 2 < chars.count, chars[at] == ".", chars[at + 1] == ".", chars[at + 2] == "." { at += 3; return true }
            return false
        }

        mutating func value() -> DocJSONShape? {
            space()
            guard at < chars.count else { return nil }
            switch chars[at] {
            case "{": return object()
            case "[": return array()
            case "\"":
                guard let s = string() else { return nil }
                if s.contains("…") || s.contains("...") { return .anyString }
                if s.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil { return .timestamp }
                return .string(s)
            default:
                let start = at
                while at < chars.count, !",}] \n".contains(chars[at]) { at += 1 }
                let word = String(chars[start..<at])
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default: return Double(word).map { .number($0) }
                }
            }
        }

        mutating func string() -> String? {
            at += 1
            var out = ""
            while at < chars.count {
                let c = chars[at]
                at += 1
                if c == "\"" { return out }
                if c == "\\", at < chars.count { out.append(chars[at]); at += 1 } else { out.append(c) }
            }
            return nil
        }

        mutating func object() -> DocJSONShape? {
            at += 1
            var fields: [(String, DocJSONShape)] = []
            var open = false
            while true {
                space()
                guard at < chars.count else { return nil }
                if chars[at] == "}" { at += 1; return .object(fields, open: open) }
                if chars[at] == "," { at += 1; continue }
                if elision() { open = true; continue }
                guard chars[at] == "\"", let key = string() else { return nil }
                space()
                guard at < chars.count, chars[at] == ":" else { return nil }
                at += 1
                guard let v = value() else { return nil }
                fields.append((key, v))
            }
        }

        mutating func array() -> DocJSONShape? {
            at += 1
            var items: [DocJSONShape] = []
            var open = false
            while true {
                space()
                guard at < chars.count else { return nil }
                if chars[at] == "]" { at += 1; return .array(items, open: open) }
                if chars[at] == "," { at += 1; continue }
                if elision() {
                    open = true
                    // `[...words...]`: the words describe the items; skip to the bracket.
                    if at < chars.count, chars[at].isLetter { while at < chars.count, chars[at] != "]" { at += 1 } }
                    continue
                }
                guard let v = value() else { return nil }
                items.append(v)
            }
        }
    }
}
