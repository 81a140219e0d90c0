/// A handler that may throw; errors become responses through ``Router``.
public typealias ThrowingHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Maps (method, path pattern) to handlers; itself a ``Handler`` through ``handle(_:)``.
///
/// A value type so the gateway builds it once and tests call it without a socket (Hummingbird's
/// router shape). Patterns are literal segments and `:name` captures. Path segments are
/// percent-decoded before matching; an encoded `/`, a NUL, invalid UTF-8 or a `.`/`..` segment
/// is refused with 400 so no handler ever sees a path that could climb out of its place.
public struct Router: Sendable {
    private struct Route: Sendable {
        var method: String
        var segments: [Segment]
        var handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private var routes: [Route] = []
    private let log: HTTPLogHandler?

    /// Creates an empty router; `log` receives handler errors that became 500.
    public init(log: HTTPLogHandler? = nil) {
        self.log = log
    }

    /// Adds a route. `pattern` starts with `/`; `:name` segments capture into `pathParameters`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /")
        let segments = pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { s -> Segment in
            s.hasPrefix(":") ? .parameter(String(s.dropFirst())) : .literal(String(s))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// Adds a route whose handler throws: an ``HTTPStatusError`` becomes its status, anything
    /// else a logged 500 whose body says nothing about the cause.
    public mutating func add(_ method: String, _ pattern: String, throwing handler: @escaping ThrowingHandler) {
        let log = self.log
        add(method, pattern) { request in
            do {
                return try await handler(request)
            } catch let error as any HTTPStatusError {
                var response = HTTPSerializer.errorResponse(error.status)
                response.closeConnection = false
                return response
            } catch {
                log?(HTTPLogEvent(.error, "handler failed", [("http.method", request.method), ("http.path", request.path), ("error.type", String(describing: type(of: error)))]))
                var response = HTTPSerializer.errorResponse(.internalServerError)
                response.closeConnection = false
                return response
            }
        }
    }

    /// Adds a GET route (which also answers HEAD).
    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }
    /// Adds a POST route.
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add("POST", pattern, handler) }

    /// Routes and runs `request`: the matching handler's response, or 400, 404 or 405 (with Allow).
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        switch resolve(request) {
        case .handler(let handler, let parameters):
            var routed = request
            routed.pathParameters = parameters
            return await handler(routed)
        case .response(let response):
            return response
        }
    }

    /// This router as a server handler.
    public var handler: Handler {
        { request in await self.handle(request) }
    }

    // MARK: - Matching

    private enum Resolution {
        case handler(Handler, [String: String])
        case response(HTTPResponse)
    }

    private func resolve(_ request: HTTPRequest) -> Resolution {
        guard let path = Self.decodedSegments(request.path) else { return .response(Self.plain(.badRequest)) }
        var allowed: Set<String> = []
        var headFallback: (Handler, [String: String])?
        for route in routes {
            guard let parameters = Self.match(route.segments, path) else { continue }
            if route.method == request.method { return .handler(route.handler, parameters) }
            if request.method == "HEAD", route.method == "GET", headFallback == nil { headFallback = (route.handler, parameters) }
            allowed.insert(route.method)
            if route.method == "GET" { allowed.insert("HEAD") }
        }
        // RFC 9110 §9.3.2: HEAD is GET without the content; the serializer drops the body.
        if let (handler, parameters) = headFallback { return .handler(handler, parameters) }
        if allowed.isEmpty { return .response(Self.plain(.notFound)) }
        var response = Self.plain(.methodNotAllowed)
        response.headers.set("Allow", allowed.sorted().joined(separator: ", "))
        return .response(response)
    }

    private static func match(_ pattern: [Segment], _ path: [String]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(pattern, path) {
            switch segment {
            case .literal(let literal): if literal != value { return nil }
            case .parameter(let name):
                if value.isEmpty { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// Percent-decoded path segments, or nil for a path no handler should see.
    static func decodedSegments(_ path: String) -> [String]? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let bytes = percentDecode(raw), let segment = String(validating: bytes, as: UTF8.self) else { return nil }
            if segment == "." || segment == ".." || bytes.contains(UInt8(ascii: "/")) || bytes.contains(0) { return nil }
            segments.append(segment)
        }
        return segments
    }

    private static func percentDecode<C: Collection<UInt8>>(_ raw: C) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i != raw.endIndex {
            let c = raw[i]
            if c == UInt8(ascii: "%") {
                let h = raw.index(after: i)
                guard h != raw.endIndex else { return nil }
                let l = raw.index(after: h)
                guard l != raw.endIndex, let hi = hexValue(raw[h]), let lo = hexValue(raw[l]) else { return nil }
                out.append(hi << 4 | lo)
                i = raw.index(after: l)
            } else {
                out.append(c)
                i = raw.index(after: i)
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    private static func plain(_ status: HTTPStatus) -> HTTPResponse {
        var response = HTTPSerializer.errorResponse(status)
        response.closeConnection = false
        return response
    }
}
