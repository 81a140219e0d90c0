import Domain
import SpoolBroker
import HTTPServer

/// The network desk's pages about accounts: login, registration, logout, the password, and the
/// admins' users page. Routed only when `CAMPUSDESK_AUTH=accounts` (the campus desk's routes stay
/// exactly as they were).
///
/// Login, step by step: same-origin and CSRF check (the form carries a token like every other),
/// the login limits (``LoginThrottle``: a locked account or address is told so, 429 with
/// `Retry-After`), the password checked off the cooperative pool (``PasswordWork``; an unknown
/// address costs the same work and gets the same answer), the session recorded by the ticket
/// worker (`start_session` with the token's digest), then the `cd_session` cookie and a 303 to
/// the page the visitor came for, or their role's start page (``StartPage``).
struct AccountPages: Sendable {
    let context: GatewayContext
    private var web: WebRoutes { WebRoutes(context: context) }

    func register(in router: inout Router) {
        guard context.authMode == .accounts else { return }
        router.get("/login") { try await loginPage($0) }
        router.post("/login") { try await login($0) }
        router.get("/register") { try await registrationPage($0) }
        router.post("/register") { try await registerAccount($0) }
        router.post("/logout") { try await logout($0) }
        router.get("/account/password") { try await passwordPage($0) }
        router.post("/account/password") { try await changePassword($0) }
        router.get("/admin/users") { try await users($0) }
        router.post("/admin/users") { try await createUser($0) }
        router.post("/admin/users/:id/role") { try await updateUser($0, field: "role") }
        router.post("/admin/users/:id/active") { try await updateUser($0, field: "active") }
    }

    /// The visitor with or without a session (the public pages).
    private func anyone(_ request: HTTPRequest) async throws -> Visitor {
        try await context.auth.visitor(request, newBrowserID: context.newBrowserID)
    }

    private func html(_ status: HTTPStatus, _ page: [UInt8], _ v: Visitor) -> HTTPResponse { WebRoutes.html(status, page, visitor: v) }

    private var browserSessionSeconds: Int { Int(context.settings.accounts.browserSessionLifetime.components.seconds) }

    /// 303 to `location` with the session cookie of `token` (login and registration).
    private func signedIn(_ token: String, to location: String, _ v: Visitor) -> HTTPResponse {
        var r = WebRoutes.redirect(location, visitor: v)
        r.headers.add("Set-Cookie", Authentication.sessionCookie(token, secure: v.isSecure, maxAge: browserSessionSeconds))
        return r
    }

    // MARK: - Login

