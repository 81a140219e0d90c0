import Testing
import Uploads

/// The Content-Type every case uses unless it says otherwise.
let formType = "multipart/form-data; boundary=XyZ"

/// Text with `\n` written as CRLF: the framing of a well-formed body.
func crlf(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

/// One multipart body and what parsing it must give: parts or one exact error.
struct MultipartCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable, Equatable {
        case parts([MultipartPart])
        case error(MultipartError)
    }

    var name: String
    var contentType: String
    var body: [UInt8]
    var limits: MultipartLimits
    var expected: Expected
    var testDescription: String { name }

    init(_ name: String, _ body: [UInt8], contentType: String = formType, limits: MultipartLimits = .standard, _ expected: Expected) {
        self.name = name
        self.contentType = contentType
        self.body = body
        self.limits = limits
        self.expected = expected
    }
}

func field(_ name: String, _ value: String) -> MultipartPart {
    MultipartPart(head: MultipartPartHead(name: name), body: Array(value.utf8))
}

func file(_ name: String, _ filename: String, _ type: String?, _ body: [UInt8]) -> MultipartPart {
    MultipartPart(head: MultipartPartHead(name: name, filename: filename, declaredType: type), body: body)
}

let binary: [UInt8] = [0x00, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF, 0x0D, 0x0D, 0x0A, 0x0A, 0x2D]
let tight = MultipartLimits(maxParts: 3, maxHeaderBytes: 200, maxFieldBytes: 10, maxFileBytes: 20, maxTotalBytes: 400)
let disposition = "Content-Disposition: form-data; name=\"f\""

/// Well-formed bodies: what a browser, curl or a careful client sends, and legal oddities.
let goodCases: [MultipartCase] = [
    MultipartCase("a field and a file", crlf("--XyZ\nContent-Disposition: form-data; name=\"title\"\n\nLift broken\n--XyZ\nContent-Disposition: form-data; name=\"photo\"; filename=\"lift.jpg\"\nContent-Type: image/jpeg\n\nJPEGDATA\n--XyZ--\n"),
                  .parts([field("title", "Lift broken"), file("photo", "lift.jpg", "image/jpeg", Array("JPEGDATA".utf8))])),
    MultipartCase("preamble and epilogue are dropped", crlf("This is the preamble.\n--XyZ\n\(disposition)\n\nv\n--XyZ--\nThis is the epilogue.\n--XyZ\nnot a part\n"),
                  .parts([field("f", "v")])),
    MultipartCase("quoted boundary with a space and specials", crlf("--a b:c?\n\(disposition)\n\nv\n--a b:c?--"), contentType: "multipart/form-data; boundary=\"a b:c?\"",
                  .parts([field("f", "v")])),
    MultipartCase("media type and parameter names in any case", crlf("--XyZ\n\(disposition)\n\nv\n--XyZ--"), contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=XyZ",
                  .parts([field("f", "v")])),
    MultipartCase("empty field and a file input with no file chosen", crlf("--XyZ\n\(disposition)\n\n\n--XyZ\nContent-Disposition: form-data; name=\"photo\"; filename=\"\"\nContent-Type: application/octet-stream\n\n\n--XyZ--"),
                  .parts([field("f", ""), file("photo", "", "application/octet-stream", [])])),
    MultipartCase("duplicate names are kept in order", crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"; filename=\"1.txt\"\n\none\n--XyZ\nContent-Disposition: form-data; name=\"a\"; filename=\"2.txt\"\n\ntwo\n--XyZ--"),
                  .parts([file("a", "1.txt", nil, Array("one".utf8)), file("a", "2.txt", nil, Array("two".utf8))])),
    MultipartCase("the boundary as a prefix of a longer line is data", crlf("--XyZ\n\(disposition)\n\nbefore\n--XyZW after\n--XyZ-not-close\n--XyZ--"),
                  .parts([field("f", "before\r\n--XyZW after\r\n--XyZ-not-close")])),
    MultipartCase("dashes and boundary not at a line start are data", crlf("--XyZ\n\(disposition)\n\na--XyZ\nb\r--XyZ\n--XyZ--"),
                  .parts([field("f", "a--XyZ\r\nb\r--XyZ")])),
    MultipartCase("transport padding after the delimiters", Array("--XyZ  \t\r\n\(disposition)\r\n\r\nv\r\n--XyZ \r\n\(disposition)\r\n\r\nw\r\n--XyZ--".utf8),
                  .parts([field("f", "v"), field("f", "w")])),
    MultipartCase("a Windows path in filename keeps the base name", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\Users\\me\\photo.JPG\"\n\nx\n--XyZ--"),
                  .parts([file("f", "photo.JPG", nil, [UInt8(ascii: "x")])])),
    MultipartCase("a traversal path in filename keeps the base name", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"../../etc/passwd\"\n\nx\n--XyZ--"),
                  .parts([file("f", "passwd", nil, [UInt8(ascii: "x")])])),
    MultipartCase("a filename that is only dots becomes 'file'", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"..\"\n\nx\n--XyZ--"),
                  .parts([file("f", "file", nil, [UInt8(ascii: "x")])])),
    MultipartCase("UTF-8 filename and unquoted parameters", crlf("--XyZ\nContent-Disposition: form-data; name=f; filename=\"Größe €.png\"\n\nx\n--XyZ--"),
                  .parts([file("f", "Größe €.png", nil, [UInt8(ascii: "x")])])),
    MultipartCase("a bidi override in filename is removed", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"photo\u{202E}gnp.exe\"\n\nx\n--XyZ--"),
                  .parts([file("f", "photognp.exe", nil, [UInt8(ascii: "x")])])),
    MultipartCase("binary file body with CR, LF, NUL and dashes is kept exactly", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\nContent-Type: Application/Octet-Stream; x=y\n\n") + binary + crlf("\n--XyZ--"),
                  .parts([file("f", "b.bin", "application/octet-stream", binary)])),
    MultipartCase("unknown headers are ignored, 8bit encoding allowed", crlf("--XyZ\nX-Extra: 1\n\(disposition)\nContent-Transfer-Encoding: 8bit\n\nv\n--XyZ--"),
                  .parts([field("f", "v")])),
    MultipartCase("close delimiter at the very end without CRLF", crlf("--XyZ\n\(disposition)\n\nv\n") + Array("--XyZ--".utf8),
                  .parts([field("f", "v")])),
    MultipartCase("limits are inclusive: exactly maxParts, maxField and maxFile", crlf("--XyZ\n\(disposition)\n\n0123456789\n--XyZ\nContent-Disposition: form-data; name=\"g\"; filename=\"a\"\n\n01234567890123456789\n--XyZ\n\(disposition)\n\n\n--XyZ--"), limits: tight,
                  .parts([field("f", "0123456789"), file("g", "a", nil, Array("01234567890123456789".utf8)), field("f", "")])),
]

