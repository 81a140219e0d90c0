import Foundation
import Domain

/// `/posters` (staff): a place's name in, its printable QR poster out (a preview and the SVG to
/// download and print). A GET form: asking for a poster changes nothing, so it needs no CSRF token.
enum PostersPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        /// The place and the helpdesk's address as asked for (or the defaults), and a refusal of either.
        var state: FormState
        /// The poster's address (`/posters/poster.svg?…`) once the place and address are valid.
        var posterPath: String?
        /// The address the code opens, shown in words so staff can check it before printing.
        var reportURL: String?
    }

    static let fields: Set<String> = ["location", "origin"]

    static func render(_ m: Model) -> [UInt8] {
        var h = HTMLBuffer(capacity: 8_192)
        Layout.page(title: "Posters", visitor: m.visitor, csrfToken: m.csrfToken, body: { b in
            b.raw("<h1>Posters</h1>\n")
            b.raw("<p>A poster for a place carries a QR code: scanning it with a phone opens the report form with the place filled in. ")
            b.raw("Print it on A4 and put it up where the problem would be seen.</p>\n")
            b.raw("<form method=\"get\" action=\"/posters\" novalidate>\n")
            if let general = m.state.general { b.raw("<p class=\"form-error\" role=\"alert\">"); b.text(general); b.raw("</p>\n") }
            Field.control(.text, name: "location", label: "Place", idPrefix: "poster", state: m.state, required: true,
                          maxLength: TextLimits.maxShortField, hint: "As reporters would name it, e.g. Building C, lift 2.", into: &b)
            Field.control(.text, name: "origin", label: "Address of this helpdesk", idPrefix: "poster", state: m.state, required: true,
                          maxLength: PosterOrigin.maxLength, hint: "What phones open: this server's address as people reach it, e.g. https://helpdesk.example.edu.", into: &b)
            b.raw("<button type=\"submit\">Make the poster</button>\n</form>\n")
            if let path = m.posterPath, let url = m.reportURL {
                b.raw("<section aria-labelledby=\"poster-preview\">\n<h2 id=\"poster-preview\">The poster</h2>\n")
                b.raw("<p>The code opens <code>")
                b.text(url)
                b.raw("</code>.</p>\n<p><a href=\"")
                b.text(path + "&download=1")
                b.raw("\" download>Download the poster (SVG, A4)</a></p>\n")
                b.raw("<img class=\"poster\" src=\"")
                b.text(path)
                b.raw("\" alt=\"Poster for ")
                b.text(m.state.values["location"] ?? "")
                b.raw(": a QR code that opens the report form\" width=\"420\" height=\"594\">\n</section>\n")
            }
        }, into: &h)
        return h.bytes
    }
}

/// The helpdesk's address as a poster's code carries it: `http://` or `https://`, a host, an
/// optional port, nothing else (no path, query, user or fragment).
///
/// Why checked: the address goes into a printed code that strangers scan; a typo or a stray path
/// must be refused on screen, not found on a wall.
public enum PosterOrigin {
    public static let maxLength = 200

    /// The address without a trailing slash, or the refusal naming `origin`.
    public static func check(_ text: String) -> Result<String, Refusal> {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        while t.hasSuffix("/") { t = t.dropLast() }
        let refusal = Refusal(.validation, "Give the address as http:// or https:// and a host name, with no path (e.g. https://helpdesk.example.edu).", field: "origin")
        guard t.unicodeScalars.count <= maxLength else { return .failure(refusal) }
        let rest: Substring
        if t.lowercased().hasPrefix("https://") { rest = t.dropFirst(8) } else if t.lowercased().hasPrefix("http://") { rest = t.dropFirst(7) } else { return .failure(refusal) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        guard !rest.isEmpty, rest.allSatisfy({ allowed.contains($0) }), rest.first != ":" else { return .failure(refusal) }
        return .success(String(t))
    }

    /// `http://` + the request's Host header when that is a plain host[:port]; nil otherwise.
    static func guess(host: String?) -> String? {
        guard let host, case .success(let origin) = check("http://" + host) else { return nil }
        return origin
    }
}
