import Domain
import Credentials
import SpoolBroker
import HTTPServer

/// Settings of the network desk (`CAMPUSDESK_AUTH=accounts`).
public struct AccountSettings: Sendable {
    /// PBKDF2 iterations of the hashes the gateway makes (registration, new passwords, staff accounts).
    public var passwordIterations: Int
    /// How long a browser session lasts from login (the `cd_session` cookie's Max-Age too): a working day.
    public var browserSessionLifetime: Duration
    /// How long an API bearer token lasts (`expires_in`); a client asks for a new one with the password.
    public var apiTokenLifetime: Duration
    public var throttle: LoginThrottle.Limits
    /// Hashing threads (``PasswordWork``): at most this many cores busy with logins at once.
    public var hashingThreads: Int

    public init(passwordIterations: Int = 600_000, browserSessionLifetime: Duration = .seconds(12 * 3600),
                apiTokenLifetime: Duration = .seconds(3600), throttle: LoginThrottle.Limits = LoginThrottle.Limits(), hashingThreads: Int = 2) {
        self.passwordIterations = passwordIterations
        self.browserSessionLifetime = browserSessionLifetime
        self.apiTokenLifetime = apiTokenLifetime
        self.throttle = throttle
        self.hashingThreads = hashingThreads
    }

    /// The shortest password accepted.
    public static let minimumPasswordLength = AccountRules.minPasswordLength
    /// The longest password accepted.
    public static let maximumPasswordLength = AccountRules.maxPasswordLength
}

/// Who is asking, on both desks, and the login itself on the network desk.
///
/// Campus desk (`open`): the role cookie (pages) or the `X-CampusDesk-Role` header (API), as
/// before accounts existed. Network desk (`accounts`): the session cookie `cd_session` (pages) or
/// `Authorization: Bearer <token>` (API); either is a token from ``SessionToken``, looked up by its
/// SHA-256 digest on every request (one indexed read, no cache: a logout, a deactivation or an
/// expiry counts from the next request). The role header and cookie are ignored there.
struct Authentication: Sendable {
    static let sessionCookie = "cd_session"
    /// The challenge of a 401 on the network desk's API (RFC 6750).
    static let bearerChallenge = "Bearer realm=\"CampusDesk\""
    static let invalidTokenChallenge = "Bearer realm=\"CampusDesk\", error=\"invalid_token\""
    /// The one answer to a wrong e-mail address or password, so neither says which one was wrong.
    static let wrongCredentials = "E-mail or password is wrong."
    static let deactivated = "This account is deactivated. Please ask the helpdesk."

    let mode: AuthMode
    let accounts: any AccountQuerying
    let commands: any CommandSending
    let clock: any WallClock
    let settings: AccountSettings
    let commandTimeout: Duration
    let throttle: LoginThrottle
    let work: PasswordWork
    /// What an unknown e-mail address is checked against: nil → `PasswordHash.burnEquivalentWork`
    /// (hashes of the default cost); else a hash of the configured cost, made once.
    private let unknownAccountHash: String?

    init(mode: AuthMode, accounts: any AccountQuerying, commands: any CommandSending, clock: any WallClock,
         settings: AccountSettings, commandTimeout: Duration) {
        self.mode = mode
        self.accounts = accounts
        self.commands = commands
        self.clock = clock
        self.settings = settings
        self.commandTimeout = commandTimeout
        throttle = LoginThrottle(limits: settings.throttle)
        work = PasswordWork(threads: settings.hashingThreads)
        unknownAccountHash = mode == .accounts && settings.passwordIterations != PasswordHash.defaultIterations
            ? PasswordHash.make(password: "no account has this password", iterations: settings.passwordIterations) : nil
    }

    // MARK: - Requests

    /// True when the request reached the proxy over HTTPS (`X-Forwarded-Proto: https`).
    static func isHTTPS(_ request: HTTPRequest) -> Bool {
        request.headers["X-Forwarded-Proto"]?.trimmingWhitespace().lowercased() == "https"
    }

    /// The client's address for the per-address login limit: the peer, or, when the peer is a proxy
    /// on this machine (loopback), the last address it appended to `X-Forwarded-For`.
    static func clientAddress(_ request: HTTPRequest) -> String? {
        guard let peer = request.remoteAddress else { return nil }
        guard peer.hasPrefix("127."), let forwarded = request.headers.values("X-Forwarded-For").last,
              let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty else { return peer }
        return String(last.prefix(64))
    }

    /// The token of `Authorization: Bearer <token>`, if the header has that form.
    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let value = request.headers["Authorization"] else { return nil }
        let parts = value.trimmingWhitespace().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The account of a token and the token's digest, or nil (malformed, unknown, ended, expired, deactivated).
    func session(token: String?) async throws -> (user: User, digest: String)? {
        guard mode == .accounts, let token, SessionToken.isWellFormed(token) else { return nil }
        let digest = SessionToken.digest(token)
        guard let user = try await accounts.sessionUser(tokenDigest: digest, now: clock.now()) else { return nil }
        return (user, digest)
    }

