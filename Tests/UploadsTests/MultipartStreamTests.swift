import TestSupport
import Testing
import Uploads

@Suite("MultipartStreamParser: streaming", .onDedicatedThreads)
struct MultipartStreamTests {
    /// A form with a title and one file of `size` bytes of a repeating pattern.
    static func upload(fileSize size: Int) -> [UInt8] {
        let pattern: [UInt8] = Array((0...255).map(UInt8.init)) + [0x0D, 0x0A, 0x2D, 0x2D, 0x58]
        var body = crlf("--XyZ\nContent-Disposition: form-data; name=\"title\"\n\nBroken lift\n--XyZ\nContent-Disposition: form-data; name=\"photo\"; filename=\"big.jpg\"\n\n")
        body.reserveCapacity(size + 300)
        var left = size
        while left > 0 { body += pattern.prefix(left); left -= min(left, pattern.count) }
        return body + crlf("\n--XyZ--\n")
    }

    @Test("a 5 MB upload fed in 64 KiB chunks streams: bounded buffer, bytes arrive in order")
    func fiveMegabytes_StreamWithBoundedBuffer() throws {
        let size = 5 * 1024 * 1024
        let body = Self.upload(fileSize: size)
        var parser = try MultipartStreamParser(contentType: formType)
        var fileBytes = 0, maxBuffered = 0, maxEvent = 0
        var heads: [MultipartPartHead] = []
        var checksum: UInt64 = 0
        var start = 0
        while start < body.count {
            let end = min(start + 64 * 1024, body.count)
            for event in try parser.feed(body[start..<end]) {
                switch event {
                case .partBegin(let head): heads.append(head)
                case .bodyBytes(let b) where heads.count == 2:
                    for byte in b { checksum = checksum &* 31 &+ UInt64(byte) }
                    fileBytes += b.count
                    maxEvent = max(maxEvent, b.count)
                case .bodyBytes, .partEnd: break
                }
            }
            maxBuffered = max(maxBuffered, parser.bufferedBytes)
            start = end
        }
        try parser.finish()
        #expect(heads.map(\.name) == ["title", "photo"])
        #expect(fileBytes == size)
        let whole = try MultipartParser.parse(body, contentType: formType)
        #expect(checksum == whole[1].body.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
        // Between chunks the parser holds at most an undecided delimiter line, never the body.
        #expect(maxBuffered <= 2 + 2 + 3 + MultipartStreamParser.maxPadding + 2)
        #expect(maxEvent <= 64 * 1024 + 16)
    }

    @Test("a file over the limit is refused at the chunk that crosses it, long before the end")
    func fileOverLimit_RefusedBeforeTheEnd() throws {
        let limits = MultipartLimits(maxFileBytes: 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024)
        let body = Self.upload(fileSize: 8 * 1024 * 1024)
        var parser = try MultipartStreamParser(contentType: formType, limits: limits)
        var fed = 0
        var refusal: MultipartError?
        while fed < body.count {
            let end = min(fed + 64 * 1024, body.count)
            do { _ = try parser.feed(body[fed..<end]) } catch { refusal = error; fed = end; break }
            fed = end
        }
        #expect(refusal == .fileTooLarge(name: "big.jpg", limit: 1024 * 1024))
        #expect(fed <= 1024 * 1024 + 2 * 64 * 1024)
        // After an error the parser stays failed.
        #expect(throws: MultipartError.fileTooLarge(name: "big.jpg", limit: 1024 * 1024)) { try parser.feed([0x41]) }
        #expect(throws: MultipartError.fileTooLarge(name: "big.jpg", limit: 1024 * 1024)) { try parser.finish() }
    }

    @Test("the total limit stops a body of many small parts")
    func totalOverLimit_RefusedAtTheLimit() throws {
        let limits = MultipartLimits(maxParts: 10_000, maxTotalBytes: 4096)
        let part = crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"\n\n0123456789\n")
        var parser = try MultipartStreamParser(contentType: formType, limits: limits)
        var fed = 0
        #expect(throws: MultipartError.bodyTooLarge(limit: 4096)) {
            while true { _ = try parser.feed(part); fed += part.count }
        }
        #expect(fed <= 4096)
    }

    @Test("a header line without end is refused at the header limit, not buffered on")
    func endlessHeader_RefusedAtTheLimit() throws {
        var parser = try MultipartStreamParser(contentType: formType)
        _ = try parser.feed(crlf("--XyZ\nX-Long: "))
        #expect(throws: MultipartError.headerTooLarge(limit: 8192)) {
            for _ in 0..<100 { _ = try parser.feed([UInt8](repeating: 0x61, count: 1000)) }
        }
        #expect(parser.bufferedBytes <= 8192 + 1000)
    }

    @Test func events_ComeInOrder_BeginBodyEnd() throws {
        var parser = try MultipartStreamParser(contentType: formType)
        let events = try parser.feed(crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ\nContent-Disposition: form-data; name=\"b\"\n\n\n--XyZ--"))
        #expect(events == [
            .partBegin(MultipartPartHead(name: "a")), .bodyBytes([0x78]), .partEnd,
            .partBegin(MultipartPartHead(name: "b")), .partEnd,
        ])
        #expect(parser.isComplete)
        try parser.finish()
    }
}

@Suite("MultipartWriter")
struct MultipartWriterTests {
    @Test(arguments: goodCases)
    func parsedParts_WriteBackToTheSameParts(_ c: MultipartCase) throws {
        guard case .parts(let parts) = c.expected else { return }
        let boundary = try MultipartBoundary(contentType: c.contentType)
        let written = MultipartWriter.body(parts, boundary: boundary)
        #expect(try MultipartParser.parse(written, boundary: boundary) == parts)
    }

    @Test func quotesAndLineBreaksInNames_AreWrittenAsBrowsersDo() throws {
        let boundary = try MultipartBoundary(Array("b".utf8))
        let body = MultipartWriter.body([MultipartPart(head: MultipartPartHead(name: "a\"b\r\nc"), body: [])], boundary: boundary)
        #expect(String(decoding: body, as: UTF8.self) == "--b\r\nContent-Disposition: form-data; name=\"a%22b%0D%0Ac\"\r\n\r\n\r\n--b--\r\n")
    }
}
