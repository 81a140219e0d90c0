import HTTPServer

/// One log line per request: method, path (no query: it may carry search text), status, milliseconds.
///
/// The outermost middleware, so the line has the status the client got, error pages included.
public enum GatewayRequestLog {
    /// Times the inner handler and records its answer in `log`.
    public static func middleware(_ log: RequestLog) -> Middleware {
        { next in
            { request in
                let start = ContinuousClock.now
                let response = await next(request)
                log.request(method: request.method.rawValue, path: request.path, status: response.status.code, duration: start.duration(to: .now))
                return response
            }
        }
    }
}
