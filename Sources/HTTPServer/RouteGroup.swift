/// The routes of one ``Router/group(_:errors:_:)`` call, patterns relative to its prefix.
///
/// Why: the API's routes all live under `/api` and answer errors as problem documents; the group
/// states both once instead of each route repeating the prefix and each handler the rendering.
public struct RouteGroup: RouteRegistering {
    struct Entry {
        var method: HTTPMethod
        var pattern: String
        var handler: RouteHandler
    }

    /// The prefix every pattern is added under, `/api`.
    public let prefix: String
    private(set) var routes: [Entry] = []

    init(prefix: String) {
        self.prefix = prefix
    }

    /// Adds a route at `prefix + pattern`; `pattern` starts with `/`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(Entry(method: method, pattern: prefix + pattern, handler: handler))
    }
}

/// Something routes are added to: a ``Router`` or one of its ``RouteGroup``s.
public protocol RouteRegistering {
    /// Adds a route for `method` at `pattern` (`/tickets/:id`).
    mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler)
}

extension RouteRegistering {
    /// Adds a GET route (which also answers HEAD).
    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) { add(.get, pattern, handler) }
    /// Adds a POST route.
    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) { add(.post, pattern, handler) }
    /// Adds a PUT route.
    public mutating func put(_ pattern: String, _ handler: @escaping RouteHandler) { add(.put, pattern, handler) }
    /// Adds a PATCH route.
    public mutating func patch(_ pattern: String, _ handler: @escaping RouteHandler) { add(.patch, pattern, handler) }
    /// Adds a DELETE route.
    public mutating func delete(_ pattern: String, _ handler: @escaping RouteHandler) { add(.delete, pattern, handler) }
}