/// Hostile and broken bodies, each with the one error it must produce.
let hostileCases: [MultipartCase] = [
    MultipartCase("missing boundary parameter", crlf("--XyZ\n\(disposition)\n\nv\n--XyZ--"), contentType: "multipart/form-data", .error(.missingBoundary)),
    MultipartCase("not form-data", crlf("{}"), contentType: "application/json", .error(.notFormData("application/json"))),
    MultipartCase("multipart/mixed at the top", crlf("--XyZ--"), contentType: "multipart/mixed; boundary=XyZ", .error(.notFormData("multipart/mixed"))),
    MultipartCase("boundary of 71 characters", [], contentType: "multipart/form-data; boundary=" + String(repeating: "b", count: 71), .error(.invalidBoundary)),
    MultipartCase("empty quoted boundary", [], contentType: "multipart/form-data; boundary=\"\"", .error(.invalidBoundary)),
    MultipartCase("boundary ending in a space", [], contentType: "multipart/form-data; boundary=\"ab \"", .error(.invalidBoundary)),
    MultipartCase("boundary with a character outside bchars", [], contentType: "multipart/form-data; boundary=\"a@b\"", .error(.invalidBoundary)),
    MultipartCase("boundary given twice", [], contentType: "multipart/form-data; boundary=a; boundary=b", .error(.malformedContentType)),
    MultipartCase("the body does not contain the boundary", crlf("--Other\n\(disposition)\n\nv\n--Other--"), .error(.boundaryNotFound)),
    MultipartCase("empty body", [], .error(.boundaryNotFound)),
    MultipartCase("only the close delimiter: no parts", crlf("--XyZ--\n"), .error(.noParts)),
    MultipartCase("LF line endings", Array("--XyZ\n\(disposition)\n\nv\n--XyZ--\n".utf8), .error(.bareLineFeed)),
    MultipartCase("LF ending one header line", Array("--XyZ\r\n\(disposition)\n\r\nv\r\n--XyZ--".utf8), .error(.bareLineFeed)),
    MultipartCase("truncated inside a part's body", crlf("--XyZ\n\(disposition)\n\nhalf a val"), .error(.truncated)),
    MultipartCase("truncated inside the headers", crlf("--XyZ\nContent-Disposition: form-da"), .error(.truncated)),
    MultipartCase("ends after a part without the close delimiter", crlf("--XyZ\n\(disposition)\n\nv\n--XyZ\n"), .error(.truncated)),
    MultipartCase("ends with a half close delimiter", crlf("--XyZ\n\(disposition)\n\nv\n--XyZ-"), .error(.truncated)),
    MultipartCase("huge header", crlf("--XyZ\n\(disposition)\nX-Big: " + String(repeating: "h", count: 9000) + "\n\nv\n--XyZ--"), .error(.headerTooLarge(limit: 8192))),
    MultipartCase("many header lines over the limit", crlf("--XyZ\n" + String(repeating: "X-A: 1234567890\n", count: 20) + "\(disposition)\n\nv\n--XyZ--"), limits: tight, .error(.headerTooLarge(limit: 200))),
    MultipartCase("header without a colon", crlf("--XyZ\nContent-Disposition form-data; name=\"f\"\n\nv\n--XyZ--"), .error(.malformedHeader)),
    MultipartCase("folded header line", crlf("--XyZ\nContent-Disposition: form-data;\n name=\"f\"\n\nv\n--XyZ--"), .error(.malformedHeader)),
    MultipartCase("space before the colon", crlf("--XyZ\nContent-Disposition : form-data; name=\"f\"\n\nv\n--XyZ--"), .error(.malformedHeader)),
    MultipartCase("missing Content-Disposition", crlf("--XyZ\nContent-Type: text/plain\n\nv\n--XyZ--"), .error(.missingContentDisposition)),
    MultipartCase("a part with no headers at all", crlf("--XyZ\n\nv\n--XyZ--"), .error(.missingContentDisposition)),
    MultipartCase("Content-Disposition attachment", crlf("--XyZ\nContent-Disposition: attachment; filename=\"a\"\n\nv\n--XyZ--"), .error(.malformedContentDisposition)),
    MultipartCase("Content-Disposition without a name", crlf("--XyZ\nContent-Disposition: form-data; filename=\"a.txt\"\n\nv\n--XyZ--"), .error(.malformedContentDisposition)),
    MultipartCase("unterminated quoted filename", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\n\nv\n--XyZ--"), .error(.malformedContentDisposition)),
    MultipartCase("parameter given twice", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"; filename=\"b\"\n\nv\n--XyZ--"), .error(.malformedContentDisposition)),
    MultipartCase("Content-Disposition twice", crlf("--XyZ\n\(disposition)\n\(disposition)\n\nv\n--XyZ--"), .error(.duplicateHeader("Content-Disposition"))),
    MultipartCase("filename* (RFC 5987) is refused", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a.txt\n\nv\n--XyZ--"), .error(.encodedFilename)),
    MultipartCase("NUL inside the filename", Array("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\0.php\"\r\n\r\nv\r\n--XyZ--".utf8), .error(.invalidHeaderValue)),
    MultipartCase("bare CR inside a header", Array("--XyZ\r\nContent-Disposition: form-data; name=\"f\r\"\r\n\r\nv\r\n--XyZ--".utf8), .error(.invalidHeaderValue)),
    MultipartCase("nested multipart/mixed part", crlf("--XyZ\n\(disposition)\nContent-Type: multipart/mixed; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nx\n--inner--\n--XyZ--"), .error(.nestedMultipart)),
    MultipartCase("base64 transfer encoding", crlf("--XyZ\n\(disposition)\nContent-Transfer-Encoding: base64\n\ndg==\n--XyZ--"), .error(.unsupportedTransferEncoding("base64"))),
    MultipartCase("part count over the limit", crlf(String(repeating: "--XyZ\n\(disposition)\n\nv\n", count: 4) + "--XyZ--"), limits: tight, .error(.tooManyParts(limit: 3))),
    MultipartCase("field over the limit", crlf("--XyZ\n\(disposition)\n\n01234567890\n--XyZ--"), limits: tight, .error(.fieldTooLarge(name: "f", limit: 10))),
    MultipartCase("file over the limit", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"big.png\"\n\n012345678901234567890\n--XyZ--"), limits: tight, .error(.fileTooLarge(name: "big.png", limit: 20))),
    MultipartCase("whole body over the limit (in the epilogue)", crlf("--XyZ\n\(disposition)\n\nv\n--XyZ--\n" + String(repeating: "e", count: 400)), limits: tight, .error(.bodyTooLarge(limit: 400))),
    MultipartCase("the boundary inside the data ends the part; the rest is no part", crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\n\nfirst half\n--XyZ\nsecond half\n--XyZ--"), .error(.malformedHeader)),
    MultipartCase("LF after a delimiter inside the data", Array("--XyZ\r\n\(disposition)\r\n\r\nv\r\n--XyZ\nContent-Disposition: form-data; name=\"g\"\r\n\r\nw\r\n--XyZ--".utf8), .error(.bareLineFeed)),
]
