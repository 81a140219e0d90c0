/// A parsed HTTP/1.1 request.
public struct HTTPRequest: Sendable, Equatable {
    /// The method; tokens this server does not implement never get this far (501 from the parser).
    public var method: HTTPMethod
    /// The request target as sent, e.g. `/tickets?status=open`.
    public var target: String
    /// HTTP version: (1, 1) or (1, 0).
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values captured from the route pattern (`/tickets/:id` → `["id": "42"]`), set by the router.
    public var pathParameters: [String: String]
    /// The address of the connection's peer (dotted IPv4), set by the server; nil when unknown
    /// (a request built in a test, a peer gone before the server asked).
    public var remoteAddress: String?
    /// Set instead of ``body`` for a route that streams (``ServerConfiguration/streamingBody``):
    /// the body went to that route's sink as it arrived, and this carries what the sink made of it.
    public var streamedBody: StreamedBody?

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                pathParameters: [String: String] = [:], remoteAddress: String? = nil) {
        self.remoteAddress = remoteAddress
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
    }

    /// The target's path, without the query, not percent-decoded.
    public var path: String {
        if let q = target.firstIndex(of: "?") { return String(target[..<q]) }
        return target
    }

    /// The raw query string after `?`, if any.
    public var query: String? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: q)...])
    }
}

/// The protocol version of a request or response.
public struct HTTPVersion: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public static let http11 = HTTPVersion(major: 1, minor: 1)
    public static let http10 = HTTPVersion(major: 1, minor: 0)
    public var description: String { "HTTP/\(major).\(minor)" }
}
