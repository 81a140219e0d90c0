import Domain
import Logging
import SpoolBroker
import TicketStore
import ServiceLifecycle
import Foundation
import HTTPServer

/// Deadlines and display settings of the gateway.
public struct GatewaySettings: Sendable {
    /// How long a change waits for the worker's reply before answering "queued" (202).
    public var commandTimeout: Duration
    /// How long each dashboard panel / analytics API call waits for its worker.
    public var analyticsTimeout: Duration
    /// How long `/readyz` waits for the workers.
    public var readinessTimeout: Duration
    /// The dashboard's self-refresh period, in seconds.
    public var dashboardRefreshSeconds: Int
    /// The largest request body the gateway reads (forms and JSON); larger → 413.
    public var maxBodyBytes: Int

    public init(commandTimeout: Duration = .seconds(3), analyticsTimeout: Duration = .seconds(2), readinessTimeout: Duration = .seconds(1),
                dashboardRefreshSeconds: Int = 60, maxBodyBytes: Int = 64 * 1024) {
        self.commandTimeout = commandTimeout
        self.analyticsTimeout = analyticsTimeout
        self.readinessTimeout = readinessTimeout
        self.dashboardRefreshSeconds = dashboardRefreshSeconds
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Everything a gateway handler needs: the ports, settings, clock and logger.
///
/// A value, shared by the web and API handlers, so both see the same world.
struct GatewayContext: Sendable {
    var tickets: TicketReader
    var commands: any CommandSending
    var analytics: any AnalyticsQuerying
    var readiness: any ReadinessProbing
    var csrf: CSRFProtection
    var time: CampusTime
    var clock: any WallClock
    var logger: Logger
    var settings: GatewaySettings
    var newBrowserID: @Sendable () -> String
}

/// The web gateway, composed: the route table over its ports, as one `Handler`.
///
/// The HTTP server calls `respond(to:)`; everything below it is pure functions over the ports,
/// so tests run handlers without sockets and production swaps in the broker and the store.
public struct Gateway: Sendable {
    let context: GatewayContext
    let routes: RouteTable

    /// - Parameters:
    ///   - csrfSecret: random bytes private to this process (tokens of a previous process stop working).
    ///   - newBrowserID: a source of fresh random browser ids (injected for tests).
    public init(
        configuration: Configuration, tickets: TicketReader, commands: any CommandSending,
        analytics: any AnalyticsQuerying, readiness: any ReadinessProbing, csrfSecret: [UInt8],
        settings: GatewaySettings = GatewaySettings(), clock: any WallClock = SystemClock(),
        logger: Logger = Logger(component: "gateway"),
        newBrowserID: @escaping @Sendable () -> String = Gateway.randomBrowserID
    ) {
        let context = GatewayContext(
            tickets: tickets, commands: commands, analytics: analytics, readiness: readiness,
            csrf: CSRFProtection(secret: csrfSecret), time: CampusTime(timeZone: configuration.timeZone),
            clock: clock, logger: logger, settings: settings, newBrowserID: newBrowserID)
        self.context = context
        var table = RouteTable()
        WebRoutes(context: context).register(in: &table)
        APIRoutes(context: context).register(in: &table)
        self.routes = table
    }

    /// The gateway as the server's handler.
    public var handler: Handler { { request in await respond(to: request) } }

    /// Answers one request: route, run, add the security headers every response carries.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        var response: HTTPResponse
        let isAPI = request.path == "/api" || request.path.hasPrefix("/api/")
        if request.body.count > context.settings.maxBodyBytes {
            response = isAPI
                ? Problem(status: .contentTooLarge, detail: "The request body is larger than \(context.settings.maxBodyBytes) bytes.").response
                : ErrorPage.response(.contentTooLarge, message: "The form is too large.", context: context, request: request)
        } else {
            switch routes.match(method: request.method, path: request.path) {
            case .found(let handler, let params):
                var r = request
                r.pathParameters = params
                response = await handler(r)
                if request.method == "HEAD" { response.body = [] }
            case .methodNotAllowed(let allowed):
                response = isAPI
                    ? Problem(status: .methodNotAllowed, detail: "Use \(allowed.joined(separator: ", ")).").response
                    : ErrorPage.response(.methodNotAllowed, message: "That action is not available here.", context: context, request: request)
                response.headers.set("Allow", allowed.joined(separator: ", "))
            case .notFound:
                response = isAPI
                    ? Problem(status: .notFound, detail: "There is nothing at this address.").response
                    : ErrorPage.response(.notFound, message: "There is nothing at this address.", context: context, request: request)
            }
        }
        Self.addSecurityHeaders(&response)
        return response
    }

    /// The Content-Security-Policy of every response: no script at all, styles from our origin only.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func addSecurityHeaders(_ response: inout HTTPResponse) {
        response.headers.set("Content-Security-Policy", contentSecurityPolicy)
        response.headers.set("X-Content-Type-Options", "nosniff")
        response.headers.set("Referrer-Policy", "same-origin")
        response.headers.set("X-Frame-Options", "DENY")
    }

    /// 16 random bytes as hex, from the system's CSPRNG.
    public static let randomBrowserID: @Sendable () -> String = {
        // Two 64-bit draws (two getrandom calls) rather than one draw per byte.
        var rng = SystemRandomNumberGenerator()
        let words = (rng.next(), rng.next())
        return withUnsafeBytes(of: words) { hexString(Array($0)) }
    }
}
