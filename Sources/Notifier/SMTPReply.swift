/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines, multi-line replies joined.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { code >= 200 && code < 400 }
    /// 4yz: try again later (RFC 5321 §4.2.1).
    public var isTemporary: Bool { code >= 400 && code < 500 }
    /// 5yz: do not try again as it is.
    public var isPermanent: Bool { code >= 500 }
    public var text: String { lines.joined(separator: " / ") }
}

/// Reads replies out of the bytes received: a pure value fed bytes, as the HTTP parser is.
///
/// `250-first\r\n250-second\r\n250 last\r\n` is one reply; a line whose fourth character is `-`
/// continues it, a space (or nothing) ends it. A line that is not `ddd[ -]...` is a protocol error.
public struct SMTPReplyParser: Sendable {
    /// The longest reply line accepted (RFC 5321 §4.5.3.1.5 says 512; servers' greetings run longer).
    public static let maxLineLength = 4_096
    /// The most lines in one reply (a long EHLO list has about twenty).
    public static let maxLines = 200

    public enum Result: Sendable, Equatable {
        case needMoreData
        case reply(SMTPReply, consumed: Int)
    }

    public init() {}

    /// The first complete reply in `bytes`, with how many bytes it took.
    ///
    /// - Throws: ``SMTPError`` (`protocolError`) for a malformed line, an over-long line or reply.
    public func parse(_ bytes: ArraySlice<UInt8>) throws(SMTPError) -> Result {
        var lines: [String] = []
        var code: Int?
        var index = bytes.startIndex
        while true {
            guard let lf = bytes[index...].firstIndex(of: 10) else {
                if bytes.endIndex - index > Self.maxLineLength { throw SMTPError.protocolError("reply line too long") }
                return .needMoreData
            }
            var end = lf
            if end > index && bytes[end - 1] == 13 { end -= 1 }
            let line = Array(bytes[index..<end])
            guard line.count <= Self.maxLineLength else { throw SMTPError.protocolError("reply line too long") }
            guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  line.count == 3 || line[3] == 32 || line[3] == 45 else {
                throw SMTPError.protocolError("malformed reply line \(String(decoding: line.prefix(40), as: UTF8.self).debugDescription)")
            }
            let lineCode = Int(line[0] - 48) * 100 + Int(line[1] - 48) * 10 + Int(line[2] - 48)
            if let code, code != lineCode { throw SMTPError.protocolError("reply codes differ within one reply") }
            code = lineCode
            lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
            guard lines.count <= Self.maxLines else { throw SMTPError.protocolError("reply has too many lines") }
            index = lf + 1
            if line.count == 3 || line[3] == 32 {
                return .reply(SMTPReply(code: lineCode, lines: lines), consumed: index - bytes.startIndex)
            }
        }
    }
}
