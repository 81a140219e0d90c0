import Foundation
import SpoolBroker
import HTTPServer

/// Escaping and number formatting shared by the chart renderers.
///
/// Why its own escaper: SVG is XML, and every label (months and categories arrive from another
/// process over the queue) must be escaped for both element text and attribute values.
enum ChartText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and drops characters XML 1.0 forbids (controls other than tab/LF/CR).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || (0xFFFE...0xFFFF).contains(ch.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// A coordinate or length with at most one decimal (`12`, `12.5`), never exponent notation.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// The drawn length of a bar for `value`: at least `minimum` when the value is not zero, so a
    /// small count beside a large one (5 open beside 2,900 closed) still shows as a bar.
    static func visibleLength(_ length: Double, nonZero: Bool, minimum: Double = 3) -> Double {
        guard nonZero, length.isFinite else { return 0 }
        return max(length, minimum)
    }

    /// A measured value with one decimal for display (`2.5`, `12.0`).
    static func decimal(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "–"
    }
}
