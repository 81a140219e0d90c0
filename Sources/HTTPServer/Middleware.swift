/// A step around a ``Handler``: security headers, request logging, a gate in front of everything.
///
/// Why functions: each concern is a few lines that take the next handler and return one that
/// does its part before or after it; composing them is ``chain(_:_:)``, testing one is calling it.
public typealias Middleware = @Sendable (@escaping Handler) -> Handler

/// A step around a router's ``RouteHandler``; what it throws the request's route group renders.
///
/// For checks that answer with the group's own error format (a body too large, a store not yet
/// open): the middleware throws an ``HTTPStatusError`` and stays ignorant of HTML and JSON.
public typealias RouteMiddleware = @Sendable (@escaping RouteHandler) -> RouteHandler

/// `handler` wrapped in `middleware`, the first one outermost.
public func chain(_ middleware: [Middleware], _ handler: @escaping Handler) -> Handler {
    middleware.reversed().reduce(handler) { inner, wrap in wrap(inner) }
}
