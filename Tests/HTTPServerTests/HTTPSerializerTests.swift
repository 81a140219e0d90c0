import Testing
@testable import HTTPServer

private let date = "Sun, 06 Nov 1994 08:49:37 GMT"

private func text(_ response: HTTPResponse, method: HTTPMethod = .get, version: HTTPVersion = .http11, close: Bool = false) throws -> String {
    String(decoding: try HTTPSerializer.serialize(response, requestMethod: method, requestVersion: version, close: close, date: date), as: UTF8.self)
}

@Suite("HTTPSerializer")
struct HTTPSerializerTests {
    @Test func ok_WritesStatusHeadersDateLengthAndBody() throws {
        let response = HTTPResponse(status: .ok, contentType: "text/plain", body: "hello")
        #expect(try text(response) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: \(date)\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test func close_AddsConnectionClose() throws {
        #expect(try text(HTTPResponse(status: .badRequest), close: true) == "HTTP/1.1 400 Bad Request\r\nDate: \(date)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func http10KeepAlive_SaysKeepAlive() throws {
        #expect(try text(HTTPResponse(status: .ok), version: .http10).contains("Connection: keep-alive\r\n"))
    }

    @Test func head_KeepsLengthButDropsBody() throws {
        let response = HTTPResponse(status: .ok, contentType: "text/plain", body: "hello")
        let out = try text(response, method: .head)
        #expect(out.hasSuffix("Content-Length: 5\r\n\r\n"))
    }

    @Test func noContent_HasNeitherLengthNorBody() throws {
        #expect(try text(HTTPResponse(status: .noContent, body: Array("x".utf8))) == "HTTP/1.1 204 No Content\r\nDate: \(date)\r\n\r\n")
    }

    @Test func notModified_HasNoBody() throws {
        #expect(try text(HTTPResponse(status: .notModified, body: Array("x".utf8))) == "HTTP/1.1 304 Not Modified\r\nDate: \(date)\r\n\r\n")
    }

    @Test func framingFieldsFromHandler_AreReplaced() throws {
        var headers = HTTPHeaders()
        headers.add("Content-Length", "999")
        headers.add("Transfer-Encoding", "chunked")
        headers.add("connection", "keep-alive")
        headers.add("Set-Cookie", "a=1")
        headers.add("Set-Cookie", "b=2")
        let out = try text(HTTPResponse(status: .ok, headers: headers, body: Array("hi".utf8)))
        #expect(out == "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nDate: \(date)\r\nContent-Length: 2\r\n\r\nhi")
    }

    @Test(arguments: ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\0b", "a\u{7F}"])
    func injectedValue_IsRefused(_ value: String) {
        var headers = HTTPHeaders()
        headers.add("Location", value)
        #expect(throws: HTTPSerializationError.invalidHeaderValue(name: "Location")) {
            try text(HTTPResponse(status: .seeOther, headers: headers))
        }
    }

    @Test(arguments: ["", "X Y", "X:Y", "X\r\nY"])
    func invalidName_IsRefused(_ name: String) {
        var headers = HTTPHeaders()
        headers.add(name, "v")
        #expect(throws: HTTPSerializationError.invalidHeaderName(name)) { try text(HTTPResponse(status: .ok, headers: headers)) }
    }

    @Test func injectedReason_IsRefused() {
        #expect(throws: HTTPSerializationError.invalidReasonPhrase) { try text(HTTPResponse(status: HTTPStatus(200, "OK\r\nX: y"))) }
    }

    @Test func obsTextValue_IsAllowed() throws {
        var headers = HTTPHeaders()
        headers.add("Content-Disposition", "inline; filename=\"café.txt\"")
        #expect(try text(HTTPResponse(status: .ok, headers: headers)).contains("café.txt"))
    }

    @Test func errorResponse_ShowsOnlyTheStatus() {
        let r = HTTPSerializer.errorResponse(.internalServerError)
        #expect(r.body == Array("500 Internal Server Error\n".utf8))
        #expect(r.closeConnection)
    }

    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_735_689_599, "Tue, 31 Dec 2024 23:59:59 GMT"),
    ])
    func httpDate_FormatsIMFFixdate(_ seconds: Int, _ expected: String) {
        #expect(HTTPDate.format(epochSeconds: seconds) == expected)
    }
}
