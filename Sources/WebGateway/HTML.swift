/// Escapes text for HTML element content and quoted attribute values.
///
/// The ONE escaping function: every piece of user or stored text that reaches a page goes through
/// it, so there is a single place to check against injection.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\0": out += "\u{FFFD}"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}
