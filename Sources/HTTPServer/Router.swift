/// A route's handler: it may throw, and the router turns what it throws into a response.
public typealias RouteHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Renders an error as a response; each route group has one (an HTML page, a problem document).
///
/// It receives the error as thrown, so it can show what a known error type says; the router
/// then adds the error's ``HTTPStatusError/headers`` (`Allow`, `Retry-After`).
public typealias ErrorRenderer = @Sendable (HTTPRequest, any HTTPStatusError) -> HTTPResponse

/// Maps (method, path pattern) to handlers, in groups that each render errors their own way.
///
/// A value type so the gateway builds it once and tests call it without a socket (Hummingbird's
/// router shape). Patterns are literal segments and `:name` captures; where several patterns match
/// a path, the most specific (a literal where the others capture, leftmost first) is the only one
/// considered, whatever the order they were added in. Path segments are
/// percent-decoded before matching; an encoded `/`, a NUL, invalid UTF-8 or a `.`/`..` segment
/// (raw or encoded) is refused with 400 so no handler ever sees a path that could climb out of
/// its place. A known path with another method is 405 with `Allow` (RFC 9110 §15.5.6); HEAD is
/// served by the GET route (§9.3.2; the serializer drops the body). A thrown
/// ``HTTPStatusError`` becomes its status; anything else a logged 500 that says nothing more.
public struct Router: Sendable, RouteRegistering {
    private struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var handler: RouteHandler
        /// Which segments are literal, for ranking the patterns that match one path.
        var rank: [Bool] { segments.map { $0.literal != nil } }
    }

    fileprivate enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Group: Sendable {
        var prefix: [String]
        var errors: ErrorRenderer
    }

    private var routes: [Route] = []
    /// The root group (prefix `/`) first; a request's errors go to the longest matching prefix.
    private var groups: [Group]
    private var middleware: [RouteMiddleware] = []
    private let log: HTTPLogHandler?

    /// Creates an empty router.
    ///
    /// - Parameters:
    ///   - log: receives handler errors that became 500.
    ///   - errors: how the root group renders errors; plain text by default.
    public init(log: HTTPLogHandler? = nil, errors: @escaping ErrorRenderer = Router.plainError) {
        self.log = log
        self.groups = [Group(prefix: [], errors: errors)]
    }

    /// Adds a route. `pattern` starts with `/`; `:name` segments capture into `pathParameters`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(Route(method: method, segments: Self.segments(of: pattern), handler: handler))
    }

    /// Adds the routes `build` registers under `prefix` (`/api`), whose errors `errors` renders
    /// (the root group's renderer when nil).
    public mutating func group(_ prefix: String, errors: ErrorRenderer? = nil, _ build: (inout RouteGroup) -> Void) {
        precondition(prefix.hasPrefix("/") && prefix.count > 1 && !prefix.hasSuffix("/"), "group prefix is /name")
        var group = RouteGroup(prefix: prefix)
        build(&group)
        if let errors { groups.append(Group(prefix: Self.segments(of: prefix).compactMap(\.literal), errors: errors)) }
        for route in group.routes { add(route.method, route.pattern, route.handler) }
    }

    /// Every route as (method, pattern), `:name` for captures, in the order they were added.
    ///
    /// Why: the API's routes are checked against its OpenAPI document in a test, so a route
    /// added without documenting it (or documented but gone) fails the build.
    public var routeTable: [(method: HTTPMethod, pattern: String)] {
        routes.map { route in
            (route.method, "/" + route.segments.map { segment in
                switch segment {
                case .literal(let s): s
                case .parameter(let name): ":" + name
                }
            }.joined(separator: "/"))
        }
    }

    /// Wraps every request's routing and handling (404s and 405s included); the first added is outermost.
    ///
    /// What the middleware throws is rendered like a handler's error, by the request's group.
    public mutating func use(_ middleware: @escaping RouteMiddleware) {
        self.middleware.append(middleware)
    }

    /// Routes and runs `request`: the matching handler's response, or the error its group renders.
    ///
    /// Builds the middleware chain on each call; servers take ``handler`` once instead.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await handler(request)
    }

    /// This router, middleware and error rendering included, as a server handler.
    public var handler: Handler {
        let router = self
        let chain = middleware.reversed().reduce({ request in try await router.dispatch(request) } as RouteHandler) { inner, wrap in wrap(inner) }
        return { request in
            do {
                return try await chain(request)
            } catch {
                return router.render(error, for: request)
            }
        }
    }

    /// The plain-text error response: the status line's reason and nothing else.
    public static let plainError: ErrorRenderer = { _, error in
        var response = HTTPSerializer.errorResponse(error.status)
        response.closeConnection = false
        return response
    }

    // MARK: - Matching

    private func dispatch(_ request: HTTPRequest) async throws -> HTTPResponse {
        // CONNECT host:port names no resource here: this server tunnels nothing (an empty Allow, RFC 9110 §10.2.1).
        if request.method == .connect && !request.path.hasPrefix("/") { throw RouteError.methodNotAllowed([]) }
        guard let path = Self.decodedSegments(request.path) else { throw RouteError(.badRequest) }
        // The most specific pattern wins (a literal segment before a capture, leftmost first), for the
        // handler and for the 405's Allow alike: `/api/tickets/unassigned` is not `/api/tickets/:id`.
        var matched: [(route: Route, parameters: [String: String])] = []
        var best: [Bool] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, path) else { continue }
            let rank = route.rank
            if matched.isEmpty || Self.outranks(rank, best) {
                matched = []
                best = rank
            }
            if rank == best { matched.append((route, parameters)) }
        }
        var allowed: Set<HTTPMethod> = []
        var headFallback: (RouteHandler, [String: String])?
        for (route, parameters) in matched {
            if route.method == request.method { return try await Self.run(route.handler, request, parameters) }
            if request.method == .head, route.method == .get, headFallback == nil { headFallback = (route.handler, parameters) }
            allowed.insert(route.method)
            if route.method == .get { allowed.insert(.head) }
        }
        if let (handler, parameters) = headFallback { return try await Self.run(handler, request, parameters) }
        if allowed.isEmpty { throw RouteError(.notFound) }
        throw RouteError.methodNotAllowed(allowed)
    }

    private static func run(_ handler: RouteHandler, _ request: HTTPRequest, _ parameters: [String: String]) async throws -> HTTPResponse {
        var routed = request
        routed.pathParameters = parameters
        return try await handler(routed)
    }

    /// Whether a pattern of these segment kinds (true: literal) is more specific than `other`: at the
    /// first segment where they differ, it has the literal.
    private static func outranks(_ rank: [Bool], _ other: [Bool]) -> Bool {
        for (a, b) in zip(rank, other) where a != b { return a }
        return false
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

    private static func segments(of pattern: String) -> [Segment] {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /")
        return pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { s -> Segment in
            s.hasPrefix(":") ? .parameter(String(s.dropFirst())) : .literal(String(s))
        }
    }

    // MARK: - Errors

    private func render(_ error: any Error, for request: HTTPRequest) -> HTTPResponse {
        let statusError: any HTTPStatusError
        if let known = error as? any HTTPStatusError {
            statusError = known
        } else {
            log?(HTTPLogEvent(.error, "handler failed", [
                ("http.method", request.method.rawValue), ("http.path", String(request.path.prefix(200))),
                ("error.type", String(describing: type(of: error))),
            ]))
            statusError = RouteError(.internalServerError)
        }
        var response = group(for: request).errors(request, statusError)
        for (name, value) in statusError.headers { response.headers.set(name, value) }
        return response
    }

    /// The group with the longest prefix of the request's path (raw segments when they do not decode).
    private func group(for request: HTTPRequest) -> Group {
        let path = Self.decodedSegments(request.path)
            ?? request.path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var best = groups[0]
        for group in groups.dropFirst() where group.prefix.count > best.prefix.count && path.starts(with: group.prefix) {
            best = group
        }
        return best
    }

    // MARK: - Path decoding

    /// Percent-decoded path segments, or nil for a path no handler should see.
    static func decodedSegments(_ path: String) -> [String]? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let segment: String
            if !raw.contains(UInt8(ascii: "%")) {
                // The common case: nothing to decode (the parser has refused controls and spaces).
                segment = String(decoding: raw, as: UTF8.self)
            } else {
                guard let bytes = percentDecode(raw), !bytes.contains(UInt8(ascii: "/")), !bytes.contains(0),
                      let decoded = String(validating: bytes, as: UTF8.self) else { return nil }
                segment = decoded
            }
            if segment == "." || segment == ".." { return nil }
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
}

extension Router.Segment {
    fileprivate var literal: String? {
        if case .literal(let s) = self { return s }
        return nil
    }
}
