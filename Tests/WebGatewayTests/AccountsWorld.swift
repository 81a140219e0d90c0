import Domain
import Logging
import Credentials
import TicketStore
import ServiceLifecycle
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebGateway

/// The network desk in-process: a real ticket store in accounts mode (the worker's rules, its
/// account commands and sessions), the reader on the same file, and the gateway over them, all on
/// one `TestClock` the test moves (session expiry, login windows). `serve()` puts the gateway
/// behind the real HTTP server for the tests that speak HTTP over a socket.
final class AccountsWorld {
    let directory: URL
    let clock = TestClock()
    let worker: StoreBackedWorker
    let reader: TicketReader
    let gateway: Gateway
    let counter = Counter()
    /// Cheap hashes: the cost of the test, not of the product (the gateway's own setting is the same).
    static let iterations = 1_000
    static let password = "correct horse battery"

    /// `authMode` `.open` is the campus desk with accounts only as its staff directory.
    /// `triage`: the real model, filing and suggesting and learning as the worker does (else a tunable classifier).
    /// `classifier`: the one filing tickets without `triage` (a test may tune its confidence).
    /// `analytics`: the dashboard's answers over the store and clock (fixed ones by default).
    /// `inboxCommands`: where the inbox pages send marks and preferences (a notifier; none by default).
    init(throttle: LoginThrottle.Limits = LoginThrottle.Limits(), authMode: AuthMode = .accounts, triage: (any TicketTriaging)? = nil,
         classifier: TunableClassifier = TunableClassifier(), analytics: ((TicketStore, TestClock) -> any AnalyticsQuerying)? = nil,
         attachments: AttachmentSettings = AttachmentSettings(), inboxCommands: (any InboxCommandSending)? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-accounts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("tickets.db").path
        let store = try TicketStore(path: path, classifier: triage ?? classifier, clock: clock, synchronous: .normal, authMode: authMode, triage: triage)
        worker = StoreBackedWorker(store: store)
        reader = try TicketReader(path: path)
        gateway = Gateway(
            configuration: Configuration(dataDirectory: directory.path, authMode: authMode), tickets: reader, commands: worker,
            analytics: analytics?(store, clock) ?? FixedAnalytics(), readiness: FixedReadiness(checks: [ReadinessCheck(name: "ticket-worker", ready: true)]),
            csrfSecret: Array("test-secret-0123456789".utf8),
            settings: GatewaySettings(commandTimeout: .seconds(30),
                                      accounts: AccountSettings(passwordIterations: Self.iterations, throttle: throttle), attachments: attachments),
            clock: clock, logger: Logger(component: "test", minimumLevel: .error),
            newBrowserID: { [counter] in String(format: "%032x", counter.next()) }, inboxCommands: inboxCommands)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// An account made by the operator (as `campusdesk users add` does), with ``password``.
    func account(_ name: String, _ role: Role, password: String = AccountsWorld.password) async throws -> User {
        let fields = AccountFields(name: name, email: "\(name.lowercased())@example.org",
                                   passwordHash: PasswordHash.make(password: password, iterations: Self.iterations))
        let reply = try await apply(Actor(role: .admin), .createUser(CreateUser(account: fields, role: role)))
        return try #require(reply.user, "account \(name): \(String(describing: reply.refusal))")
    }

    /// One command straight to the store, as `actor`; a refusal fails the test.
    @discardableResult
    func apply(_ actor: Actor, _ action: CommandAction) async throws -> CommandReply {
        let reply = try await worker.store.apply([Command(actor: actor, action: action)])[0]
        #expect(reply.refusal == nil, "\(action.type) as \(actor.role): \(String(describing: reply.refusal))")
        return reply
    }

    /// A ticket reported by `customer` (and assigned to `engineer`, by the operator, when given).
    func ticket(by customer: User, assignedTo engineer: User? = nil, _ text: String = "The projector in room 4 flickers") async throws -> Ticket {
        var ticket = try #require(try await apply(customer.actor, .createTicket(CreateTicket(description: text))).ticket)
        if let engineer {
            ticket = try #require(try await apply(Actor(role: .admin), .assignTicket(AssignTicket(ticketID: ticket.id, assigneeID: engineer.id))).ticket)
        }
        return ticket
    }

    /// The gateway behind the real HTTP server on a free port, until ``Served/stop()``.
    func serve() throws -> Served {
        let server = try Server(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, streamingBody: gateway.streamingBody), handler: gateway.handler)
        // Its handlers on threads of their own: a busy cooperative pool (other suites' work on a
        // loaded machine) must not leave this server's requests unanswered past a test's deadline.
        let task = Task(executorPreference: DedicatedThreads.shared) { await server.run() }
        return Served(server: server, task: task)
    }

