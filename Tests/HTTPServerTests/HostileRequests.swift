@testable import HTTPServer

/// One hostile request: the bytes, the exact parse error, the status the client sees, and
/// whether the server must close the connection after answering.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var error: HTTPParseError
    var status: Int
    var closes: Bool
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ error: HTTPParseError, _ status: Int, closes: Bool = true) {
        self.init(name, Array(text.utf8), error, status, closes: closes)
    }

    init(_ name: String, _ bytes: [UInt8], _ error: HTTPParseError, _ status: Int, closes: Bool = true) {
        self.name = name
        self.bytes = bytes
        self.error = error
        self.status = status
        self.closes = closes
    }
}

import Testing

let longTarget = "/" + String(repeating: "a", count: 8 * 1024)
let manyHeaders = (0...100).map { "X-\($0): v\r\n" }.joined()
let hugeHeader = "X-Big: " + String(repeating: "b", count: 65 * 1024) + "\r\n"

/// The hostile table; every entry is also replayed over a real socket by the live server test.
let hostileCases: [HostileCase] = [
    // Methods
    HostileCase("lowercase method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod, 501),
    HostileCase("unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod, 501),
    HostileCase("CONNECT with userinfo in the authority", "CONNECT u@a:443 HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("WebDAV method", "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod, 501),
    HostileCase("method with separator char", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("non-ASCII method", "GÉT / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("NUL in method", "G\0T / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    // Request line shape
    HostileCase("double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("tab as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("missing version", "GET /\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("only a method", "GET\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("extra token", "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("trailing space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    // Versions
    HostileCase("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
    HostileCase("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
    HostileCase("HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
    HostileCase("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("two-digit major", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    HostileCase("letters for digits", "GET / HTTP/x.y\r\nHost: a\r\n\r\n", .malformedRequestLine, 400),
    // Targets
    HostileCase("non-ASCII in target", "GET /café HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("NUL in target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("DEL in target", "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("asterisk-form on GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("absolute-form ftp scheme", "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("absolute-form empty authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("absolute-form with userinfo", "GET http://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    HostileCase("absolute-form scheme only", "GET http: HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget, 400),
    // Line endings and limits on lines
    HostileCase("request line too long", "GET \(longTarget) HTTP/1.1\r\nHost: a\r\n\r\n", .requestLineTooLong, 414),
    HostileCase("request line too long, no CRLF yet", "GET \(longTarget)", .requestLineTooLong, 414),
    HostileCase("empty line flood", String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", .tooManyEmptyLines, 400),
    HostileCase("leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .bareLineBreak, 400),
    HostileCase("request line ends in bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n", .bareLineBreak, 400),
    HostileCase("bare CR in request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", .bareLineBreak, 400),
    HostileCase("header ends in bare LF", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", .bareLineBreak, 400),
    HostileCase("bare CR inside value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", .bareLineBreak, 400),
    HostileCase("head ends in LF LF", "GET / HTTP/1.1\r\nHost: a\n\n", .bareLineBreak, 400),
    HostileCase("head ends in CR LF LF", "GET / HTTP/1.1\r\nHost: a\r\n\n", .bareLineBreak, 400),
    // Header syntax
    HostileCase("obs-fold with space", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding, 400),
    HostileCase("obs-fold with tab as first header", "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", .obsoleteLineFolding, 400),
    HostileCase("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon, 400),
    HostileCase("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon, 400),
    HostileCase("missing colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", .malformedHeader, 400),
    HostileCase("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", .malformedHeader, 400),
    HostileCase("separator in field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n", .malformedHeader, 400),
    HostileCase("non-ASCII field name", "GET / HTTP/1.1\r\nHost: a\r\nXé: v\r\n\r\n", .malformedHeader, 400),
    HostileCase("NUL in field name", "GET / HTTP/1.1\r\nHost: a\r\nX\0Y: v\r\n\r\n", .malformedHeader, 400),
    HostileCase("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", .invalidHeaderValue, 400),
    HostileCase("control char in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", .invalidHeaderValue, 400),
    HostileCase("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", .invalidHeaderValue, 400),
    HostileCase("escape char in value", "GET / HTTP/1.1\r\nHost: a\r\nX: \u{1B}[31m\r\n\r\n", .invalidHeaderValue, 400),
    HostileCase("too many headers", "GET / HTTP/1.1\r\nHost: a\r\n\(manyHeaders)\r\n", .tooManyHeaders, 431),
    HostileCase("header section too large", "GET / HTTP/1.1\r\nHost: a\r\n\(hugeHeader)\r\n", .headerTooLarge, 431),
    HostileCase("header section too large, no end yet", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 65 * 1024), .headerTooLarge, 431),
    // Host
    HostileCase("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nX: a\r\n\r\n", .missingHost, 400),
    HostileCase("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost, 400),
    HostileCase("two Host fields on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .duplicateHost, 400),
    HostileCase("space inside Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost, 400),
    HostileCase("slash in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost, 400),
    HostileCase("userinfo in Host", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", .invalidHost, 400),
    // Content-Length
    HostileCase("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength, 400),
    HostileCase("plus-signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", .invalidContentLength, 400),
    HostileCase("hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength, 400),
    HostileCase("decimal-point Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5.0\r\n\r\nhello", .invalidContentLength, 400),
    HostileCase("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength, 400),
    HostileCase("space inside Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", .invalidContentLength, 400),
    HostileCase("Content-Length list of equal values", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", .invalidContentLength, 400),
    HostileCase("duplicate identical Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", .invalidContentLength, 400),
    HostileCase("conflicting Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\nhello!", .invalidContentLength, 400),
    HostileCase("huge Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", .bodyTooLarge, 413),
    HostileCase("Content-Length one above the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", .bodyTooLarge, 413),
    HostileCase("space before colon in Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello", .whitespaceBeforeColon, 400),
    // Transfer-Encoding
    HostileCase("TE chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", .unsupportedTransferEncoding, 501),
    HostileCase("TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding, 501),
    HostileCase("TE mixed case", "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: ChUnKeD\r\n\r\n", .unsupportedTransferEncoding, 501),
    HostileCase("TE empty value", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", .unsupportedTransferEncoding, 501),
    HostileCase("TE then CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello", .contentLengthWithTransferEncoding, 400),
    HostileCase("CL then TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello", .contentLengthWithTransferEncoding, 400),
    HostileCase("HTTP/1.0 with TE", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10, 400),
    HostileCase("space before colon in TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", .whitespaceBeforeColon, 400),
]
