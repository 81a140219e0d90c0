import HTTPServer
import SpoolBroker

/// The gateway's own small route table: `(method, pattern, handler)` entries, matched in order.
///
/// Patterns are literal segments and `:name` captures (`/api/tickets/:id/status`); captures land
/// in `HTTPRequest.pathParameters`, percent-decoded. A path that matches under another method
/// answers 405 with `Allow`, as RFC 9110 §15.5.6 asks.
public struct RouteTable: Sendable {
    struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/", omittingEmptySubsequences: true), handler: handler))
    }

    /// What the table does with a request: a handler with its captures, a 405 with the allowed methods, or nothing (404).
    public enum Match: Sendable {
        case found(Handler, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    /// Finds the route for a method and (raw) path. HEAD falls back to GET.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [String] = []
        var fallback: (Handler, [String: String])?
        for route in routes {
            guard let params = Self.capture(route.segments, parts) else { continue }
            if route.method == method { return .found(route.handler, params) }
            if method == "HEAD", route.method == "GET", fallback == nil { fallback = (route.handler, params) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let fallback { return .found(fallback.0, fallback.1) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }

    private static func capture(_ pattern: [Substring], _ parts: [Substring]) -> [String: String]? {
        guard pattern.count == parts.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(pattern, parts) {
            if p.hasPrefix(":") {
                guard let value = try? FormDecoding.percentDecode(Array(s.utf8), plusAsSpace: false) else { return nil }
                params[String(p.dropFirst())] = value
            } else if p != s {
                return nil
            }
        }
        return params
    }
}
