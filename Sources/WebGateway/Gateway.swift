import Domain
import Logging
import SpoolBroker
import TicketStore
import ServiceLifecycle
import Foundation
import Credentials
import HTTPServer
import Notifier

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
    /// Sessions, passwords and login limits of the network desk (`CAMPUSDESK_AUTH=accounts`).
    public var accounts: AccountSettings
    /// Limits on attachments (per file, per ticket, in all).
    public var attachments: AttachmentSettings

    public init(commandTimeout: Duration = .seconds(3), analyticsTimeout: Duration = .seconds(2), readinessTimeout: Duration = .seconds(1),
                dashboardRefreshSeconds: Int = 60, maxBodyBytes: Int = 64 * 1024, accounts: AccountSettings = AccountSettings(),
                attachments: AttachmentSettings = AttachmentSettings()) {
        self.attachments = attachments
        self.commandTimeout = commandTimeout
        self.analyticsTimeout = analyticsTimeout
        self.readinessTimeout = readinessTimeout
        self.dashboardRefreshSeconds = dashboardRefreshSeconds
        self.maxBodyBytes = maxBodyBytes
        self.accounts = accounts
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
    /// Who is asking (both desks), and login on the network desk.
    var auth: Authentication
    /// The attachment files under the data directory.
    var attachmentFiles: AttachmentFiles
    /// Where the home copy of those files lives: they themselves (one machine), or another machine's.
    var attachmentHome: any AttachmentHome
    /// People's web inboxes and preferences: `notifications.db` read here (the notifier writes it), or the notifier asked.
    var inbox: any InboxReading
    /// Changes to them, as commands to the notifier; nil when this gateway has no notifier to ask.
    var inboxCommands: (any InboxCommandSending)?
    var accounts: any AccountQuerying { auth.accounts }
    var authMode: AuthMode { auth.mode }
}

/// The web gateway, composed: the router over its ports, its middleware, as one `Handler`.
///
/// The HTTP server calls `respond(to:)`; everything below it is pure functions over the ports,
/// so tests run handlers without sockets and production swaps in the broker and the store.
/// Two route groups: the pages at `/` answer errors as HTML pages (``WebErrors``), the API at
/// `/api` as problem documents (``APIErrors``); handlers of both throw and the group renders.
public struct Gateway: Sendable {
    let context: GatewayContext
    /// Security headers around the router, with its middleware (starting-up gate, body limit).
    public let handler: Handler
    /// The router's routes, for the test that holds them against the OpenAPI document.
    public let routeTable: [(method: HTTPMethod, pattern: String)]
    /// The requests whose bodies stream to disk (uploads); give it to the server's configuration
    /// (``ServerConfiguration/streamingBody``), or uploads larger than the server's limit are 413.
    public let streamingBody: @Sendable (HTTPRequest) -> StreamingBody?

    /// - Parameters:
    ///   - tickets: the read side; opened lazily, the gateway answers 503 until it can be read.
    ///   - csrfSecret: random bytes private to this process (tokens of a previous process stop working).
    ///   - newBrowserID: a source of fresh random browser ids (injected for tests).
    ///   - accounts: where accounts and sessions are read (network desk); the ticket reader by default.
    ///   - inbox: the web inboxes' read side; `<data>/notifications.db` by default (``InboxReader``).
    ///   - inboxCommands: where marks and preferences go (the notifier); without it they are 503.
    ///   - attachmentHome: where uploads go and missing files come from; the data directory itself by default.
    public init(
        configuration: Configuration, tickets: TicketReader, commands: any CommandSending,
        analytics: any AnalyticsQuerying, readiness: any ReadinessProbing, csrfSecret: [UInt8],
        settings: GatewaySettings = GatewaySettings(), clock: any WallClock = SystemClock(),
        logger: Logger = Logger(component: "gateway"),
        newBrowserID: @escaping @Sendable () -> String = Gateway.randomBrowserID,
        accounts: (any AccountQuerying)? = nil,
        inbox: (any InboxReading)? = nil, inboxCommands: (any InboxCommandSending)? = nil,
        attachmentHome: any AttachmentHome = LocalAttachmentHome()
    ) {
        let auth = Authentication(mode: configuration.authMode, accounts: accounts ?? tickets, commands: commands, clock: clock,
                                  settings: settings.accounts, commandTimeout: settings.commandTimeout)
        let context = GatewayContext(
            tickets: tickets, commands: commands, analytics: analytics, readiness: readiness,
            csrf: CSRFProtection(secret: csrfSecret), time: CampusTime(timeZone: configuration.timeZone),
            clock: clock, logger: logger, settings: settings, newBrowserID: newBrowserID, auth: auth,
            attachmentFiles: AttachmentFiles(dataDirectory: configuration.dataDirectory), attachmentHome: attachmentHome,
            inbox: inbox ?? InboxReader(path: NotifierConfiguration.queuePath(inDataDirectory: configuration.dataDirectory)),
            inboxCommands: inboxCommands)
        self.context = context
        var router = Router(log: { logger.http($0) }, errors: WebErrors(context: context).render)
        router.use(StartingUp.middleware(tickets: tickets))
        router.use(SlowRead.middleware)
        router.use(BodyLimit.middleware(maxBytes: settings.maxBodyBytes))
        WebRoutes(context: context).register(in: &router)
        AccountPages(context: context).register(in: &router)
        IssueTypePages(context: context).register(in: &router)
        PosterPages(context: context).register(in: &router)
        SLAPages(context: context).register(in: &router)
        NotificationPages(context: context).register(in: &router)
        APIRoutes(context: context).register(in: &router)
        AttachmentRoutes(context: context).registerDownload(in: &router)
        streamingBody = UploadRoutes.streamingBody(files: context.attachmentFiles, settings: settings.attachments, context: context)
        handler = chain([SecurityHeaders.middleware, UploadRoutes.cleanup], router.handler)
        routeTable = router.routeTable
    }

    /// Answers one request: route, run, render errors, add the security headers.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await handler(request)
    }

    /// 16 random bytes as hex, from the kernel's CSPRNG.
    public static let randomBrowserID: @Sendable () -> String = { hexString(SecureRandom.bytes(16)) }
}
