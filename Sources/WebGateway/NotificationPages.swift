import Domain
import HTTPServer
import Notifier

/// The web inbox (`/notifications`) and the notification preferences (`/notifications/preferences`).
///
/// Reading goes to `notifications.db` through the read-only ``InboxReader``; every change (mark
/// read, preferences) is an ``InboxCommand`` to the notifier, its only writer, and then a 303 back
/// (POST → redirect → GET). The inbox is always the visitor's own (``Visitor/inboxKey``): no
/// address or field names another one, and the notifier checks the command's owner again.
struct NotificationPages: Sendable {
    let context: GatewayContext
    private var web: WebRoutes { WebRoutes(context: context) }
    /// Entries per page; older ones follow the "Older notifications" link.
    static let pageSize = 50

    func register(in router: inout Router) {
        router.get("/notifications") { try await inbox($0) }
        router.post("/notifications/read") { try await markRead($0) }
        router.get("/notifications/read") { try await formAddress($0, to: "/notifications") }
        router.get("/notifications/preferences") { try await preferences($0) }
        router.post("/notifications/preferences") { try await savePreferences($0) }
    }

    /// The visitor and their inbox, or the page saying they have none yet.
    private func owner(_ request: HTTPRequest) async throws -> Result<(Visitor, String), FormRejection> {
        let v = try await web.visitor(request)
        guard let key = v.inboxKey else {
            return .failure(FormRejection(web.errorPage(.forbidden, "Enter CampusDesk with your name first: your notifications are kept for this browser once you have entered.", v,
                                                        link: ErrorPage.Link(href: "/", text: "Enter CampusDesk"))))
        }
        return .success((v, key))
    }

    // MARK: - The inbox