    /// Runs `body` with the port of the served gateway, and stops the server however `body` ends.
    func withServer<T>(_ body: (UInt16) async throws -> T) async throws -> T {
        let served = try serve()
        do {
            let result = try await body(served.port)
            await served.stop()
            return result
        } catch {
            await served.stop()
            throw error
        }
    }

    struct Served {
        let server: Server
        let task: Task<Void, Never>
        var port: UInt16 { server.port }
        func stop() async {
            server.shutdown()
            await task.value
        }
    }
}

/// A browser without JavaScript over a real socket: keeps cookies, reads each page's CSRF token,
/// and can claim to come from another client address through the local proxy's `X-Forwarded-For`.
final class SocketBrowser {
    let client: RawHTTPClient
    var cookies: [String: String] = [:]
    var lastToken: String?
    /// Sent as `X-Forwarded-For` (the gateway trusts it from loopback, where a proxy would sit).
    var address: String?
    var https = false

    init(port: UInt16, address: String? = nil) {
        client = RawHTTPClient(port: port)
        self.address = address
    }

    func request(_ method: String, _ target: String, headers extra: [(String, String)] = [], body: [UInt8] = []) throws -> RawHTTPClient.Response {
        var headers = extra
        if !cookies.isEmpty { headers.append(("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        if let address { headers.append(("X-Forwarded-For", address)) }
        if https { headers.append(("X-Forwarded-Proto", "https")) }
        let r = try client.request(method, target, headers: headers, body: body)
        for set in r.headers("Set-Cookie") {
            let pair = set.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            if set.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = Browser.csrfToken(in: r.text) { lastToken = token }
        return r
    }

    func get(_ target: String) throws -> RawHTTPClient.Response { try request("GET", target) }

    /// Posts a form with the last page's CSRF token.
    func post(_ target: String, _ fields: [(String, String)]) throws -> RawHTTPClient.Response {
        var all = fields
        if let lastToken { all.append(("csrf_token", lastToken)) }
        let body = FormDecoding.encodeQuery(all.map { ($0.0, Optional($0.1)) })
        return try request("POST", target, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// Opens the login page and logs in.
    @discardableResult
    func logIn(_ email: String, _ password: String = AccountsWorld.password, next: String? = nil) throws -> RawHTTPClient.Response {
        _ = try get(next.map { "/login?next=" + FormDecoding.percentEncode($0) } ?? "/login")
        var fields = [("email", email), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try post("/login", fields)
    }
}

/// The API over `Gateway.respond` (no socket), with a bearer token once it has one.
struct APIClient {
    let gateway: Gateway
    var token: String?

    init(_ gateway: Gateway, token: String? = nil) {
        self.gateway = gateway
        self.token = token
    }

    func call(_ method: String, _ target: String, json: String? = nil, form: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        var h = HTTPHeaders([("Host", "campusdesk.test")])
        if let token { h.add("Authorization", "Bearer \(token)") }
        if json != nil { h.add("Content-Type", "application/json") }
        if form != nil { h.add("Content-Type", "application/x-www-form-urlencoded") }
        for (n, v) in headers { h.add(n, v) }
        let body = Array((json ?? form ?? "").utf8)
        return await gateway.respond(to: HTTPRequest(method: HTTPMethod(rawValue: method)!, target: target, headers: h, body: body))
    }

    /// `POST /api/auth/token`; the response, and the token when it was granted.
    func requestToken(_ email: String, _ password: String = AccountsWorld.password) async -> (HTTPResponse, String?) {
        let form = FormDecoding.encodeQuery([("grant_type", "password"), ("username", email), ("password", password)])
        let r = await call("POST", "/api/auth/token", form: form)
        return (r, r.json?["access_token"] as? String)
    }

    /// A client holding a token for `user`.
    static func signedIn(_ gateway: Gateway, _ user: User) async throws -> APIClient {
        let (r, token) = await APIClient(gateway).requestToken(user.email)
        #expect(r.status == .ok, "token for \(user.email): \(r.text)")
        let granted: String = try #require(token)
        return APIClient(gateway, token: granted)
    }
}

extension Browser {
    /// A browser signed in on `world`'s network desk as `user` (the login page, then the form).
    static func signedIn(_ world: AccountsWorld, _ user: User) async -> Browser {
        var b = Browser(world.gateway)
        _ = await b.get("/login")
        _ = await b.post("/login", [("email", user.email), ("password", AccountsWorld.password)])
        return b
    }
}
