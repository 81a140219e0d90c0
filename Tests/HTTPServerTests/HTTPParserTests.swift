import Testing
@testable import HTTPServer

private func parse(_ text: String, limits: HTTPParserLimits = .standard) throws -> HTTPParseResult {
    var parser = HTTPParser(limits: limits)
    return try parser.parse(Array(text.utf8))
}

private func request(_ text: String) throws -> (HTTPRequest, Int) {
    guard case .request(let r, let consumed) = try parse(text) else {
        Issue.record("expected a complete request")
        throw CancellationError()
    }
    return (r, consumed)
}

@Suite("HTTPParser: good requests")
struct HTTPParserGoodTests {
    @Test func get_ParsesMethodTargetVersionAndHeaders() throws {
        let text = "GET /tickets?status=open HTTP/1.1\r\nHost: desk.example\r\nAccept: text/html\r\n\r\n"
        let (r, consumed) = try request(text)
        #expect(r.method == .get)
        #expect(r.target == "/tickets?status=open")
        #expect(r.path == "/tickets")
        #expect(r.query == "status=open")
        #expect(r.version == .http11)
        #expect(r.headers.fields.map(\.name) == ["Host", "Accept"])
        #expect(r.headers["accept"] == "text/html")
        #expect(r.body.isEmpty)
        #expect(consumed == text.utf8.count)
    }

    @Test func post_ReadsExactlyContentLengthBytes() throws {
        let text = "POST /tickets HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\ntitle=Leaks"
        let (r, consumed) = try request(text + "GET")
        #expect(r.body == Array("title=Leaks".utf8))
        #expect(consumed == text.utf8.count)
    }

    @Test func pipelinedPair_ParsesOneAfterTheOther() throws {
        let first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
        let second = "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
        var bytes = Array((first + second).utf8)
        var parser = HTTPParser()
        guard case .request(let r1, let c1) = try parser.parse(bytes) else { Issue.record("first"); return }
        #expect(r1.target == "/a")
        #expect(c1 == first.utf8.count)
        bytes.removeFirst(c1)
        guard case .request(let r2, let c2) = try parser.parse(bytes) else { Issue.record("second"); return }
        #expect(r2.method == .post)
        #expect(r2.body == Array("hi".utf8))
        #expect(c2 == bytes.count)
    }

    @Test func byteByByte_NeedsMoreDataUntilTheLastByte() throws {
        let text = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        let all = Array(text.utf8)
        var parser = HTTPParser()
        var fed: [UInt8] = []
        for (i, byte) in all.enumerated() {
            fed.append(byte)
            let result = try parser.parse(fed)
            if i < all.count - 1 {
                #expect(result == .needMoreData, "byte \(i)")
            } else {
                guard case .request(let r, let consumed) = result else { Issue.record("no request"); return }
                #expect(r.body == Array("abc".utf8))
                #expect(consumed == all.count)
            }
        }
    }

    @Test func bodyPending_ReportsReadingBody() throws {
        var parser = HTTPParser()
        let head = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab".utf8)
        #expect(try parser.parse(head) == .needMoreData)
        #expect(parser.isReadingBody)
        guard case .request(let r, _) = try parser.parse(head + Array("cd".utf8)) else { Issue.record("no request"); return }
        #expect(r.body == Array("abcd".utf8))
        #expect(!parser.isReadingBody)
        #expect(!parser.hasPartialRequest)
    }

    @Test func http10_WithoutHost_IsAccepted() throws {
        let (r, _) = try request("GET / HTTP/1.0\r\n\r\n")
        #expect(r.version == .http10)
    }

    @Test func higherMinorVersion_IsReadAsHTTP11() throws {
        let (r, _) = try request("GET / HTTP/1.2\r\nHost: a\r\n\r\n")
        #expect(r.version == .http11)
    }

    @Test func absoluteForm_IsRewrittenToOriginForm() throws {
        #expect(try request("GET http://desk.example:8080/a?b=1 HTTP/1.1\r\nHost: desk.example:8080\r\n\r\n").0.target == "/a?b=1")
        #expect(try request("GET HTTP://desk.example HTTP/1.1\r\nHost: desk.example\r\n\r\n").0.target == "/")
        #expect(try request("GET https://h?q HTTP/1.1\r\nHost: h\r\n\r\n").0.target == "/?q")
    }

    @Test func asteriskForm_IsAcceptedForOptions() throws {
        #expect(try request("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").0.target == "*")
    }

    @Test func leadingEmptyLines_AreIgnored() throws {
        let text = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let (r, consumed) = try request(text)
        #expect(r.target == "/")
        #expect(consumed == text.utf8.count)
    }

    @Test func fieldValues_AreTrimmedAndDuplicatesKept() throws {
        let (r, _) = try request("GET / HTTP/1.1\r\nHost: a\r\nCookie: \t a=1 \t\r\ncookie: b=2\r\nX-Empty:\r\n\r\n")
        #expect(r.headers.values("Cookie") == ["a=1", "b=2"])
        #expect(r.headers["X-Empty"] == "")
    }

    @Test func obsText_IsKeptAsLatin1AndUTF8AsUTF8() throws {
        var bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-L: caf".utf8) + [0xE9]
        bytes += Array("\r\nX-U: café\r\n\r\n".utf8)
        var parser = HTTPParser()
        guard case .request(let r, _) = try parser.parse(bytes) else { Issue.record("no request"); return }
        #expect(r.headers["X-L"] == "café")
        #expect(r.headers["X-U"] == "café")
    }

    @Test func emptyHostOnHTTP11_IsAccepted() throws {
        #expect(try request("GET / HTTP/1.1\r\nHost:\r\n\r\n").0.headers["Host"] == "")
    }

    @Test func leadingZeroContentLength_IsDecimal() throws {
        #expect(try request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc").0.body == Array("abc".utf8))
    }

    @Test func bodyAtTheLimit_IsAccepted() throws {
        let limits = HTTPParserLimits(maxBodyBytes: 5)
        guard case .request(let r, _) = try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits) else {
            Issue.record("no request"); return
        }
        #expect(r.body.count == 5)
        #expect(throws: HTTPParseError.bodyTooLarge) {
            try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nhello!", limits: limits)
        }
    }

    @Test func partialRequestLine_NeedsMoreData() throws {
        #expect(try parse("GET /tick") == .needMoreData)
        #expect(try parse("\r") == .needMoreData)
        #expect(try parse("") == .needMoreData)
    }
}

@Suite("HTTPParser: hostile requests")
struct HTTPParserHostileTests {
    @Test func table_HasAtLeastSixtyCases() {
        #expect(hostileCases.count >= 60)
        #expect(Set(hostileCases.map(\.name)).count == hostileCases.count)
    }

    @Test(arguments: hostileCases)
    func hostile_IsRefusedWithExactError(_ c: HostileCase) {
        var parser = HTTPParser()
        #expect(throws: c.error) { try parser.parse(c.bytes) }
        #expect(c.error.status.code == c.status)
    }

    @Test(arguments: hostileCases)
    func hostile_FedByteByByte_FailsTheSameWay(_ c: HostileCase) {
        // Feeding in small pieces must reach the same verdict (the incremental state is right).
        var parser = HTTPParser()
        var fed: [UInt8] = []
        var outcome: HTTPParseError?
        let step = max(1, c.bytes.count / 200)
        var i = 0
        while i < c.bytes.count && outcome == nil {
            fed += c.bytes[i..<min(i + step, c.bytes.count)]
            i += step
            do { _ = try parser.parse(fed) } catch { outcome = error }
        }
        #expect(outcome == c.error)
    }
}
