/// Why a response could not be put on the wire.
///
/// Only a handler bug causes it (a header carrying CR/LF would let it inject headers or split
/// the response); the server answers 500 instead and logs the field name, never the value.
public enum HTTPSerializationError: Error, Sendable, Equatable {
    /// A header name that is not a token (RFC 9110 §5.1).
    case invalidHeaderName(String)
    /// A header value with CR, LF, NUL or another control byte, named by its field.
    case invalidHeaderValue(name: String)
    /// A reason phrase with control bytes.
    case invalidReasonPhrase
}

/// Turns a response into the bytes sent on the wire.
///
/// The serializer owns the framing fields (`Content-Length`, `Connection`, `Date`,
/// `Transfer-Encoding`): whatever a handler set for them is replaced, so a handler cannot
/// desynchronise the connection.
public enum HTTPSerializer {
    /// The bytes for `response` as an answer to a request with `requestMethod` and `requestVersion`.
    ///
    /// - Parameters:
    ///   - close: the server closes after this response; sends `Connection: close`.
    ///   - date: the IMF-fixdate for the `Date` field (see ``HTTPDate``).
    /// - Throws: ``HTTPSerializationError`` when a header or reason phrase could inject bytes.
    public static func serialize(_ response: HTTPResponse, requestMethod: HTTPMethod, requestVersion: HTTPVersion = .http11, close: Bool, date: String) throws(HTTPSerializationError) -> [UInt8] {
        let (head, sendsBody) = try serializeHead(response, requestMethod: requestMethod, requestVersion: requestVersion, close: close, date: date)
        return sendsBody ? head + response.body : head
    }

    /// The status line and header fields of `serialize(...)`, and whether the body follows them.
    ///
    /// Why apart: the event loop writes the head and the body with one `sendmsg`, without copying
    /// a page of 30 KB into a second buffer behind its head.
    public static func serializeHead(_ response: HTTPResponse, requestMethod: HTTPMethod, requestVersion: HTTPVersion = .http11, close: Bool,
                                     date: String) throws(HTTPSerializationError) -> (head: [UInt8], sendsBody: Bool) {
        let code = response.status.code
        guard response.status.reason.utf8.allSatisfy({ $0 == .tab || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidReasonPhrase }
        // RFC 9110 §6.4.1: no content for HEAD, 1xx, 204 and 304; §8.6: no Content-Length in 204.
        let bodyless = requestMethod == .head || code == 204 || code == 304 || (100..<200).contains(code)
        let sendsLength = code != 204 && code != 304 && !(100..<200).contains(code)

        var out: [UInt8] = []
        out.reserveCapacity(128 + response.headers.fields.count * 32)
        out += "HTTP/1.1 \(code) \(response.status.reason)\r\n".utf8
        for (name, value) in response.headers {
            if owned.contains(where: { name.caseInsensitiveEquals($0) }) { continue }
            guard !name.isEmpty, name.utf8.allSatisfy(\.isTokenChar) else { throw .invalidHeaderName(name) }
            guard value.utf8.allSatisfy({ $0 == .tab || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeaderValue(name: name) }
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
            out += "\r\n".utf8
        }
        out += "Date: ".utf8
        out += date.utf8
        out += "\r\n".utf8
        if sendsLength {
            out += "Content-Length: \(response.body.count)\r\n".utf8
        }
        if close {
            out += "Connection: close\r\n".utf8
        } else if requestVersion == .http10 {
            // HTTP/1.0 closes by default; say we keep it open (RFC 9112 §9.3).
            out += "Connection: keep-alive\r\n".utf8
        }
        out += "\r\n".utf8
        return (out, !bodyless)
    }

    /// Fields only the serializer writes.
    static let owned = ["Content-Length", "Transfer-Encoding", "Connection", "Date", "Keep-Alive"]

    /// A minimal plain-text response for errors the server answers itself (parse errors, 503, 500).
    ///
    /// The body is only the status line's reason: the client never sees internals.
    public static func errorResponse(_ status: HTTPStatus) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array("\(status.code) \(status.reason)\n".utf8), closeConnection: true)
    }
}