    func loginPage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await anyone(request)
        let q = (try? FormDecoding.decodeQuery(request.query)) ?? FormFields()
        let next = LoginRequired.localPath(q["next"])
        if let user = v.user { return WebRoutes.redirect(next ?? StartPage.path(for: user), visitor: v) }
        let flash: Layout.Flash? = switch q["done"] {
        case "logout": Layout.Flash(text: "You are logged out.", isError: false)
        case "registered": Layout.Flash(text: "Your account was created. Please log in.", isError: false)
        default: nil
        }
        return html(.ok, AccountFormsPage.login(visitor: v, csrfToken: web.token(v), next: next, flash: flash), v)
    }

    func login(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await anyone(request)
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let next = LoginRequired.localPath(form["next"])
        let email = form["email"] ?? ""
        let again = { (status: HTTPStatus, message: String) -> HTTPResponse in
            let state = FormState(values: ["email": email], general: message)
            return html(status, AccountFormsPage.login(visitor: v, csrfToken: web.token(v), next: next, state: state), v)
        }
        guard let password = form["password"], !password.isEmpty, !email.trimmingWhitespace().isEmpty else {
            return again(.unprocessableContent, "Please give your e-mail address and password.")
        }
        switch try await context.auth.verify(email: email, password: password, address: Authentication.clientAddress(request)) {
        case .locked(let lock):
            var r = again(.tooManyRequests, lock.message)
            r.headers.set("Retry-After", String(lock.retryAfterSeconds))
            return r
        case .wrong:
            return again(.unprocessableContent, Authentication.wrongCredentials)
        case .deactivated:
            return again(.forbidden, Authentication.deactivated)
        case .verified(let user):
            switch await context.auth.startSession(user, lifetime: context.settings.accounts.browserSessionLifetime) {
            case .started(let token, _):
                return signedIn(token, to: next ?? StartPage.path(for: user), v)
            case .refused(let refusal):
                return again(Problem.status(for: refusal.code), refusal.reason)
            case .notNow:
                return again(.serviceUnavailable, "The helpdesk cannot log you in at the moment. Please try again in a few minutes.")
            }
        }
    }

    func logout(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await anyone(request)
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success: break
        }
        let clear = Authentication.sessionCookie("", secure: v.isSecure, maxAge: 0)
        if let digest = v.sessionDigest, case .unavailable(let reason) = await context.auth.endSession(digest, actor: v.actor) {
            context.logger.error("session not ended", ["reason": reason])
            var signedOut = v
            signedOut.user = nil
            var r = web.errorPage(.serviceUnavailable, "You are logged out in this browser, but the helpdesk could not close the session on its side. If this is a shared computer, please tell the helpdesk.", signedOut)
            r.headers.add("Set-Cookie", clear)
            return r
        }
        var r = WebRoutes.redirect("/login?done=logout", visitor: v)
        r.headers.add("Set-Cookie", clear)
        return r
    }

    // MARK: - Registration

    func registrationPage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await anyone(request)
        if let user = v.user { return WebRoutes.redirect(StartPage.path(for: user), visitor: v) }
        return html(.ok, AccountFormsPage.register(visitor: v, csrfToken: web.token(v), requestID: context.newBrowserID()), v)
    }

    func registerAccount(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await anyone(request)
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let refused = { (refusal: Refusal) -> HTTPResponse in
            let state = FormState.refused(refusal, values: web.values(form, ["name", "email", "phone", "location"]), knownFields: AccountFormsPage.registerFields)
            return html(Problem.status(for: refusal.code), AccountFormsPage.register(visitor: v, csrfToken: web.token(v), requestID: context.newBrowserID(), state: state), v)
        }
        let input: AccountInput
        do {
            input = try AccountInput(name: form["name"] ?? "", email: form["email"] ?? "", phone: form["phone"], location: form["location"],
                                     password: form["password"] ?? "").validated(confirmation: form["password_confirmation"] ?? "")
        } catch {
            return refused(error)
        }
        let hash = await context.auth.hash(input.password)
        let command = Command(id: web.commandID(form), actor: Actor(role: .customer), action: .registerUser(RegisterUser(account: input.fields(passwordHash: hash))))
        switch await context.commands.send(command, timeout: context.settings.commandTimeout) {
        case .replied(let reply):
            if let refusal = reply.refusal { return refused(refusal) }
            guard let user = reply.user else { return WebRoutes.redirect("/login?done=registered", visitor: v) }
            // Registered: logged in at once.
            if case .started(let token, _) = await context.auth.startSession(user, lifetime: context.settings.accounts.browserSessionLifetime) {
                return signedIn(token, to: StartPage.path(for: user), v)
            }
            return WebRoutes.redirect("/login?done=registered", visitor: v)
        case .queued:
            return web.errorPage(.accepted, "Your registration was received and is queued; the helpdesk is busy. You can log in in a few minutes.", v)
        case .unavailable(let reason):
            context.logger.error("command not enqueued", ["command.id": command.id.rawValue, "reason": reason])
            return web.errorPage(.serviceUnavailable, "The helpdesk cannot take registrations at the moment and nothing was saved. Please try again in a few minutes.", v)
        }
    }

    // MARK: - Password

    func passwordPage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await web.visitor(request)
        let done = (try? FormDecoding.decodeQuery(request.query))?["done"] == "password"
        let flash = done ? Layout.Flash(text: "Your password was changed.", isError: false) : nil
        return html(.ok, AccountFormsPage.password(visitor: v, csrfToken: web.token(v), requestID: context.newBrowserID(), flash: flash), v)
    }

    func changePassword(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await web.visitor(request)
        guard let user = v.user else { throw LoginRequired(request) }
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let refused = { (refusal: Refusal) -> HTTPResponse in
            let state = FormState.refused(refusal, values: [:], knownFields: AccountFormsPage.passwordFields)
            return html(Problem.status(for: refusal.code), AccountFormsPage.password(visitor: v, csrfToken: web.token(v), requestID: context.newBrowserID(), state: state), v)
        }
        let new = form["new_password"] ?? ""
        do {
            try AccountInput.checkNewPassword(new, confirmation: form["new_password_confirmation"] ?? "", field: "new_password",
                                              confirmationField: "new_password_confirmation")
        } catch {
            return refused(error)
        }
        // The current password is checked like a login, within the same limits.
        switch try await context.auth.verify(email: user.email, password: form["current_password"] ?? "", address: Authentication.clientAddress(request)) {
        case .locked(let lock):
            var r = refused(Refusal(.validation, lock.message))
            r.status = .tooManyRequests
            r.headers.set("Retry-After", String(lock.retryAfterSeconds))
            return r
        case .wrong, .deactivated:
            return refused(Refusal(.validation, "The current password is wrong.", field: "current_password"))
        case .verified:
            break
        }
        let hash = await context.auth.hash(new)
        let action = CommandAction.changePassword(ChangePassword(userID: user.id, passwordHash: hash, keepSessionDigest: v.sessionDigest))
        return try await web.perform(action, form, v, applied: { _ in WebRoutes.redirect("/account/password?done=password", visitor: v) },
                                     refused: { refused($0) })
    }

    // MARK: - Users (admins)

    private static func flash(_ key: String?) -> Layout.Flash? {
        switch key {
        case "created": Layout.Flash(text: "The account was created.", isError: false)
        case "role": Layout.Flash(text: "The role was changed.", isError: false)
        case "active": Layout.Flash(text: "The account was updated.", isError: false)
        default: nil
        }
    }

    /// The users page, or why not (403 for roles without user management).
    private func admin(_ request: HTTPRequest) async throws -> Result<Visitor, FormRejection> {
        try await web.visitor(request, holding: .manageUsers)
    }

    /// An admin's posted form with its CSRF token checked, or the page that refuses it.
    private func adminForm(_ request: HTTPRequest) async throws -> Result<(Visitor, FormFields), FormRejection> {
        switch try await admin(request) {
        case .failure(let r): return .failure(r)
        case .success(let v): return web.checkedForm(request, v).map { (v, $0) }
        }
    }

    private func renderUsers(_ v: Visitor, query: AuthAPIRoutes.UserQuery, status: HTTPStatus = .ok, flash: Layout.Flash? = nil,
                             createState: FormState = .empty) async throws -> HTTPResponse {
        let (users, next) = try await query.run(context.accounts)
        let model = AdminUsersPage.Model(visitor: v, csrfToken: web.token(v), query: query, users: users, nextOffset: next, flash: flash,
                                         createState: createState, requestID: context.newBrowserID())
        return html(status, AdminUsersPage.render(model, time: context.time), v)
    }

    func users(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v: Visitor
        switch try await admin(request) {
        case .failure(let r): return r.response
        case .success(let visitor): v = visitor
        }
        let q = (try? FormDecoding.decodeQuery(request.query)) ?? FormFields()
        let query: AuthAPIRoutes.UserQuery
        do { query = try AuthAPIRoutes.UserQuery.parse(q) } catch { return web.errorPage(error.status, error.detail, v) }
        return try await renderUsers(v, query: query, flash: Self.flash(q["done"]))
    }

    func createUser(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, form): (Visitor, FormFields)
        switch try await adminForm(request) {
        case .failure(let r): return r.response
        case .success(let pair): (v, form) = pair
        }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            let state = FormState.refused(refusal, values: web.values(form, ["name", "email", "role"]), knownFields: AdminUsersPage.createFields)
            return try await renderUsers(v, query: AuthAPIRoutes.UserQuery(), status: Problem.status(for: refusal.code), createState: state)
        }
        guard let role = form["role"].flatMap(Role.named) else { return try await refused(Refusal(.validation, "Please choose a role.", field: "role")) }
        let input: AccountInput
        do {
            input = try AccountInput(name: form["name"] ?? "", email: form["email"] ?? "", password: form["password"] ?? "").validated()
        } catch {
            return try await refused(error)
        }
        let hash = await context.auth.hash(input.password)
        let action = CommandAction.createUser(CreateUser(account: input.fields(passwordHash: hash), role: role))
        return try await web.perform(action, form, v, applied: { _ in WebRoutes.redirect("/admin/users?done=created", visitor: v) }, refused: refused)
    }

    /// `role` (a role name) or `active` (`true`/`false`) of one account.
    func updateUser(_ request: HTTPRequest, field: String) async throws -> HTTPResponse {
        let (v, form): (Visitor, FormFields)
        switch try await adminForm(request) {
        case .failure(let r): return r.response
        case .success(let pair): (v, form) = pair
        }
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 18, let n = Int64(raw), n > 0 else {
            return web.errorPage(.notFound, "There is no such account.", v)
        }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            try await renderUsers(v, query: AuthAPIRoutes.UserQuery(), status: Problem.status(for: refusal.code),
                                  flash: Layout.Flash(text: refusal.reason, isError: true))
        }
        var update = UpdateUser(userID: UserID(n))
        if field == "role" {
            guard let role = form["role"].flatMap(Role.named) else { return try await refused(Refusal(.validation, "Please choose a role.", field: "role")) }
            update.role = role
        } else {
            guard let value = form["active"], value == "true" || value == "false" else {
                return try await refused(Refusal(.validation, "Unknown account state.", field: "active"))
            }
            update.active = value == "true"
        }
        if let refusal = AuthAPIRoutes.selfLockout(update, by: v.actor) { return try await refused(refusal) }
        return try await web.perform(.updateUser(update), form, v, applied: { _ in WebRoutes.redirect("/admin/users?done=\(field)", visitor: v) },
                                     refused: refused)
    }
}
