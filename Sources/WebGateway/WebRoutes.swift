import Domain
import SpoolBroker
import HTTPServer

/// The HTML side of the gateway: pages, forms and the dashboard.
///
/// Every state change follows one path: same-origin and CSRF check, permission check
/// (`Permissions`, through ``TicketAccess``), command to the worker, then 303 to the ticket with a
/// flash (applied), the form again with the reason beside the field (refused), a "queued" page
/// (202) or a "try again" page (503).
///
/// On the network desk every page here needs a session: without one it is a 303 to `/login`
/// (``LoginRequired``); the login, registration and account pages are ``AccountPages``.
struct WebRoutes: Sendable {
    let context: GatewayContext

    /// Adds the pages to the root group, whose errors ``WebErrors`` renders.
    func register(in router: inout Router) {
        router.get("/") { try await entry($0) }
        router.post("/session") { try await session($0) }
        router.get("/static/app.css") { Stylesheet.response(for: $0) }
        router.get("/static/dashboard.js") { DashboardScript.asset.response(for: $0) }
        router.get("/static/forms.js") { FormsScript.asset.response(for: $0) }
        router.get("/favicon.ico") { Favicon.asset.response(for: $0) }
        router.get("/tickets") { try await list($0) }
        router.get("/tickets/new") { try await newTicket($0) }
        router.post("/tickets") { try await create($0) }
        router.get("/tickets/:id") { try await show($0) }
        router.post("/tickets/:id/edit") { try await edit($0) }
        router.post("/tickets/:id/status") { try await changeStatus($0) }
        router.post("/tickets/:id/messages") { try await postMessage($0) }
        router.post("/tickets/:id/category") { try await setCategory($0) }
        router.post("/tickets/:id/issue-type") { try await setIssueType($0) }
        router.post("/tickets/:id/triage") { try await triage($0) }
        // Engineers are accounts: the network desk's, or the campus desk's staff directory.
        router.post("/tickets/:id/assign") { try await assign($0) }
        // "Me too" and merges (WebRoutes+Follow).
        router.post("/tickets/:id/follow") { try await follow($0) }
        router.get("/tickets/similar") { try await similarJSON($0) }
        router.post("/tickets/:id/merge") { try await merge($0) }
        // A form's address opened as a page (reloaded after an error, bookmarked, typed) leads to
        // the page that holds the form instead of a 405.
        for form in ["edit", "status", "messages", "category", "issue-type", "triage", "assign", "follow", "merge"] {
            router.get("/tickets/:id/\(form)") { try await formAddress($0) }
        }
        router.get("/session") { try await formAddress($0) }
        router.get("/dashboard") { try await dashboard($0) }
        router.get("/dashboard/open-tickets.csv") { try await csv($0, .openTickets) }
        router.get("/dashboard/resolution-time.csv") { try await csv($0, .resolutionTime) }
        router.get("/dashboard/category-load.csv") { try await csv($0, .categoryLoad) }
        router.get("/dashboard/service-levels") { try await serviceLevels($0) }
        for table in ServiceLevelsTable.allCases {
            router.get("/dashboard/service-levels/\(table.rawValue).csv") { try await managerCSV($0, table) }
        }
    }

    // MARK: - Responses

