/// An HTTP response to serialize. `Content-Length` and `Date` are added by the serializer.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Close the connection after sending (parse errors, limits, shutdown).
    public var closeConnection: Bool

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A response with a text body and its content type.
    public init(status: HTTPStatus, contentType: String, body: String, headers: HTTPHeaders = HTTPHeaders()) {
        var h = headers
        h.set("Content-Type", contentType)
        self.init(status: status, headers: h, body: Array(body.utf8))
    }
}

/// The one shape every request handler has: a request in, a response out.
public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
