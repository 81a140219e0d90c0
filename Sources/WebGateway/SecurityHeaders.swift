import HTTPServer

/// The headers every gateway response carries, error pages and 503s included.
///
/// Why a middleware: the router renders errors after the handlers, and the starting-up gate
/// answers before them; one wrapper outside both is the only place that sees every response.
public enum SecurityHeaders {
    /// The Content-Security-Policy of every response: scripts and styles from our origin only
    /// (no inline script), and fetches to our origin only.
    ///
    /// Why `connect-src 'self'`: the dashboard's script fetches the dashboard again to update
    /// its panels in place (announced politely), which a full reload cannot do.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Adds CSP, `nosniff`, `same-origin` referrers and `DENY` framing to the inner handler's response.
    public static let middleware: Middleware = { next in
        { request in
            var response = await next(request)
            // A response with a policy of its own keeps it (the posters' SVG: stricter, a sandbox).
            if response.headers["Content-Security-Policy"] == nil { response.headers.set("Content-Security-Policy", contentSecurityPolicy) }
            response.headers.set("X-Content-Type-Options", "nosniff")
            response.headers.set("Referrer-Policy", "same-origin")
            response.headers.set("X-Frame-Options", "DENY")
            return response
        }
    }
}