    /// An HTML response (a page rendered as UTF-8 bytes) that also sets the browser cookie when the visitor is new.
    static func html(_ status: HTTPStatus, _ page: [UInt8], visitor: Visitor, preferences: Bool = false) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/html; charset=utf-8")
        var r = HTTPResponse(status: status, headers: headers, body: page)
        r.headers.set("Cache-Control", "no-store")
        for c in visitor.cookieHeaders(includingPreferences: preferences) { r.headers.add("Set-Cookie", c) }
        return r
    }

    static func redirect(_ location: String, visitor: Visitor, preferences: Bool = false) -> HTTPResponse {
        var r = HTTPResponse(status: .seeOther)
        r.headers.set("Location", location)
        for c in visitor.cookieHeaders(includingPreferences: preferences) { r.headers.add("Set-Cookie", c) }
        return r
    }

    /// The visitor of a page that needs one: on the network desk, a signed-in account (else ``LoginRequired``).
    ///
    /// A known person's unread notifications are counted for the header: one range of the inbox's
    /// partial index (``InboxReader/unreadCount(of:)``); a failing read costs only the number.
    func visitor(_ request: HTTPRequest) async throws -> Visitor {
        var v = try await context.auth.visitor(request, newBrowserID: context.newBrowserID)
        if v.authMode == .accounts && v.user == nil { throw LoginRequired(request) }
        if let key = v.inboxKey {
            do {
                v.unreadNotifications = try await context.inbox.unreadCount(of: key)
            } catch {
                context.logger.warning("inbox not read", ["error": String(describing: error).prefix(200).description])
            }
        }
        return v
    }

    /// The visitor of a page only some roles may open; for the others, the 403 page saying why.
    func visitor(_ request: HTTPRequest, holding permission: Permission) async throws -> Result<Visitor, FormRejection> {
        let v = try await visitor(request)
        guard Permissions.mayEver(v.actor, permission) else {
            return .failure(FormRejection(errorPage(.forbidden, TicketAccess.refusal(v.actor, permission).reason, v)))
        }
        return .success(v)
    }

    /// The CSRF token of this visitor's forms, carrying who they were rendered for (``FormIdentity``).
    func token(_ v: Visitor) -> String { context.csrf.token(forBrowser: v.browserID, identity: FormIdentity(v)) }

    func errorPage(_ status: HTTPStatus, _ message: String, _ v: Visitor, link: ErrorPage.Link? = nil) -> HTTPResponse {
        Self.html(status, ErrorPage.render(status: status, message: message, visitor: v, csrfToken: token(v), link: link), visitor: v)
    }

    // MARK: - Entry and session

    /// The campus desk's entry page; on the network desk, the visitor's start page (or the login).
    func entry(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        if v.authMode == .accounts, let user = v.user { return Self.redirect(StartPage.path(for: user), visitor: v) }
        let directory = try await context.accounts.staffDirectory(limit: Self.directoryLimit)
        return Self.html(.ok, EntryPage.render(visitor: v, csrfToken: token(v), directory: directory), visitor: v)
    }

    func session(_ request: HTTPRequest) async throws -> HTTPResponse {
        // Choosing a role is the campus desk's; on the network desk the role is the account's.
        guard context.authMode == .open else { throw RouteError(.notFound) }
        var v = try await visitor(request)
        let form: FormFields
        switch checkedForm(request, v, sameIdentity: false) {
        case .failure(let rejection): return rejection.response
        case .success(let f): form = f
        }
        func refuse(_ field: String, _ message: String) async throws -> HTTPResponse {
            let state = FormState(values: ["name": form["name"] ?? "", "role": form["role"] ?? "", "staff_id": form["staff_id"] ?? ""], errors: [field: message])
            let directory = try await context.accounts.staffDirectory(limit: Self.directoryLimit)
            return Self.html(.unprocessableContent, EntryPage.render(visitor: v, csrfToken: token(v), state: state, directory: directory), visitor: v)
        }
        guard let role = form["role"].flatMap(Role.init(rawValue:)), Role.openModeRoles.contains(role) else {
            return try await refuse("role", "Please choose how you want to act.")
        }
        v.user = nil
        v.role = role
        v.name = form.trimmed("name").map { String($0.prefix(TextLimits.maxShortField)) }
        if let raw = form["staff_id"], !raw.isEmpty {
            guard role == .agent else { return try await refuse("staff_id", "Only helpdesk staff pick themselves from the staff directory; choose \u{201C}Helpdesk staff\u{201D} or \u{201C}Nobody in particular\u{201D}.") }
            let id = Self.accountNumber(raw)
            guard let id, let person = try await context.accounts.user(id), person.active, Role.staffDirectoryRoles.contains(person.role) else {
                return try await refuse("staff_id", "That person is not in the staff directory (any more); please pick again.")
            }
            v = v.picked(person)
        }
        return Self.redirect(v.user.map(StartPage.path(for:)) ?? "/tickets", visitor: v, preferences: true)
    }

    // MARK: - Reading

    /// The list page; a malformed or refused query is the error page (a thrown ``Problem``).
    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        let q: FormFields
        do { q = try FormDecoding.decodeQuery(request.query) } catch { return errorPage(.badRequest, "The address is malformed.", v) }
        let filter: TicketFilter
        let order = TicketListQuery.pageOrder(v.actor, query: q)
        let anchor: TicketPageAnchor?
        // One instant for the page: the `sla` filter and every row's SLA badge and age are of it.
        let now = context.clock.now()
        do {
            var parsed = try await TicketListQuery.filter(from: q, actor: v.actor, mode: v.authMode, defaultOrder: order, accounts: context.accounts)
            parsed.sla = try TicketListQuery.slaState(from: q)
            parsed.slaNow = now
            filter = parsed
            anchor = try TicketListQuery.anchor(from: q, order: filter.order)
        } catch let problem as Problem { return errorPage(problem.status, problem.detail, v) }
        // Staff choose whose tickets in the form: anyone, nobody, themselves, or an engineer (names
        // only: counting their tickets cost as much as the rows, docs/performance.md). The engineers
        // are read with the rows, below.
        let seesQueues = TicketListQuery.seesQueues(v.actor)
        let selectedAssignee = q["assigned_to"].flatMap { $0.isEmpty ? nil : $0 } ?? q["assignee_id"] ?? ""
        // A simple user of the campus desk finds the closed tickets this browser reported here (the list has none).
        var closedReports: [Ticket] = []
        if v.authMode == .open, !v.role.isStaff, filter.cursor == nil || anchor != nil, let key = ReporterKey.digest(of: v) {
            closedReports = try await context.tickets.closedReports(keyDigest: key, limit: ClosedReportsSection.limit)
        }
        do {
            var model = TicketListPage.Model(
                visitor: v, csrfToken: token(v), text: filter.text, category: filter.category,
                status: filter.statuses.count == 1 ? filter.statuses.first : nil, flash: q["done"].flatMap(Self.flash),
                isContinuation: filter.cursor != nil,
                assigneeID: q["assignee_id"] == nil && q["assigned_to"] == nil ? nil : filter.assigneeID, assignee: nil,
                order: filter.order, defaultOrder: order, severity: q["severity"] ?? "", priority: q["priority"] ?? "",
                showsTriage: v.role.isStaff, workQueue: filter.order == .priority && q["status"]?.isEmpty != false,
                closedReports: closedReports)
            model.lowConfidence = filter.lowConfidence
            model.sla = filter.sla
            model.statuses = q["status"] ?? ""
            model.cursor = filter.cursor?.encoded
            model.limit = filter.limit
            model.now = now
            let time = context.time
            let page = model
            let me = v.actor.userID
            // Counted and rendered while the reader's statement steps, in one snapshot (the
            // engineers for the form too): no `Ticket` per row, one pooled connection per page.
            // A search is counted less far (`TicketCount.searchCap`): its count read most of its page's time.
            let cap = filter.text == nil ? TicketCount.defaultCap : TicketCount.searchCap
            let bytes = try await context.tickets.withListRows(filter, from: anchor, countingUpTo: cap,
                                                               engineers: seesQueues) { rows, count, engineers in
                var model = page
                model.count = count
                if seesQueues {
                    let assignee = TicketListPage.AssigneeFilter(selected: selectedAssignee, engineers: engineers, me: me)
                    model.assignee = assignee
                    if let id = Self.accountNumber(selectedAssignee), id != me {
                        model.assigneeName = engineers.first { $0.id == id }?.name
                    }
                }
                if anchor != nil {
                    // The page the previous or last link named, found by the store: its own cursor from here on.
                    model.cursor = rows.start?.encoded
                    model.isContinuation = rows.start != nil
                    if rows.start != nil { model.closedReports = [] }
                }
                return try TicketListPage.renderBytes(model, rows: &rows, time: time)
            }
            return Self.html(.ok, bytes, visitor: v)
        }
    }

    func newTicket(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard Permissions.mayEver(v.actor, .reportTicket) else { return errorPage(.forbidden, TicketAccess.refusal(v.actor, .reportTicket).reason, v) }
        // A place poster's QR code opens `/tickets/new?location=…` (``PosterPages``): the place is filled in.
        var state = FormState.empty
        if let place = (try? FormDecoding.decodeQuery(request.query))?["location"],
           let checked = try? TicketRules.shortField(place, field: "location") {
            state.values["location"] = checked
        }
        return Self.html(.ok, try await newTicketPage(v, state: state), visitor: v)
    }

    /// The report form with the offered issue types (and the input and errors of a refused submit).
    private func newTicketPage(_ v: Visitor, state: FormState = .empty) async throws -> [UInt8] {
        NewTicketPage.render(visitor: v, csrfToken: token(v), requestID: context.newBrowserID(),
                             issueTypes: try await context.tickets.issueTypes(), state: state)
    }

    /// 303 to the ticket whose form posts to this address (the entry page for `/session`).
    func formAddress(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        if request.pathParameters["id"] == nil { return Self.redirect("/", visitor: v) }
        guard let id = ticketID(request) else { return errorPage(.notFound, "There is no such ticket.", v) }
        return Self.redirect("/tickets/\(id)", visitor: v)
    }

    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard let id = ticketID(request) else { return errorPage(.notFound, "There is no such ticket.", v) }
        let q = try? FormDecoding.decodeQuery(request.query)
        let done = q?["done"]
        let from = q?["from"].map { TicketListQuery.returnQuery($0, actor: v.actor, mode: v.authMode) } ?? ""
        return try await renderTicket(id, v, status: .ok, flash: done.flatMap(Self.flash), failed: nil, state: .empty, done: done, listQuery: from)
    }

    /// The ticket page; 404 for a missing ticket and for one the visitor may not see (on the campus
    /// desk a closed ticket another browser reported, on the network desk another customer's).
    /// `done` names the change just made, for a notice that says what it is now (`OutcomeText`).
    private func renderTicket(_ id: TicketID, _ v: Visitor, status: HTTPStatus, flash: Layout.Flash?, failed: TicketDetailPage.FormKind?, state: FormState,
                              done: String? = nil, listQuery: String = "") async throws -> HTTPResponse {
        guard let detail = try await context.tickets.detail(id),
              try await TicketAccess.mayRead(v.actor, detail.ticket, mode: v.authMode, reporterKey: ReporterKey.digest(of: v), tickets: context.tickets) else {
            return errorPage(.notFound, Self.noSuchTicket(v), v)
        }
        var model = TicketDetailPage.Model(visitor: v, csrfToken: token(v), detail: detail, flash: flash, failedForm: failed,
                                           state: state, requestID: context.newBrowserID())
        model.listQuery = listQuery
        model.attachments = try await context.tickets.attachments(of: id)
        model.now = context.clock.now()
        // The assignee, and the engineers to choose from (both desks: on the campus desk they are
        // the staff directory's; with nobody to choose, the page shows no assign form).
        let t = detail.ticket
        if let id = t.assigneeID { model.assignee = try await context.accounts.user(id) }
        let permission = TicketAccess.assignPermission(current: t.assigneeID, new: UserID(0))
        if t.status != .closed, Permissions.allows(v.actor, .assignTicket, on: t.parties) || Permissions.allows(v.actor, permission, on: t.parties) {
            model.engineers = try await context.accounts.engineers()
        }
        if Permissions.allows(v.actor, .setCategory, on: t.parties) || Permissions.allows(v.actor, .triageTicket, on: t.parties) {
            model.suggestion = try await context.tickets.suggestion(id)
        }
        // Staff choose among the types (the ticket's own retired one too) and read them in the trail.
        if v.role.isStaff { model.issueTypes = try await context.tickets.issueTypes(includingRetired: true) }
        // Staff see the audit trail, with assignees by name.
        if v.role.isStaff {
            let history = try await context.tickets.history(id)
            for person in HistoryTimeline.people(in: history) {
                model.people[person] = try await context.accounts.user(person)?.name
            }
            model.history = history
        }
        if let done, let named = OutcomeText.flash(done, model) { model.flash = named }
        model.similar = try await similarAfterReport(t, done: done)
        model.reportedByVisitor = try await reportedBy(v, t)
        return Self.html(status, TicketDetailPage.renderBytes(model, time: context.time), visitor: v)
    }

    /// The 404 of a ticket page: for a simple user on the campus desk, what "closed" means for them.
    static func noSuchTicket(_ v: Visitor) -> String {
        guard v.authMode == .open, !v.role.isStaff else { return "There is no such ticket." }
        return "There is no such ticket, or it is closed and was reported from another browser (a closed ticket shows only in the browser that reported it)."
    }

    func ticketID(_ request: HTTPRequest) -> TicketID? {
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 19, let n = Int64(raw), n > 0 else { return nil }
        return TicketID(n)
    }

    static func flash(_ key: String) -> Layout.Flash? {
        switch key {
        case "created": Layout.Flash(text: "Thank you: your report was filed.", isError: false)
        case "edited": Layout.Flash(text: "Your changes were saved.", isError: false)
        case "status": Layout.Flash(text: "The status was changed.", isError: false)
        case "reopened": Layout.Flash(text: "The ticket was reopened (now active); your reason is in its history.", isError: false)
        case "message": Layout.Flash(text: "Your message was posted.", isError: false)
        case "created-file-missing": Layout.Flash(text: "Your report was filed, but the file could not be attached. Please add it with a message below.", isError: true)
        case "message-file-missing": Layout.Flash(text: "Your message was posted, but the file could not be attached. Please send it again with a message.", isError: true)
        case "edited-files": Layout.Flash(text: "Your changes were saved and your files added to the ticket.", isError: false)
        case "edited-file-missing": Layout.Flash(text: "Your changes were saved, but a file could not be added. Please add it again under \u{201C}Edit the report\u{201D}.", isError: true)
        case "repeat-report": Layout.Flash(text: "You had already sent this report: it is this ticket, so nothing was filed twice.", isError: false)
        case "repeat-message": Layout.Flash(text: "You had already sent this message: it is below, posted once.", isError: false)
        case "category": Layout.Flash(text: "The category was changed.", isError: false)
        case "issue-type": Layout.Flash(text: "The issue type was changed.", isError: false)
        case "triage": Layout.Flash(text: "The triage was changed.", isError: false)
        case "assigned": Layout.Flash(text: "The assignment was changed.", isError: false)
        case "followed": Layout.Flash(text: "Thank you: you are now counted among the people this problem affects.", isError: false)
        case "merged": Layout.Flash(text: "The duplicate was merged into this ticket and closed.", isError: false)
        default: nil
        }
    }

    // MARK: - Changing

    /// Same-origin, content type, decoding and CSRF token: the gate in front of every POST. With
    /// `sameIdentity` (all but the role switch, which changes the identity), a form rendered for
    /// another role, account or name than the visitor's now is refused (409) naming both.
    func checkedForm(_ request: HTTPRequest, _ v: Visitor, sameIdentity: Bool = true) -> Result<FormFields, FormRejection> {
        guard CSRFProtection.isSameOrigin(request) else {
            return .failure(FormRejection(errorPage(.forbidden, "This form was sent from another site and was not accepted.", v)))
        }
        let type = request.headers["Content-Type"]?.lowercased() ?? ""
        let form: FormFields
        if let upload = request.streamedBody?.value as? ReceivedUpload {
            // A form with a file (multipart/form-data): its fields, the CSRF token among them.
            form = upload.form
        } else {
            guard type.hasPrefix("application/x-www-form-urlencoded") else {
                return .failure(FormRejection(errorPage(.unsupportedMediaType, "This form could not be read.", v)))
            }
            guard let decoded = try? FormDecoding.decode(request.body) else {
                return .failure(FormRejection(errorPage(.badRequest, "This form could not be read.", v)))
            }
            form = decoded
        }
        let expired = FormRejection(errorPage(.forbidden, "This form has expired or did not come from CampusDesk. Please go back, reload the page and send it again.", v))
        guard !v.isNewBrowser else { return .failure(expired) }
        switch context.csrf.check(token: form["csrf_token"], browserID: v.browserID, identity: FormIdentity(v)) {
        case .invalid: return .failure(expired)
        case .renderedFor(let other) where sameIdentity:
            return .failure(FormRejection(errorPage(.conflict, "Nothing was saved: this page was opened as \(other.words), but this browser now acts as \(FormIdentity(v).words) (changed in another tab or window). Reload the page to continue as \(FormIdentity(v).words), or switch back first.", v)))
        case .valid, .renderedFor: return .success(form)
        }
    }

    func commandID(_ form: FormFields) -> CommandID {
        form["request_id"].flatMap { IdempotencyKey.commandID($0, scope: "form") } ?? .random()
    }

    /// Sends a command and turns each outcome into the page the visitor sees.
    ///
    /// `concerns` is the ticket the command changes: the "queued" page links to it.
    func perform(_ action: CommandAction, _ form: FormFields, _ v: Visitor, id: CommandID? = nil, concerns ticket: TicketID? = nil,
                         applied: (CommandReply) -> HTTPResponse, refused: (Refusal) async throws -> HTTPResponse) async throws -> HTTPResponse {
        if let refusal = CommandValidation.check(action) { return try await refused(refusal) }
        let command = Command(id: id ?? commandID(form), actor: v.actor, action: action, channel: .web, actorName: v.name)
        switch await context.commands.send(command, timeout: context.settings.commandTimeout) {
        case .replied(let reply):
            if let refusal = reply.refusal { return try await refused(refusal) }
            return applied(reply)
        case .queued:
            context.logger.warning("command queued without reply", ["command.id": command.id.rawValue])
            guard let ticket else {
                let what = if case .createTicket = action { "your report will be filed shortly and appear under the tickets" } else { "your change will be applied shortly" }
                return errorPage(.accepted, "Your request was received and is queued. The ticket service is busy or restarting; \(what). You do not need to send it again.", v)
            }
            let what = if case .postMessage = action { "your message will appear under ticket #\(ticket.rawValue) shortly" } else { "your change to ticket #\(ticket.rawValue) will be applied shortly" }
            return errorPage(.accepted, "Your request was received and is queued. The ticket service is busy or restarting; \(what). You do not need to send it again.", v,
                             link: ErrorPage.Link(href: "/tickets/\(ticket.rawValue)", text: "Back to ticket #\(ticket.rawValue)"))
        case .unavailable(let reason):
            context.logger.error("command not enqueued", ["command.id": command.id.rawValue, "reason": reason])
            return errorPage(.serviceUnavailable, "The helpdesk cannot take requests at the moment and nothing was saved. Please try again in a few minutes.", v)
        }
    }

    /// `perform` for a new report or message, sent under its `RepeatKey`: when the same text from
    /// this browser was applied in this window or the one before, nothing is sent and `repeated`
    /// shows where it went.
    func performOnce(_ action: CommandAction, _ form: FormFields, _ v: Visitor, key: RepeatKey, concerns ticket: TicketID? = nil,
                     applied: (CommandReply) -> HTTPResponse, repeated: (CommandReply) -> HTTPResponse,
                     refused: (Refusal) async throws -> HTTPResponse) async throws -> HTTPResponse {
        if let refusal = CommandValidation.check(action) { return try await refused(refusal) }
        // A read that fails (the worker is starting) only loses the notice: the worker still applies an
        // id once. (If the first id was applied longer ago than the window, that send is then answered
        // with the old reply instead of filing anew: rare, and nothing is filed twice.)
        let decision = (try? await RepeatDecision.decide(key, now: context.clock.now()) { id in
            try await context.tickets.appliedReply(id)
        }) ?? .send(key.first)
        switch decision {
        case .repeated(let reply): return repeated(reply)
        case .send(let id): return try await perform(action, form, v, id: id, concerns: ticket, applied: applied, refused: refused)
        case .sendUnderFormID: return try await perform(action, form, v, id: nil, concerns: ticket, applied: applied, refused: refused)
        }
    }

    func values(_ form: FormFields, _ names: Set<String>) -> [String: String] {
        var out: [String: String] = [:]
        for n in names { if let value = form[n] { out[n] = value } }
        return out
    }

    func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        let form: FormFields
        switch checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        guard Permissions.mayEver(v.actor, .reportTicket) else { return errorPage(.forbidden, TicketAccess.refusal(v.actor, .reportTicket).reason, v) }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            let state = FormState.refused(refusal, values: values(form, NewTicketPage.fields), knownFields: NewTicketPage.fields)
            return Self.html(Problem.status(for: refusal.code), try await newTicketPage(v, state: state), visitor: v)
        }
        let impact = form["impact"].flatMap { $0.isEmpty ? nil : $0 }
        guard impact == nil || Impact(rawValue: impact!) != nil else {
            return try await refused(Refusal(.validation, "Please choose who is affected.", field: "impact"))
        }
        let issueType: IssueTypeID?
        switch IssueTypeSelect.parse(form["issue_type_id"]) {
        case .failure(let refusal): return try await refused(refusal)
        case .success(let id): issueType = id
        }
        let action = CommandAction.createTicket(CreateTicket(description: form["description"] ?? "", location: form.trimmed("location"),
                                                             reporter: form.trimmed("reporter"), impact: impact.flatMap(Impact.init(rawValue:)),
                                                             contactEmail: form.trimmed("contact_email"), contactPhone: form.trimmed("contact_phone"),
                                                             preferredContactTime: form.trimmed("preferred_contact_time"), issueTypeID: issueType,
                                                             reporterKeyDigest: ReporterKey.digest(of: v)))
        // Files first: a refused file returns the form and files nothing; a stored one is on disk before its command.
        let files: [AttachmentIntake.Prepared]
        switch try await prepareFiles(request, ticket: nil) {
        case .failure(let refusal): return try await refused(refusal)
        case .success(let p): files = p
        }
        let key = RepeatKey(form: "report", browserID: v.browserID, actor: v.actor, text: form["description"] ?? "")
        var created: TicketID?
        let response = try await performOnce(action, form, v, key: key, applied: { reply in
            guard let ticket = reply.ticket else { return Self.redirect("/tickets?done=created", visitor: v) }
            created = ticket.id
            return Self.redirect("/tickets/\(ticket.id)?done=created", visitor: v)
        }, repeated: { reply in
            guard let ticket = reply.ticket else { return Self.redirect("/tickets?done=created", visitor: v) }
            return Self.redirect("/tickets/\(ticket.id)?done=repeat-report", visitor: v)
        }, refused: refused)
        if let created, !files.isEmpty, await !attach(files, ticket: created, message: nil, v) {
            return Self.redirect("/tickets/\(created)?done=created-file-missing", visitor: v)
        }
        if created == nil, !files.isEmpty, response.status == .accepted {
            return filesNotAdded(files.count, v, after: "your report shows under the tickets", ticket: nil)
        }
        return response
    }

    /// The "queued" page of a form whose files were not sent: they go only once its command is
    /// applied (they need the ticket, the message, or the edit's outcome), so the page says to add
    /// them again instead of "you do not need to send it again". Their stored copies wait for the sweep.
    private func filesNotAdded(_ count: Int, _ v: Visitor, after what: String, ticket: TicketID?) -> HTTPResponse {
        let files = count == 1 ? "the file you chose was not added" : "the \(count) files you chose were not added"
        return errorPage(.accepted, "Your request was received and is queued: the ticket service is busy or restarting and will apply it shortly, "
                         + "but \(files). Once \(what), please add \(count == 1 ? "it" : "them") again.", v,
                         link: ticket.map { ErrorPage.Link(href: "/tickets/\($0.rawValue)", text: "Back to ticket #\($0.rawValue)") })
    }

    /// The shared shape of the POSTs on one ticket: form gate, permission gate, command.
    ///
    /// `permission` names what the form does; for the assignment it depends on the ticket's
    /// current assignee, so `permissionFor` may pick it once the ticket is read. `rule` checks the
    /// change against the ticket as read (the worker's own rule, for an early answer beside the form).
    /// `onceBy` names the field whose text makes a repeat the same command (`RepeatKey`: a message sent twice).
    /// `withFiles`: the form's files are checked and stored before its command and attached after it
    /// (``prepareFiles(_:ticket:)``, ``attach(_:ticket:message:_:under:)``); `filesUnderForm` sends
    /// them under ids derived from the form's own command id, so a resubmit attaches nothing twice
    /// (the edit form: without `onceBy`, a resubmit is the same command id and its stored reply).
    private func onTicket(_ request: HTTPRequest, kind: TicketDetailPage.FormKind, fields: Set<String>, permission: Permission, done: String,
                          permissionFor: ((Ticket, FormFields) -> Permission)? = nil,
                          rule: ((Ticket, CommandAction, Visitor) -> Refusal?)? = nil, doneFor: ((CommandAction) -> String)? = nil,
                          onceBy: String? = nil, withFiles: Bool = false, filesUnderForm: Bool = false,
                          action: (TicketID, FormFields, Visitor) -> Result<CommandAction, Refusal>) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard let id = ticketID(request) else { return errorPage(.notFound, "There is no such ticket.", v) }
        let form: FormFields
        switch checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let read: Ticket?
        switch try await TicketAccess.gate(v.actor, permission, ticket: id, tickets: context.tickets, mode: v.authMode,
                                           reporterKey: ReporterKey.digest(of: v), alwaysRead: permissionFor != nil || rule != nil) {
        case .notFound: return errorPage(.notFound, Self.noSuchTicket(v), v)
        case .forbidden(let refusal): return errorPage(.forbidden, refusal.reason, v)
        case .allowed(let ticket):
            read = ticket
            if let permissionFor, let ticket {
                let needed = permissionFor(ticket, form)
                if needed != permission, !Permissions.allows(v.actor, needed, on: ticket.parties) {
                    return errorPage(.forbidden, TicketAccess.refusal(v.actor, needed, on: ticket.parties).reason, v)
                }
            }
        }
        // The list the ticket page was reached from (its forms carry `from`), checked as on a GET.
        let back = form["from"].map { TicketListQuery.returnQuery($0, actor: v.actor, mode: v.authMode) } ?? ""
        let fromSuffix = back.isEmpty ? "" : "&from=" + FormDecoding.percentEncode(back)
        let refusedPage: (Refusal) async throws -> HTTPResponse = { refusal in
            let state = FormState.refused(refusal, values: values(form, fields), knownFields: fields)
            return try await renderTicket(id, v, status: Problem.status(for: refusal.code), flash: nil, failed: kind, state: state, listQuery: back)
        }
        switch action(id, form, v) {
        case .failure(let refusal): return try await refusedPage(refusal)
        case .success(let a):
            if let rule, let read, let refusal = rule(read, a, v) { return try await refusedPage(refusal) }
            var files: [AttachmentIntake.Prepared] = []
            if withFiles {
                switch try await prepareFiles(request, ticket: id) {
                case .failure(let refusal): return try await refusedPage(refusal)
                case .success(let p): files = p
                }
            }
            // With files the notice says so (`edited-files`); a missing file has its own (`…-file-missing`).
            let outcome = doneFor?(a) ?? done
            let formCommand = commandID(form)
            var appliedReply: CommandReply?
            let applied = { (reply: CommandReply) -> HTTPResponse in
                appliedReply = reply
                let notice = filesUnderForm && !files.isEmpty ? outcome + "-files" : outcome
                return Self.redirect("/tickets/\(id)?done=\(notice)\(fromSuffix)", visitor: v)
            }
            let response: HTTPResponse
            if let onceBy {
                let key = RepeatKey(form: "\(kind) \(id)", browserID: v.browserID, actor: v.actor, text: form[onceBy] ?? "")
                response = try await performOnce(a, form, v, key: key, concerns: id, applied: applied,
                                                 repeated: { _ in Self.redirect("/tickets/\(id)?done=repeat-\(done)\(fromSuffix)", visitor: v) }, refused: refusedPage)
            } else {
                response = try await perform(a, form, v, id: formCommand, concerns: id, applied: applied, refused: refusedPage)
            }
            if let reply = appliedReply, !files.isEmpty,
               await !attach(files, ticket: id, message: reply.message?.id, v, under: filesUnderForm ? formCommand : nil) {
                return Self.redirect("/tickets/\(id)?done=\(outcome)-file-missing\(fromSuffix)", visitor: v)
            }
            if appliedReply == nil, !files.isEmpty, response.status == .accepted {
                let what = kind == .message ? "your message shows under ticket #\(id.rawValue)" : "your change shows on ticket #\(id.rawValue)"
                return filesNotAdded(files.count, v, after: what, ticket: id)
            }
            return response
        }
    }

    /// The reporter's text and contact fields, and files to add (the form is multipart; a save with
    /// the text unchanged and a file chosen only adds the file). A refused file returns the form with
    /// what was typed and sends nothing; the files go after the edit is applied, under ids derived
    /// from the form's request id, so a resubmitted form adds none twice.
    func edit(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .edit, fields: TicketDetailPage.editFields, permission: .editTicket, done: "edited",
                           withFiles: true, filesUnderForm: true) { id, f, _ in
            .success(.editTicket(EditTicket(ticketID: id, description: f["description"], location: f["location"].map { $0.trimmingWhitespace() },
                                            reporter: f["reporter"].map { $0.trimmingWhitespace() },
                                            contactEmail: f["contact_email"], contactPhone: f["contact_phone"],
                                            preferredContactTime: f["preferred_contact_time"])))
        }
    }

    /// A step along the lifecycle. Closing asks first: without `confirm=yes` (the form's required
    /// checkbox) nothing is sent. Reopening a closed ticket takes a `reason`; who may, and that the
    /// reason is there, is the worker's rule (`TicketRules.checkTransition`), checked here first on
    /// the ticket as read.
    func changeStatus(_ request: HTTPRequest) async throws -> HTTPResponse {
        // The status is a hidden field, so its refusal shows as the form's error.
        try await onTicket(request, kind: .status, fields: ["confirm", "reason"], permission: .changeStatus, done: "status",
                           rule: { ticket, action, v in
                               // Already there: a resubmit (same request id) gets the stored answer from the worker.
                               guard case .changeStatus(let change) = action, change.status != ticket.status else { return nil }
                               do throws(Refusal) {
                                   try TicketRules.checkTransition(from: ticket.status, to: change.status, reason: change.reason, actor: v.actor,
                                                                   on: ticket.parties, desk: v.authMode)
                                   return nil
                               } catch { return error }
                           },
                           doneFor: { action in
                               if case .changeStatus(let c) = action, c.status == .active, c.reason != nil { return "reopened" }
                               return "status"
                           }) { id, f, _ in
            guard let s = f["status"].flatMap(Status.init(rawValue:)) else { return .failure(Refusal(.validation, "Unknown status.", field: "status")) }
            if s == .closed, f["confirm"] != "yes" {
                return .failure(Refusal(.validation, "Nothing was changed: tick \u{201C}Yes, close this ticket\u{201D} to confirm, then Close ticket.", field: "confirm"))
            }
            return .success(.changeStatus(ChangeStatus(ticketID: id, status: s, reason: f["reason"])))
        }
    }

    func postMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .message, fields: TicketDetailPage.messageFields, permission: .postMessage, done: "message", onceBy: "body",
                           withFiles: true) { id, f, v in
            // On the network desk a message is signed with the account's name.
            .success(.postMessage(PostMessage(ticketID: id, body: f["body"] ?? "", authorName: v.user?.name ?? f.trimmed("author_name"))))
        }
    }

    func setCategory(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .category, fields: ["category"], permission: .setCategory, done: "category") { id, f, _ in
            guard let c = f["category"].flatMap(Category.init(rawValue:)) else { return .failure(Refusal(.validation, "Please choose a category.", field: "category")) }
            return .success(.setCategory(SetCategory(ticketID: id, category: c)))
        }
    }

    /// `issue_type_id`: a type's number, or empty for none; the category follows the type.
    func setIssueType(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .issueType, fields: ["issue_type_id"], permission: .setCategory, done: "issue-type") { id, f, _ in
            IssueTypeSelect.parse(f["issue_type_id"]).map { .setIssueType(SetIssueType(ticketID: id, issueTypeID: $0)) }
        }
    }

    /// Severity (empty: leave as it is), people affected, and priority (`auto` or P1–P4).
    func triage(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .triage, fields: ["severity", "impact", "priority"], permission: .triageTicket, done: "triage") { id, f, _ in
            var change = SetTriage(ticketID: id)
            if let raw = f["severity"], !raw.isEmpty {
                guard let s = Severity(rawValue: raw) else { return .failure(Refusal(.validation, "Please choose a severity.", field: "severity")) }
                change.severity = s
            }
            if let raw = f["impact"], !raw.isEmpty {
                guard let i = Impact(rawValue: raw) else { return .failure(Refusal(.validation, "Please choose who is affected.", field: "impact")) }
                change.impact = i
            }
            if let raw = f["priority"], !raw.isEmpty {
                guard let p = PriorityChoice(rawValue: raw) else { return .failure(Refusal(.validation, "Please choose a priority.", field: "priority")) }
                change.priority = p
            }
            return .success(.setTriage(change))
        }
    }

    /// `assignee_id`: an engineer's account number, or empty to take the assignment back.
    func assign(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await onTicket(request, kind: .assign, fields: ["assignee_id"], permission: .assignTicket, done: "assigned",
                           permissionFor: { t, f in TicketAccess.assignPermission(current: t.assigneeID, new: Self.assignee(f)) }) { id, f, _ in
            guard f["assignee_id"]?.isEmpty != false || Self.assignee(f) != nil else {
                return .failure(Refusal(.validation, "Please choose an engineer.", field: "assignee_id"))
            }
            return .success(.assignTicket(AssignTicket(ticketID: id, assigneeID: Self.assignee(f))))
        }
    }

    static func assignee(_ f: FormFields) -> UserID? { f["assignee_id"].flatMap(accountNumber) }

    /// An account number as a form sends it (digits, positive), or nil.
    static func accountNumber(_ raw: String) -> UserID? {
        guard raw.utf8.count <= 18, let n = Int64(raw), n > 0 else { return nil }
        return UserID(n)
    }

    /// The staff directory shown on the entry page is at most this long.
    static let directoryLimit = 500

    // MARK: - Dashboard

    func dashboard(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard Permissions.mayEver(v.actor, .viewDashboard) else { return errorPage(.forbidden, "The dashboard is for helpdesk staff.", v) }
        let q = (try? FormDecoding.decodeQuery(request.query)) ?? FormFields()
        var period = DashboardPage.Period.standard
        var periodError: String?
        if q["period"] != nil || q["unit"] != nil {
            if let unit = q["unit"].flatMap(DashboardPage.Period.Unit.init(rawValue:)), let raw = q["period"], raw.utf8.count <= 6,
               let n = Int(raw), n >= 1, (1...DashboardPage.Period.maxHours).contains(unit == .days ? n * 24 : n) {
                period = DashboardPage.Period(amount: n, unit: unit)
            } else {
                periodError = "Please enter a whole number from 1 hour to 365 days."
            }
        }
        let timeout = context.settings.analyticsTimeout
        let analytics = context.analytics
        async let open = analytics.openTickets(period.analytics, timeout: timeout)
        async let resolution = analytics.resolutionTime(timeout: timeout)
        async let load = analytics.categoryLoad(timeout: timeout)
        let model = DashboardPage.Model(
            visitor: v, csrfToken: token(v), period: period, periodError: periodError,
            periodInput: periodError == nil ? [:] : ["period": q["period"] ?? "", "unit": q["unit"] ?? ""],
            openTickets: await open, resolutionTime: await resolution, categoryLoad: await load,
            refreshSeconds: context.settings.dashboardRefreshSeconds, renderedAt: context.clock.now())
        return Self.html(periodError == nil ? .ok : .badRequest, DashboardPage.render(model, time: context.time), visitor: v)
    }

    // MARK: - The manager's dashboard

    /// The visitor, if they hold `view_service_levels` on this desk; else the 403 page.
    private func manager(_ request: HTTPRequest) async throws -> Result<Visitor, FormRejection> {
        let v = try await visitor(request)
        guard Permissions.reach(v.actor.role, .viewServiceLevels, desk: context.authMode) == .all else {
            return .failure(FormRejection(errorPage(.forbidden, "The service levels are for managers.", v)))
        }
        return .success(v)
    }

    /// Engineers' names by account number, for the workload panel (the directory of this desk).
    private func engineerNames() async throws -> [UserID: String] {
        let people = context.authMode == .accounts
            ? try await context.accounts.activeEngineers()
            : try await context.accounts.staffDirectory(limit: Self.directoryLimit)
        return Dictionary(people.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    func serviceLevels(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v: Visitor
        switch try await manager(request) {
        case .success(let visitor): v = visitor
        case .failure(let rejection): return rejection.response
        }
        let levels = await context.analytics.serviceLevels(timeout: context.settings.analyticsTimeout)
        let model = ServiceLevelsPage.Model(visitor: v, csrfToken: token(v), levels: levels, names: try await engineerNames())
        return Self.html(.ok, ServiceLevelsPage.render(model, time: context.time), visitor: v)
    }

    func managerCSV(_ request: HTTPRequest, _ table: ServiceLevelsTable) async throws -> HTTPResponse {
        let v: Visitor
        switch try await manager(request) {
        case .success(let visitor): v = visitor
        case .failure(let rejection): return rejection.response
        }
        guard case .answered(let a) = await context.analytics.serviceLevels(timeout: context.settings.analyticsTimeout) else {
            return errorPage(.serviceUnavailable, "The service-levels service did not answer in time. Please try again.", v)
        }
        let text = switch table {
        case .compliance: AnalyticsCSV.serviceLevelsCompliance(a)
        case .current: AnalyticsCSV.serviceLevelsCurrent(a)
        case .workload: AnalyticsCSV.serviceLevelsWorkload(a, names: try await engineerNames())
        }
        var r = HTTPResponse(status: .ok, contentType: "text/csv; charset=utf-8", body: text)
        r.headers.set("Content-Disposition", "attachment; filename=\"service-levels-\(table.rawValue).csv\"")
        r.headers.set("Cache-Control", "no-store")
        return r
    }

    func csv(_ request: HTTPRequest, _ service: AnalyticsService) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard Permissions.mayEver(v.actor, .viewDashboard) else { return errorPage(.forbidden, "The dashboard is for helpdesk staff.", v) }
        let timeout = context.settings.analyticsTimeout
        let text: String?
        switch service {
        case .openTickets:
            let q = (try? FormDecoding.decodeQuery(request.query)) ?? FormFields()
            let period = try AnalyticsPeriod.period(from: q)
            if case .answered(let a) = await context.analytics.openTickets(period, timeout: timeout) { text = AnalyticsCSV.openTickets(a) } else { text = nil }
        case .resolutionTime:
            if case .answered(let a) = await context.analytics.resolutionTime(timeout: timeout) { text = AnalyticsCSV.resolutionTime(a) } else { text = nil }
        case .categoryLoad:
            if case .answered(let a) = await context.analytics.categoryLoad(timeout: timeout) { text = AnalyticsCSV.categoryLoad(a) } else { text = nil }
        case .serviceLevels:
            // The manager's dashboard has its own tables and permission (`managerCSV`).
            return try await managerCSV(request, .compliance)
        }
        guard let text else { return errorPage(.serviceUnavailable, "The \(service.rawValue) service did not answer in time. Please try again.", v) }
        var r = HTTPResponse(status: .ok, contentType: "text/csv; charset=utf-8", body: text)
        r.headers.set("Content-Disposition", "attachment; filename=\"\(service.rawValue).csv\"")
        r.headers.set("Cache-Control", "no-store")
        return r
    }
}

/// The manager's dashboard's three tables, each a CSV download (`/dashboard/service-levels/<name>.csv`).
enum ServiceLevelsTable: String, Sendable, CaseIterable {
    case compliance, current, workload
}

/// A POST turned away before any command was sent, with the page that says why.
struct FormRejection: Error {
    var response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