    /// The visitor of a page: the campus desk's cookies, or the network desk's session (signed out when it has none).
    func visitor(_ request: HTTPRequest, newBrowserID: () -> String) async throws -> Visitor {
        guard mode == .accounts else { return try await campusVisitor(request, newBrowserID: newBrowserID) }
        let v = Visitor.anonymous(request, newBrowserID: newBrowserID)
        guard let (user, digest) = try await session(token: Cookies.parse(request)[Self.sessionCookie]) else { return v }
        return v.signedIn(user, sessionDigest: digest)
    }

    /// The campus desk's visitor; one who picked themselves from the staff directory acts as that
    /// person while the entry is active and in the directory (else as staff without a name tag).
    private func campusVisitor(_ request: HTTPRequest, newBrowserID: () -> String) async throws -> Visitor {
        var v = Visitor.from(request, newBrowserID: newBrowserID)
        guard let id = v.staffID else { return v }
        v.staffID = nil
        guard let person = try await accounts.user(id), person.active, Role.staffDirectoryRoles.contains(person.role) else { return v }
        return v.picked(person)
    }

    /// The `cd_session` cookie: HttpOnly, SameSite=Lax, Path=/, `Secure` over HTTPS; `maxAge` 0 deletes it.
    static func sessionCookie(_ token: String, secure: Bool, maxAge: Int) -> String {
        Cookies.setCookie(sessionCookie, token, maxAge: maxAge, secure: secure)
    }

    // MARK: - Login

    enum LoginOutcome: Sendable {
        case verified(User)
        /// Unknown e-mail address or wrong password: one answer for both.
        case wrong
        case deactivated
        case locked(LoginThrottle.Lock)
    }

    /// The e-mail address as accounts store it: trimmed and lower-cased.
    static func normalizedEmail(_ raw: String) -> String { AccountRules.normalizedEmail(raw) }

    /// Checks a password against the account of `email`, within the login limits.
    ///
    /// An unknown address costs the same hashing as a known one (the time does not tell which
    /// addresses have accounts), and both count as failures against the address and the client.
    func verify(email raw: String, password: String, address: String?) async throws -> LoginOutcome {
        let email = Self.normalizedEmail(raw)
        if let lock = throttle.lock(email: email, address: address, now: clock.now()) { return .locked(lock) }
        let account = try await accounts.account(email: email)
        let storedHash = account?.passwordHash
        let unknownAccountHash = self.unknownAccountHash
        let matches = await work.run {
            if let storedHash { return PasswordHash.verify(password: password, encoded: storedHash) }
            if let unknownAccountHash { _ = PasswordHash.verify(password: password, encoded: unknownAccountHash) }
            else { PasswordHash.burnEquivalentWork(password: password) }
            return false
        }
        guard matches, let user = account?.user else {
            throttle.recordFailure(email: email, address: address, now: clock.now())
            return .wrong
        }
        throttle.recordSuccess(email: email)
        return user.active ? .verified(user) : .deactivated
    }

    /// A new password hash, made off the cooperative pool.
    func hash(_ password: String) async -> String {
        let iterations = settings.passwordIterations
        return await work.run { PasswordHash.make(password: password, iterations: iterations) }
    }

    enum SessionStart: Sendable {
        case started(token: String, expiresAt: Timestamp)
        case refused(Refusal)
        /// The worker did not record it in time (queued or not sent): the login did not happen.
        case notNow
    }

    /// Records a new session of `user` with the ticket worker; the token goes to the client only.
    func startSession(_ user: User, lifetime: Duration) async -> SessionStart {
        let token = SessionToken.generate()
        let (seconds, _) = lifetime.components
        let expiresAt = clock.now().adding(milliseconds: seconds * 1000)
        let command = Command(actor: user.actor, action: .startSession(StartSession(userID: user.id, tokenDigest: SessionToken.digest(token), expiresAt: expiresAt)))
        switch await commands.send(command, timeout: commandTimeout) {
        case .replied(let reply):
            if let refusal = reply.refusal { return .refused(refusal) }
            return .started(token: token, expiresAt: expiresAt)
        case .queued, .unavailable:
            return .notNow
        }
    }

    /// Ends the session of `digest` (logout).
    func endSession(_ digest: String, actor: Actor) async -> CommandOutcome {
        await commands.send(Command(actor: actor, action: .endSession(EndSession(tokenDigest: digest))), timeout: commandTimeout)
    }
}

/// A page of the network desk asked for without a valid session: 303 to the login page, which
/// comes back here afterwards (`next`, a path of this site only).
struct LoginRequired: HTTPStatusError, Sendable {
    var next: String?
    var status: HTTPStatus { .seeOther }
    var headers: HTTPHeaders {
        var h = HTTPHeaders()
        h.set("Location", next.map { "/login?" + FormDecoding.encodeQuery([("next", $0)]) } ?? "/login")
        h.set("Cache-Control", "no-store")
        return h
    }

    init(_ request: HTTPRequest) {
        next = request.method == .get ? Self.localPath(request.target) : nil
    }

    /// `target` when it is a path of this site (`/x`, not `//host` or `/\host`), else nil.
    static func localPath(_ target: String?) -> String? {
        guard let target, target.hasPrefix("/"), !target.hasPrefix("//"), !target.hasPrefix("/\\"), target.utf8.count <= 512,
              target.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        return target
    }
}
