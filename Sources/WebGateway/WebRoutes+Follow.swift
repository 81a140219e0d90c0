import Domain
import HTTPServer

// MARK: - "Me too" and merges on the pages

/// The two forms of ``FollowSection``: "Me too" (anyone who may report) and the merge of a
/// duplicate (whoever may triage both tickets; the worker checks again). Refusals are explained on
/// an error page with a link back; these are one-button forms with nothing to correct beside a field.
extension WebRoutes {
    /// `POST /tickets/{id}/follow`. The visitor follows: the account, or on the campus desk this
    /// browser's key. `back` (a ticket number: the report just filed) is where the visitor returns.
    func follow(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, form, id): (Visitor, FormFields, TicketID)
        switch try await ticketForm(request, holding: .reportTicket) {
        case .failure(let r): return r.response
        case .success(let checked): (v, form, id) = checked
        }
        let back = form["back"].flatMap(Self.accountNumber).map { TicketID($0.rawValue) }
        let action = CommandAction.followTicket(FollowTicket(ticketID: id, reporterKeyDigest: ReporterKey.digest(of: v)))
        // Back to the visitor's own report, or to the ticket followed when they may read it (on the
        // network desk another customer's ticket is not theirs to read), else to the list.
        var target = "/tickets/\((back ?? id).rawValue)?done=followed"
        if back == nil, let ticket = try await context.tickets.detail(id)?.ticket,
           try await !TicketAccess.mayRead(v.actor, ticket, mode: v.authMode, reporterKey: ReporterKey.digest(of: v), tickets: context.tickets) {
            target = "/tickets?done=followed"
        }
        return try await perform(action, form, v, concerns: id, applied: { _ in
            Self.redirect(target, visitor: v)
        }, refused: { refusal in
            errorPage(Problem.status(for: refusal.code), refusal.reason, v,
                      link: ErrorPage.Link(href: "/tickets/\((back ?? id).rawValue)", text: "Back to ticket #\((back ?? id).rawValue)"))
        })
    }

    /// What both forms check first: the visitor, the form after its CSRF check, the ticket's
    /// number and the permission; or the page that refuses.
    private func ticketForm(_ request: HTTPRequest, holding permission: Permission) async throws
        -> Result<(Visitor, FormFields, TicketID), FormRejection> {
        let v = try await visitor(request)
        let form: FormFields
        switch checkedForm(request, v) {
        case .failure(let r): return .failure(r)
        case .success(let f): form = f
        }
        guard let id = ticketID(request) else { return .failure(FormRejection(errorPage(.notFound, "There is no such ticket.", v))) }
        guard Permissions.mayEver(v.actor, permission) else {
            return .failure(FormRejection(errorPage(.forbidden, TicketAccess.refusal(v.actor, permission).reason, v)))
        }
        return .success((v, form, id))
    }

    /// `POST /tickets/{id}/merge` with `into`: the duplicate `{id}` closes into ticket `into`; the
    /// visitor lands on the survivor.
    func merge(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, form, id): (Visitor, FormFields, TicketID)
        switch try await ticketForm(request, holding: .triageTicket) {
        case .failure(let r): return r.response
        case .success(let checked): (v, form, id) = checked
        }
        let link = ErrorPage.Link(href: "/tickets/\(id.rawValue)", text: "Back to ticket #\(id.rawValue)")
        guard let raw = form.trimmed("into"), let n = Self.accountNumber(raw) else {
            return errorPage(.unprocessableContent, "Please give the number of the ticket this one duplicates.", v, link: link)
        }
        let into = TicketID(n.rawValue)
        return try await perform(.mergeTicket(MergeTicket(ticketID: id, into: into)), form, v, concerns: id, applied: { _ in
            Self.redirect("/tickets/\(into.rawValue)?done=merged", visitor: v)
        }, refused: { refusal in
            errorPage(Problem.status(for: refusal.code), refusal.reason, v, link: link)
        })
    }

    /// On the page right after a report (`done=created`, the no-JavaScript path): open tickets at the
    /// same place with similar words, the new one left out; none without a location.
    func similarAfterReport(_ t: Ticket, done: String?) async throws -> [Ticket] {
        guard done == "created", t.status != .closed, let location = t.location else { return [] }
        return try await context.tickets.similarOpenTickets(location: location, text: t.description, excluding: t.id)
    }

    /// Whether `v` reported `t`: the account on the network desk, this browser's key on the campus desk.
    func reportedBy(_ v: Visitor, _ t: Ticket) async throws -> Bool {
        if v.authMode == .accounts { return v.actor.userID != nil && t.customerID == v.actor.userID }
        guard !v.role.isStaff, let digest = ReporterKey.digest(of: v) else { return false }
        return try await context.tickets.isReporter(of: t.id, keyDigest: digest)
    }

    /// `GET /tickets/similar?location=..&text=..`: the candidates as JSON for the report form's
    /// script (``FormsScript``), with the page's session like any page (the API's twin,
    /// `GET /api/tickets/similar`, takes the API's credentials). The same summaries as the API.
    func similarJSON(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v = try await visitor(request)
        guard Permissions.mayEver(v.actor, .reportTicket) else { return errorPage(.forbidden, TicketAccess.refusal(v.actor, .reportTicket).reason, v) }
        let q = try? FormDecoding.decodeQuery(request.query)
        let location = String((q?["location"] ?? "").prefix(TextLimits.maxShortField))
        let text = String((q?["text"] ?? "").prefix(FollowRoutes.maxSimilarText))
        let found = try await context.tickets.similarOpenTickets(location: location, text: text)
        return APIRoutes.json(.ok, FollowRoutes.SimilarList(tickets: found.map(SimilarTicket.init)))
    }
}
