/// The printable poster for a place: a QR code that opens the report form with the place filled
/// in, the place's name and one line saying what to do. Pure functions (text in, SVG text out);
/// the gateway's `/posters` and the CLI's `campusdesk poster` choose where the SVG goes.
public enum QRPoster {
    /// The report form's address for `place`: `origin` (e.g. "https://desk.campus.example")
    /// + "/tickets/new?location=" + the place's UTF-8 bytes percent-encoded, everything but
    /// RFC 3986's unreserved characters escaped so no decoder can read the query another way.
    public static func reportURL(origin: String, place: String) -> String {
        var trimmedOrigin = Substring(origin)
        while trimmedOrigin.hasSuffix("/") { trimmedOrigin = trimmedOrigin.dropLast() }
        return String(trimmedOrigin) + "/tickets/new?location=" + percentEncoded(place)
    }

    /// An A4 portrait SVG document (millimetre units): heading, QR code of `url`, `place`, instruction.
    public static func svg(url: String, place: String) throws(QRCodeError) -> String {
        let code = try QRCode(text: url)
        let modules = code.size + 2 * QRCode.quietZone
        let qrWidth = 150.0
        let scale = qrWidth / Double(modules)
        let placeText = xmlEscaped(place)
        // Long names get smaller type so they stay on the page (about 0.55 em per character).
        let characters = max(place.unicodeScalars.count, 1)
        let placeSize = min(14.0, max(5.0, 190.0 / (0.55 * Double(characters))))
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" role="img" aria-labelledby="poster-title">
            <title id="poster-title">Report a problem at \(placeText)</title>
            <rect width="210" height="297" fill="#fff" stroke="none"/>
            <text x="105" y="32" text-anchor="middle" font-family="sans-serif" font-size="13" font-weight="bold">Something broken here?</text>
            <g transform="translate(30 48) scale(\(format(scale)))" shape-rendering="crispEdges">\(code.svgElements())</g>
            <text x="105" y="222" text-anchor="middle" font-family="sans-serif" font-size="\(format(placeSize))" font-weight="bold">\(placeText)</text>
            <text x="105" y="250" text-anchor="middle" font-family="sans-serif" font-size="7">Scan the code with your phone's camera to report it.</text>
            <text x="105" y="262" text-anchor="middle" font-family="sans-serif" font-size="5">The form opens with this place filled in.</text>
            </svg>

            """
    }

    /// Text safe inside an XML element or attribute: the five special characters as entities,
    /// and the control characters XML 1.0 does not allow at all (everything below U+0020 but tab,
    /// newline and carriage return, and U+FFFE/U+FFFF) left out, or the document would not parse.
    public static func xmlEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// A decimal with at most three places, without Foundation's formatters.
    private static func format(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let whole = thousandths / 1000, fraction = thousandths % 1000
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