    /// `GET /notifications[?before=ID]`: newest first, a page at a time.
    func inbox(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, key): (Visitor, String)
        switch try await owner(request) {
        case .failure(let r): return r.response
        case .success(let o): (v, key) = o
        }
        let query = try? FormDecoding.decodeQuery(request.query)
        let before = query?["before"].flatMap { $0.utf8.count <= 19 ? Int64($0) : nil }.flatMap { $0 > 0 ? $0 : nil }
        var entries = try await context.inbox.entries(of: key, before: before, limit: Self.pageSize + 1)
        let more = entries.count > Self.pageSize
        if more { entries.removeLast() }
        let flash: Layout.Flash? = switch query?["done"] {
        case "read": Layout.Flash(text: "Marked as read.", isError: false)
        case "all-read": Layout.Flash(text: "All notifications are marked as read.", isError: false)
        default: nil
        }
        let model = NotificationsPage.Model(visitor: v, csrfToken: web.token(v), entries: entries, olderThan: more ? entries.last?.id : nil,
                                            isFirstPage: before == nil, flash: flash)
        return WebRoutes.html(.ok, NotificationsPage.render(model, time: context.time), visitor: v)
    }

    /// `POST /notifications/read` with `id` (one entry) or `all` and `through_id` (every entry the page showed).
    func markRead(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, key): (Visitor, String)
        switch try await owner(request) {
        case .failure(let r): return r.response
        case .success(let o): (v, key) = o
        }
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let action: InboxCommand.Action
        let done: String
        if form["all"] != nil {
            guard let through = Self.entryID(form["through_id"]) else { return WebRoutes.redirect("/notifications", visitor: v) }
            (action, done) = (.markAllRead(throughID: through), "all-read")
        } else {
            guard let id = Self.entryID(form["id"]) else {
                return web.errorPage(.unprocessableContent, "Please choose a notification to mark as read.", v, link: Self.back)
            }
            (action, done) = (.markRead(ids: [id]), "read")
        }
        return await perform(InboxCommand(role: v.role, userID: v.user?.id, inbox: key, action: action), v) {
            WebRoutes.redirect("/notifications?done=\(done)", visitor: v)
        } refused: { _ in
            // The only refusal left after the gateway's check: an id that is not in this inbox.
            web.errorPage(.notFound, "There is no such notification among yours.", v, link: Self.back)
        }
    }

    // MARK: - Preferences

    /// `GET /notifications/preferences`: the account's channels and quiet hours.
    func preferences(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, _): (Visitor, String)
        switch try await owner(request) {
        case .failure(let r): return r.response
        case .success(let o): (v, _) = o
        }
        let done = (try? FormDecoding.decodeQuery(request.query))?["done"]
        return try await render(v, flash: done == "saved" ? Layout.Flash(text: "Your preferences are saved.", isError: false) : nil)
    }

    /// `POST /notifications/preferences` with `channels`, `quiet_days`, `quiet_from`, `quiet_to`;
    /// checked as `campusdesk notify-prefs` checks them (``NotificationPreference``, ``ContactWindow``).
    func savePreferences(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, key): (Visitor, String)
        switch try await owner(request) {
        case .failure(let r): return r.response
        case .success(let o): (v, key) = o
        }
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        guard v.user != nil else {
            return web.errorPage(.forbidden, NotificationPreferencesPage.accountsOnly, v, link: Self.back)
        }
        let values = web.values(form, NotificationPreferencesPage.fields)
        switch NotificationPreferencesPage.parse(values) {
        case .invalid(let state):
            return try await render(v, status: .unprocessableContent, state: state)
        case .valid(let channels, let quiet):
            let command = InboxCommand(role: v.role, userID: v.user?.id, inbox: key, action: .setPreference(channels: channels, quietHours: quiet))
            return await perform(command, v) {
                WebRoutes.redirect("/notifications/preferences?done=saved", visitor: v)
            } refused: { reason in
                web.errorPage(.unprocessableContent, reason, v, link: ErrorPage.Link(href: "/notifications/preferences", text: "Back to the preferences"))
            }
        }
    }

    private func render(_ v: Visitor, status: HTTPStatus = .ok, state: FormState? = nil, flash: Layout.Flash? = nil) async throws -> HTTPResponse {
        let stored = if let user = v.user { try await context.inbox.preference(of: user.id) } else { NotificationPreference?.none }
        let model = NotificationPreferencesPage.Model(visitor: v, csrfToken: web.token(v), stored: stored,
                                                      state: state ?? NotificationPreferencesPage.state(of: stored), flash: flash)
        return WebRoutes.html(status, NotificationPreferencesPage.render(model), visitor: v)
    }

    // MARK: - Sending

    static let back = ErrorPage.Link(href: "/notifications", text: "Back to your notifications")

    /// Checks the command as the notifier will, sends it, and turns each outcome into a page.
    private func perform(_ command: InboxCommand, _ v: Visitor, applied: () -> HTTPResponse,
                         refused: (String) -> HTTPResponse) async -> HTTPResponse {
        if let refusal = command.refusal { return web.errorPage(.forbidden, refusal, v, link: Self.back) }
        guard let sender = context.inboxCommands else {
            return web.errorPage(.serviceUnavailable, "Notifications cannot be changed at the moment. Please try again in a few minutes.", v, link: Self.back)
        }
        switch await sender.send(command, timeout: context.settings.commandTimeout) {
        case .replied(let reply):
            if let refusal = reply.refusal { return refused(refusal) }
            return applied()
        case .queued:
            context.logger.warning("inbox command queued without reply")
            return web.errorPage(.accepted, "Your change was received and is queued. The notification service is busy or restarting; it will be applied shortly. You do not need to send it again.", v, link: Self.back)
        case .unavailable(let reason):
            context.logger.error("inbox command not enqueued", ["reason": reason])
            return web.errorPage(.serviceUnavailable, "The helpdesk cannot take requests at the moment and nothing was saved. Please try again in a few minutes.", v, link: Self.back)
        }
    }

    /// A form's address opened as a page leads to the page holding the form.
    private func formAddress(_ request: HTTPRequest, to path: String) async throws -> HTTPResponse {
        WebRoutes.redirect(path, visitor: try await web.visitor(request))
    }

    static func entryID(_ raw: String?) -> Int64? {
        guard let raw, raw.utf8.count <= 19, let n = Int64(raw), n > 0 else { return nil }
        return n
    }
}
