import Domain
import SpoolBroker
import Foundation
import HTTPServer

/// The network desk's API: `/api/auth/*` (register, token, logout, me, engineers) and
/// `/api/users` (admins). On the campus desk (`CAMPUSDESK_AUTH=open`) every one of them answers
/// 404: there are no accounts there.
///
/// The token endpoint is OAuth 2.0's password grant (RFC 6749 §4.3): a form with `username` (the
/// e-mail address) and `password`, answered with a bearer token that lasts `expires_in` seconds
/// (one hour; no refresh token: ask again). Wrong credentials are a 401 problem with
/// `"error": "invalid_grant"`, too many of them a 429 with `Retry-After` (``LoginThrottle``).
struct AuthAPIRoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.post("/auth/register") { try await registerAccount($0) }
        api.post("/auth/token") { try await token($0) }
        api.post("/auth/logout") { try await logout($0) }
        api.get("/auth/me") { try await me($0) }
        api.get("/auth/engineers") { try await engineers($0) }
        api.get("/users") { try await users($0) }
        api.patch("/users/:id") { try await updateUser($0) }
    }

    /// These routes exist on the network desk only.
    private func requireAccounts() throws(Problem) {
        guard context.authMode == .accounts else {
            throw Problem(status: .notFound, detail: "There is nothing at this address: this desk has no accounts (CAMPUSDESK_AUTH=open).")
        }
    }

    // MARK: - Register, token, logout, me

    struct RegisterBody: Decodable {
        var name: String
        var email: String
        var phone: String?
        var location: String?
        var password: String
        enum CodingKeys: String, CodingKey { case name, email, phone, location, password }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            email = try c.decode(String.self, forKey: .email)
            phone = try c.decodeAbsentOrString(.phone)
            location = try c.decodeAbsentOrString(.location)
            password = try c.decode(String.self, forKey: .password)
        }
    }

    /// A customer registers: 201 with the account (no session; ask `/api/auth/token` next).
    func registerAccount(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let b = try api.body(request, as: RegisterBody.self)
        let input: AccountInput
        do {
            input = try AccountInput(name: b.name, email: b.email, phone: b.phone, location: b.location, password: b.password)
                .validated(counting: .scalarsAsSent)
        }
        catch { throw Problem(refusal: error) }
        let hash = await context.auth.hash(input.password)
        let action = CommandAction.registerUser(RegisterUser(account: input.fields(passwordHash: hash)))
        return try await api.perform(request, actor: Actor(role: .customer), action) { reply in
            guard let user = reply.user else { return APIRoutes.json(.created, ["command_id": reply.commandID.rawValue]) }
            return APIRoutes.json(.created, user)
        }
    }

    struct TokenBody: Encodable {
        var accessToken: String
        var tokenType = "bearer"
        var expiresIn: Int
        enum CodingKeys: String, CodingKey { case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in" }
    }

    /// OAuth 2.0's password grant: a form with `username` and `password` (and `grant_type=password`, optional).
    func token(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let type = (request.headers["Content-Type"] ?? "").lowercased()
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(status: .unsupportedMediaType, detail: "Send the credentials as application/x-www-form-urlencoded (username, password).")
        }
        guard let form = try? FormDecoding.decode(request.body) else {
            throw Problem(status: .badRequest, detail: "The form could not be read.", error: "invalid_request")
        }
        if let grant = form["grant_type"], grant != "password" {
            throw Problem(status: .badRequest, detail: "Only grant_type=password is supported.", field: "grant_type", error: "unsupported_grant_type")
        }
        guard let username = form["username"], !username.isEmpty, let password = form["password"], !password.isEmpty else {
            throw Problem(status: .badRequest, detail: "Give username (the e-mail address) and password.", error: "invalid_request")
        }
        switch try await context.auth.verify(email: username, password: password, address: Authentication.clientAddress(request)) {
        case .locked(let lock):
            throw Problem(status: .tooManyRequests, detail: lock.message, retryAfter: lock.retryAfterSeconds)
        case .wrong:
            throw Problem(status: .unauthorized, detail: Authentication.wrongCredentials, challenge: Authentication.bearerChallenge, error: "invalid_grant")
        case .deactivated:
            throw Problem(status: .unauthorized, detail: Authentication.deactivated, challenge: Authentication.bearerChallenge, error: "invalid_grant")
        case .verified(let user):
            let lifetime = context.settings.accounts.apiTokenLifetime
            switch await context.auth.startSession(user, lifetime: lifetime) {
            case .started(let token, _):
                return APIRoutes.json(.ok, TokenBody(accessToken: token, expiresIn: Int(lifetime.components.seconds)))
            case .refused(let refusal):
                throw Problem(refusal: refusal)
            case .notNow:
                throw Problem(status: .serviceUnavailable, detail: "The ticket service cannot start a session right now; try again shortly.", retryAfter: 5)
            }
        }
    }

    /// Ends the bearer token's session: 204.
    func logout(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let caller = try await api.caller(request)
        guard let digest = caller.sessionDigest else { throw Problem(status: .unauthorized, detail: "No session to end.", challenge: Authentication.bearerChallenge) }
        return try await api.perform(request, actor: caller.actor, .endSession(EndSession(tokenDigest: digest))) { _ in
            var r = HTTPResponse(status: .noContent)
            r.headers.set("Cache-Control", "no-store")
            return r
        }
    }

    func me(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let caller = try await api.caller(request)
        guard let user = caller.user else { throw Problem(status: .unauthorized, detail: "No account.", challenge: Authentication.bearerChallenge) }
        return APIRoutes.json(.ok, user)
    }

    // MARK: - Staff directory and users

    struct EngineerBody: Encodable {
        var id: UserID
        var name: String
        var openAssigned: Int
        enum CodingKeys: String, CodingKey { case id, name, openAssigned = "open_assigned" }
    }

    /// The active engineers with their open and active assigned tickets (staff).
    func engineers(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let caller = try await api.caller(request)
        do { try Permissions.check(caller.actor, .listEngineers) } catch { throw Problem(refusal: error) }
        let list = try await context.accounts.engineers()
        return APIRoutes.json(.ok, ["engineers": list.map { EngineerBody(id: $0.user.id, name: $0.user.name, openAssigned: $0.openAssigned) }])
    }

    struct UsersBody: Encodable {
        var users: [User]
        var nextOffset: Int?
        enum CodingKeys: String, CodingKey { case users, nextOffset = "next_offset" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(users, forKey: .users)
            try c.encode(nextOffset, forKey: .nextOffset)
        }
    }

    /// What `?role=&q=&active=&limit=&offset=` asks for; shared with the admin page.
    struct UserQuery: Sendable, Equatable {
        var role: Role?
        var text: String?
        var active: Bool?
        var limit = 50
        var offset = 0
        static let maxOffset = 1_000_000

        static func parse(_ q: FormFields) throws(Problem) -> UserQuery {
            var out = UserQuery()
            if let raw = q["role"], !raw.isEmpty {
                guard let r = Role.named(raw) else { throw Problem(status: .badRequest, detail: "role must be customer, agent, engineer, manager or admin.", field: "role") }
                out.role = r
            }
            if let raw = q["q"] {
                guard raw.unicodeScalars.count <= TicketListQuery.maxTextLength else {
                    throw Problem(status: .badRequest, detail: "q must be at most \(TicketListQuery.maxTextLength) characters.", field: "q")
                }
                let t = raw.trimmingWhitespace()
                out.text = t.isEmpty ? nil : t
            }
            if let raw = q["active"], !raw.isEmpty {
                switch raw {
                case "true": out.active = true
                case "false": out.active = false
                default: throw Problem(status: .badRequest, detail: "active must be true or false.", field: "active")
                }
            }
            if let raw = q["limit"], !raw.isEmpty {
                guard raw.utf8.count <= 4, let n = Int(raw), (1...TicketFilter.maxLimit).contains(n) else {
                    throw Problem(status: .badRequest, detail: "limit must be a whole number from 1 to \(TicketFilter.maxLimit).", field: "limit")
                }
                out.limit = n
            }
            if let raw = q["offset"], !raw.isEmpty {
                guard raw.utf8.count <= 7, raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(raw), n <= maxOffset else {
                    throw Problem(status: .badRequest, detail: "offset must be a whole number from 0 to \(maxOffset).", field: "offset")
                }
                out.offset = n
            }
            return out
        }

        /// One page, and the offset of the next when there may be one (one row more is asked for
        /// to know; at the largest page size a full page is taken to mean "maybe").
        func run(_ accounts: any AccountQuerying) async throws -> (users: [User], nextOffset: Int?) {
            let asked = min(limit + 1, TicketFilter.maxLimit)
            let page = try await accounts.users(role: role, query: text, active: active, limit: asked, offset: offset)
            let more = page.count > limit || (asked == limit && page.count == limit)
            return (Array(page.prefix(limit)), more && offset + limit <= Self.maxOffset ? offset + limit : nil)
        }
    }

    func users(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let caller = try await api.caller(request)
        do { try Permissions.check(caller.actor, .manageUsers) } catch { throw Problem(refusal: error) }
        let q = try APIRoutes.query(request)
        try APIRoutes.requireValues(q, ["limit", "offset", "active", "role"])
        let (users, next) = try await UserQuery.parse(q).run(context.accounts)
        return APIRoutes.json(.ok, UsersBody(users: users, nextOffset: next))
    }

    struct UpdateBody: Decodable {
        var role: Role?
        var active: Bool?
        enum CodingKeys: String, CodingKey { case role, active }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let raw = try c.decodeAbsentOrString(.role) {
                guard let r = Role.named(raw) else { throw APIRoutes.BodyRule(detail: "role must be customer, agent, engineer, manager or admin.", field: "role") }
                role = r
            }
            if c.contains(.active) {
                if try c.decodeNil(forKey: .active) {
                    throw DecodingError.valueNotFound(Bool.self, DecodingError.Context(codingPath: [CodingKeys.active], debugDescription: "null"))
                }
                active = try c.decode(Bool.self, forKey: .active)
            }
            guard role != nil || active != nil else { throw APIRoutes.BodyRule(detail: "Give role or active (or both).") }
        }
    }

    /// An admin changes an account's role or state; not their own (another admin must).
    func updateUser(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireAccounts()
        let caller = try await api.caller(request)
        do { try Permissions.check(caller.actor, .manageUsers) } catch { throw Problem(refusal: error) }
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 18, let n = Int64(raw), n > 0 else {
            throw Problem.refused(.notFound, "There is no account with that id.")
        }
        let b = try api.body(request, as: UpdateBody.self)
        let update = UpdateUser(userID: UserID(n), role: b.role, active: b.active)
        if let refusal = Self.selfLockout(update, by: caller.actor) { throw Problem(refusal: refusal) }
        return try await api.perform(request, actor: caller.actor, .updateUser(update)) { reply in
            guard let user = reply.user else { return APIRoutes.json(.ok, ["command_id": reply.commandID.rawValue]) }
            return APIRoutes.json(.ok, user)
        }
    }

    /// An admin may not deactivate their own account or change its role (another admin must): the
    /// worker's rule, checked early with its words.
    static func selfLockout(_ update: UpdateUser, by actor: Actor) -> Refusal? {
        guard update.userID == actor.userID else { return nil }
        if update.active == false { return Refusal(.forbidden, "You cannot deactivate your own account; another admin must.", field: "active") }
        if let role = update.role, role != actor.role { return Refusal(.forbidden, "You cannot change your own role; another admin must.", field: "role") }
        return nil
    }
}
