import Foundation
import Domain

/// An e-mail as RFC 5322 bytes: the headers a relay and a mail client expect, a UTF-8 plain-text
/// body in quoted-printable, CRLF line ends.
///
/// Why quoted-printable: it is 7-bit, so no relay on the way needs 8BITMIME, and no line exceeds
/// 76 characters (RFC 5322 §2.1.1 asks for at most 78). Non-ASCII subjects and display names are
/// RFC 2047 encoded-words (`=?UTF-8?B?...?=`), each at most 75 characters, folded onto lines of their own.
public struct MailMessage: Sendable, Equatable {
    public struct Address: Sendable, Equatable {
        public var name: String?
        public var email: String
        public init(name: String? = nil, email: String) {
            self.name = name
            self.email = email
        }
    }

    public var from: Address
    public var to: Address
    public var subject: String
    public var body: String
    public var date: Timestamp
    /// Without the angle brackets, e.g. `n-42.user-7.email@campusdesk`; the same on every attempt,
    /// so a receiver can drop the copy a lost reply to DATA made us send twice.
    public var messageID: String

    public init(from: Address, to: Address, subject: String, body: String, date: Timestamp, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID
    }

    /// The whole message, headers and body, lines ending in CRLF.
    public var rendered: String {
        var head = ""
        head += "Date: \(Self.rfc5322Date(date))\r\n"
        head += "From: \(Self.mailbox(from))\r\n"
        head += "To: \(Self.mailbox(to))\r\n"
        head += Self.folded("Subject", Self.encodedPhrase(subject))
        head += "Message-ID: <\(messageID)>\r\n"
        head += "MIME-Version: 1.0\r\n"
        head += "Content-Type: text/plain; charset=utf-8\r\n"
        head += "Content-Transfer-Encoding: quoted-printable\r\n"
        head += "Auto-Submitted: auto-generated\r\n"
        return head + "\r\n" + Self.quotedPrintable(body)
    }

    public var bytes: [UInt8] { Array(rendered.utf8) }

    // MARK: - Headers

    /// `Fri, 04 Dec 2026 15:21:47 +0000` (RFC 5322 §3.3), always in UTC.
    public static func rfc5322Date(_ t: Timestamp) -> String {
        let seconds = t.millisecondsSinceEpoch >= 0 ? t.millisecondsSinceEpoch / 1000 : (t.millisecondsSinceEpoch - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = CivilDate.fromDays(days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let wd = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(wd), \(two(d)) \(months[Int(m - 1)]) \(y) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) +0000"
    }

    /// `Name <addr>`: an ASCII name as a quoted string, any other as encoded-words; the bare address without a name.
    static func mailbox(_ a: Address) -> String {
        guard let name = a.name, !name.isEmpty else { return "<\(a.email)>" }
        let clean = name.filter { $0 != "\r" && $0 != "\n" }
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) {
            return "\"\(clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\" <\(a.email)>"
        }
        return "\(encodedWords(clean).joined(separator: " ")) <\(a.email)>"
    }

    /// The text as it goes into a header: as is when printable ASCII, else RFC 2047 encoded-words.
    static func encodedPhrase(_ text: String) -> [String] {
        let clean = text.map { $0 == "\r" || $0 == "\n" ? " " : String($0) }.joined()
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) && !clean.contains("=?") {
            return clean.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        return encodedWords(clean)
    }

    /// `=?UTF-8?B?...?=` words of at most 75 characters (RFC 2047 §2), never splitting a character:
    /// at most 39 bytes of UTF-8 each (52 of base64 plus 12 of wrapping, 64 in all), so even the first
    /// word fits behind `Subject: ` within 78 characters.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// `Name: w1 w2 ...` folded (RFC 5322 §2.2.3) so no line passes 78 characters where words allow.
    static func folded(_ name: String, _ words: [String]) -> String {
        var out = "\(name):"
        var lineLength = out.count
        for word in words {
            if lineLength + 1 + word.count > 78 && lineLength > name.count + 1 {
                out += "\r\n"
                lineLength = 0
            }
            out += " " + word
            lineLength += 1 + word.count
        }
        return out + "\r\n"
    }

    // MARK: - Body

    /// RFC 2045 §6.7 quoted-printable of the UTF-8 text; line ends become CRLF hard breaks, long
    /// lines get soft breaks (`=` at the end) so none passes 76 characters.
    public static func quotedPrintable(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for (i, line) in lines.enumerated() {
            if i == lines.count - 1 && line.isEmpty { break }
            let bytes = Array(line.utf8)
            var current = ""
            for (j, b) in bytes.enumerated() {
                let last = j == bytes.count - 1
                let token: String
                if (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && !last) {
                    token = String(UnicodeScalar(b))
                } else {
                    token = "=" + hex(b)
                }
                if current.count + token.count > 75 {
                    out += current + "=\r\n"
                    current = ""
                }
                current += token
            }
            out += current + "\r\n"
        }
        return out
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}
