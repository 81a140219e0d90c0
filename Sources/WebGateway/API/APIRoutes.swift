import Domain
import SpoolBroker
import TicketStore
import Foundation
import Credentials
import HTTPServer

/// The JSON API under `/api`, plus `/healthz` and `/readyz`.
///
/// The same commands and the same read side as the web pages; errors are RFC 9457 problem
/// documents: handlers throw a ``Problem`` and the `/api` group's renderer (``APIErrors``) sends
/// it. Who asks: on the campus desk the `X-CampusDesk-Role` header (absent → customer); on the
/// network desk a bearer token from `POST /api/auth/token` (``AuthAPIRoutes``). The contract is
/// `Resources/openapi.yaml`; `.ci/contract` checks this code against it.
struct APIRoutes: Sendable {
    let context: GatewayContext

    func register(in router: inout Router) {
        router.get("/healthz") { _ in Self.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _ in await readiness() }
        router.group("/api", errors: APIErrors.render) { api in
            api.get("/openapi.yaml") { _ in try OpenAPIDocument.response() }
            api.get("/tickets") { try await list($0) }
            api.post("/tickets") { try await create($0) }
            // Literal paths outrank `:id` in the router whatever the order; listed first to read so.
            QueueRoutes(context: context).register(in: &api)
            FollowRoutes(context: context).register(in: &api)
            api.get("/tickets/:id") { try await show($0) }
            api.patch("/tickets/:id") { try await edit($0) }
            api.put("/tickets/:id/status") { try await changeStatus($0) }
            // The first form, kept as an alias of PUT (same body, same answers).
            api.post("/tickets/:id/status") { try await changeStatus($0) }
            api.post("/tickets/:id/messages") { try await postMessage($0) }
            api.put("/tickets/:id/category") { try await setCategory($0) }
            api.put("/tickets/:id/issue-type") { try await setIssueType($0) }
            api.put("/tickets/:id/assign") { try await assign($0) }
            api.get("/tickets/:id/history") { try await history($0) }
            api.put("/tickets/:id/triage") { try await triage($0) }
            api.get("/tickets/:id/ai-suggestions") { try await suggestions($0) }
            AttachmentRoutes(context: context).registerAPI(in: &api)
            AuthAPIRoutes(context: context).register(in: &api)
            SLARoutes(context: context).register(in: &api)
            IssueTypeRoutes(context: context).register(in: &api)
            NotificationRoutes(context: context).register(in: &api)
            api.get("/analytics/open-tickets") { try await openTickets($0) }
            api.get("/analytics/resolution-time") { try await resolutionTime($0) }
            api.get("/analytics/category-load") { try await categoryLoad($0) }
            api.get("/analytics/service-levels") { try await serviceLevels($0) }
        }
    }

    // MARK: - JSON plumbing

    /// `now`: tickets in `value` carry their SLA states at that instant (`sla_state`).
    static func json<T: Encodable>(_ status: HTTPStatus, _ value: T, now: Timestamp? = nil) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let now { encoder.userInfo[.slaNow] = now }
        guard let data = try? encoder.encode(value) else {
            return Problem(status: .internalServerError, detail: "The answer could not be encoded.").response
        }
        var r = HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(data))
        r.headers.set("Cache-Control", "no-store")
        return r
    }

    /// The role of an API request on the campus desk: `customer` or `agent` (or their earlier names
    /// `user` and `staff`); anything else is a 401.
    ///
    /// Why 401 and not 400: the header is open mode's credential (the document's security
    /// scheme), and a credential the server cannot accept is answered 401 with a challenge
    /// (RFC 9110 §15.5.2), as accounts mode will answer an unknown bearer token.
    static func role(_ request: HTTPRequest) throws(Problem) -> Role {
        guard let raw = request.headers["X-CampusDesk-Role"] else { return .customer }
        guard let role = Role(rawValue: raw.trimmingWhitespace()), Role.openModeRoles.contains(role) else {
            throw Problem(status: .unauthorized, detail: "X-CampusDesk-Role must be customer or agent (or user or staff).", challenge: roleChallenge)
        }
        return role
    }

    /// The `WWW-Authenticate` challenge of open mode: the role header is its only credential.
    static let roleChallenge = "CampusDesk-Role realm=\"CampusDesk\""

    /// Who calls: the role (and on the network desk the account and its session).
    struct Caller: Sendable {
        var actor: Actor
        var user: User?
        var sessionDigest: String?
    }

    /// The caller of a request: the role header on the campus desk; on the network desk the
    /// bearer token's account, or a 401 with the `Bearer` challenge (RFC 6750).
    static func caller(_ request: HTTPRequest, _ auth: Authentication) async throws -> Caller {
        guard auth.mode == .accounts else { return Caller(actor: Actor(role: try role(request))) }
        // The campus desk's header means nothing here; but a malformed one is refused, not ignored,
        // as a malformed credential is on the campus desk (a client sending one has a bug).
        if let raw = request.headers["X-CampusDesk-Role"], Role(rawValue: raw.trimmingWhitespace()) == nil {
            throw Problem(status: .unauthorized, detail: "X-CampusDesk-Role names no role; this desk takes a bearer token and no role header.",
                          challenge: Authentication.bearerChallenge)
        }
        guard let token = Authentication.bearerToken(request) else {
            throw Problem(status: .unauthorized, detail: "Log in first: send Authorization: Bearer <token> from POST /api/auth/token.",
                          challenge: Authentication.bearerChallenge)
        }
        guard let (user, digest) = try await auth.session(token: token) else {
            throw Problem(status: .unauthorized, detail: "The token is unknown, expired or ended, or its account is deactivated; ask for a new one.",
                          challenge: Authentication.invalidTokenChallenge)
        }
        return Caller(actor: user.actor, user: user, sessionDigest: digest)
    }

    func caller(_ request: HTTPRequest) async throws -> Caller { try await Self.caller(request, context.auth) }

    func ticketID(_ request: HTTPRequest) throws(Problem) -> TicketID {
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 19, let n = Int64(raw), n > 0 else {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        return TicketID(n)
    }

    /// Decodes a JSON object body into `T` after checking the media type (415) and syntax (400);
    /// fields that are present but null, of the wrong type or missing are a 422 naming the field.
    func body<T: Decodable>(_ request: HTTPRequest, as: T.Type) throws(Problem) -> T {
        let type = (request.headers["Content-Type"] ?? "").lowercased()
        let media = type.split(separator: ";").first.map { String($0).trimmingWhitespace() } ?? ""
        guard media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
            throw Problem(status: .unsupportedMediaType, detail: "Send the body as application/json.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch let rule as BodyRule {
            throw Problem.refused(.validation, rule.detail, field: rule.field)
        } catch let refusal as Refusal {
            // A document type whose decoding runs its own checks (the SLA policies and calendar).
            throw Problem(refusal: refusal)
        } catch let DecodingError.dataCorrupted(ctx) where !ctx.codingPath.isEmpty {
            let field = APIRoutes.fieldPath(ctx.codingPath)
            throw Problem.refused(.validation, "\(field): \(ctx.debugDescription).", field: field)
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.refused(.validation, "\(key.stringValue) is required.", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, ctx) {
            let field = ctx.codingPath.first?.stringValue
            throw Problem.refused(.validation, "\(field ?? "The body") has the wrong type.", field: field)
        } catch let DecodingError.valueNotFound(_, ctx) {
            let field = ctx.codingPath.first?.stringValue
            throw Problem.refused(.validation, "\(field ?? "A field") must not be null.", field: field)
        } catch {
            throw Problem(status: .badRequest, detail: "The body is not valid JSON.")
        }
    }

    /// The command id: from a valid `Idempotency-Key`, else fresh; a malformed key is a 400.
    ///
    /// The id also carries a digest of the request (method, path, role, body): a retry is the
    /// same request and finds the first answer, while a key reused for another request (a client
    /// that sends one key everywhere) is another command instead of someone else's old answer.
    func commandID(_ request: HTTPRequest, actor: Actor) throws(Problem) -> CommandID {
        guard let key = request.headers["Idempotency-Key"] else { return .random() }
        let account = actor.userID.map { " \($0.rawValue)" } ?? ""
        var fingerprint = Array("\(request.method.rawValue) \(request.path) \(actor.role.rawValue)\(account)\n".utf8)
        fingerprint += request.body
        let scope = "api:" + key
        guard let id = IdempotencyKey.commandID(hexString(Array(SHA256.hash(fingerprint).prefix(8))), scope: scope),
              IdempotencyKey.commandID(key, scope: "api") != nil else {
            throw Problem(status: .badRequest, detail: "Idempotency-Key must be 1 to \(IdempotencyKey.maxLength) visible ASCII characters without spaces, quotes or backslashes.")
        }
        return id
    }

    /// Validates, sends and maps the outcome of a command: reply → `applied`, refusal → problem, queued → 202, unavailable → 503.
    func perform(_ request: HTTPRequest, actor: Actor, _ action: CommandAction, applied: (CommandReply) -> HTTPResponse) async throws(Problem) -> HTTPResponse {
        if let refusal = CommandValidation.check(action, counting: .scalarsAsSent) { throw Problem(refusal: refusal) }
        let id = try commandID(request, actor: actor)
        switch await context.commands.send(Command(id: id, actor: actor, action: action, channel: .api), timeout: context.settings.commandTimeout) {
        case .replied(let reply):
            if let refusal = reply.refusal { throw Problem(refusal: refusal) }
            return applied(reply)
        case .queued:
            context.logger.warning("command queued without reply", ["command.id": id.rawValue])
            var r = Self.json(.accepted, Queued(commandID: id, detail: "Accepted and queued; it will be applied. Retry with the same Idempotency-Key to see the result."))
            r.headers.set("Content-Type", "application/json")
            return r
        case .unavailable(let reason):
            context.logger.error("command not enqueued", ["command.id": id.rawValue, "reason": reason])
            throw Problem(status: .serviceUnavailable, detail: "The ticket service cannot take requests right now; nothing was saved.", retryAfter: 30)
        }
    }

    struct Queued: Encodable {
        var commandID: CommandID
        var detail: String
        enum CodingKeys: String, CodingKey { case commandID = "command_id", detail }
    }

    func ticketReply(_ status: HTTPStatus) -> (CommandReply) -> HTTPResponse {
        { reply in
            guard let ticket = reply.ticket else { return Self.json(status, ["command_id": reply.commandID.rawValue]) }
            var r = Self.json(status, ticket, now: context.clock.now())
            if status == .created { r.headers.set("Location", "/api/tickets/\(ticket.id)") }
            return r
        }
    }

    /// A rule about the body as a whole that decoding checks (a PATCH that changes nothing): a 422.
    /// A body the decoder read but the document refuses: a 422 naming the field it concerns, if one.
    struct BodyRule: Error {
        var detail: String
        var field: String? = nil
    }

    // MARK: - Tickets

    /// `{"tickets": [...], "next_cursor": "..."|null}`.
    struct ListBody: Encodable {
        var tickets: [Ticket]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case tickets, nextCursor = "next_cursor" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(tickets, forKey: .tickets)
            try c.encode(nextCursor, forKey: .nextCursor)
        }
    }

    /// A ticket's fields with its `messages` beside them.
    struct DetailBody: Encodable {
        var detail: TicketDetail
        enum CodingKeys: String, CodingKey { case messages }
        func encode(to encoder: any Encoder) throws {
            try detail.ticket.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(detail.messages, forKey: .messages)
        }
    }

    /// The query's fields; malformed encoding or a parameter given twice is a 400 (each API
    /// parameter has one value; `status` lists several comma-separated).
    static func query(_ request: HTTPRequest) throws(Problem) -> FormFields {
        guard let q = try? FormDecoding.decodeQuery(request.query) else {
            throw Problem(status: .badRequest, detail: "The query string is malformed.")
        }
        var seen = Set<String>()
        for field in q.fields where !seen.insert(field.name).inserted {
            throw Problem(status: .badRequest, detail: "\(field.name.prefix(40)) is given more than once.", field: String(field.name.prefix(40)))
        }
        return q
    }

    /// Refuses an empty value for parameters whose documented values are never empty (numbers, enums, cursors).
    static func requireValues(_ q: FormFields, _ names: [String]) throws(Problem) {
        for name in names where q[name]?.isEmpty == true {
            throw Problem(status: .badRequest, detail: "\(name) must not be empty.", field: name)
        }
    }

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await caller(request)
        let q = try Self.query(request)
        try Self.requireValues(q, ["status", "category", "severity", "priority", "confidence", "sort", "limit", "cursor", "assignee_id", "assigned_to", "sla"])
        var filter = try await TicketListQuery.filter(from: q, actor: caller.actor, mode: context.authMode, accounts: context.accounts)
        if let state = try TicketListQuery.slaState(from: q) {
            filter.sla = state
            filter.slaNow = context.clock.now()
        }
        return try await page(filter, caller)
    }

    /// One page of the list as JSON; the queues (``QueueRoutes``) answer through it too.
    func page(_ filter: TicketFilter, _ caller: Caller) async throws -> HTTPResponse {
        let page = try await context.tickets.list(filter)
        // Defence in depth: the filter already holds only what the caller may see.
        let tickets = page.tickets.filter { TicketAccess.mayView(caller.actor, $0, mode: context.authMode) }
        // Written by hand (``TicketListJSON``), the same bytes as `json(.ok, ListBody(...), now:)` at a fraction of the cost.
        var r = HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "application/json")]),
                             body: TicketListJSON.body(tickets, nextCursor: page.nextCursor?.encoded, now: context.clock.now()))
        r.headers.set("Cache-Control", "no-store")
        return r
    }

    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await caller(request)
        let id = try ticketID(request)
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        guard let detail = try await context.tickets.detail(id),
              try await TicketAccess.mayRead(caller.actor, detail.ticket, mode: context.authMode, reporterKey: reporterKey, tickets: context.tickets) else {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        return Self.json(.ok, DetailBody(detail: detail), now: context.clock.now())
    }

    /// The id of a ticket that only staff read about: a customer is refused (403) before any lookup,
    /// a ticket the caller may not see is 404.
    private func staffTicket(_ request: HTTPRequest, refusal: String) async throws -> TicketID {
        let caller = try await caller(request)
        guard caller.actor.role.isStaff else { throw Problem.refused(.forbidden, refusal) }
        let id = try ticketID(request)
        guard let detail = try await context.tickets.detail(id), TicketAccess.mayView(caller.actor, detail.ticket, mode: context.authMode) else {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        return id
    }

    /// The ticket's audit trail, for staff who may see the ticket; a customer gets 403 (their view
    /// of a ticket is its fields and messages).
    func history(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try await staffTicket(request, refusal: "The history of a ticket is for staff.")
        return Self.json(.ok, ["history": try await context.tickets.history(id)])
    }

    struct CreateBody: Decodable {
        var description: String
        var location: String?
        var reporter: String?
        var impact: Impact?
        var contactEmail, contactPhone, preferredContactTime: String?
        var issueTypeID: IssueTypeID?
        enum CodingKeys: String, CodingKey {
            case description, location, reporter, impact
            case contactEmail = "contact_email", contactPhone = "contact_phone", preferredContactTime = "preferred_contact_time"
            case issueTypeID = "issue_type_id"
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            description = try c.decode(String.self, forKey: .description)
            // Absent means "not sure" (the classifier files the ticket); null is a mistake, as for the other fields.
            if c.contains(.issueTypeID) { issueTypeID = try APIRoutes.issueTypeNumber(c, .issueTypeID) }
            location = try c.decodeAbsentOrString(.location)
            reporter = try c.decodeAbsentOrString(.reporter)
            contactEmail = try APIRoutes.contactText(c.decodeAbsentOrString(.contactEmail), max: AccountRules.maxEmail, field: "contact_email")
            contactPhone = try APIRoutes.contactText(c.decodeAbsentOrString(.contactPhone), max: AccountRules.maxPhone, field: "contact_phone", strictEnds: true)
            preferredContactTime = try APIRoutes.contactText(c.decodeAbsentOrString(.preferredContactTime), max: TextLimits.maxShortField, field: "preferred_contact_time")
            // Present means a value: null is not "one person" but a mistake.
            if c.contains(.impact) {
                guard let i = Impact(rawValue: try c.decode(String.self, forKey: .impact)) else { throw BodyRule(detail: "impact must be one, several or many.", field: "impact") }
                impact = i
            }
            try APIRoutes.checkContactTime(preferredContactTime)
        }
    }
    struct EditBody: Decodable {
        var description: String?
        var location: String?
        var reporter: String?
        var contactEmail, contactPhone, preferredContactTime: String?
        enum CodingKeys: String, CodingKey {
            case description, location, reporter
            case contactEmail = "contact_email", contactPhone = "contact_phone", preferredContactTime = "preferred_contact_time"
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            description = try c.decodeAbsentOrString(.description)
            location = try c.decodeAbsentOrString(.location)
            reporter = try c.decodeAbsentOrString(.reporter)
            contactEmail = try APIRoutes.contactText(c.decodeAbsentOrString(.contactEmail), max: AccountRules.maxEmail, field: "contact_email")
            contactPhone = try APIRoutes.contactText(c.decodeAbsentOrString(.contactPhone), max: AccountRules.maxPhone, field: "contact_phone", strictEnds: true)
            preferredContactTime = try APIRoutes.contactText(c.decodeAbsentOrString(.preferredContactTime), max: TextLimits.maxShortField, field: "preferred_contact_time")
            try APIRoutes.checkContactTime(preferredContactTime)
            guard description != nil || location != nil || reporter != nil || contactEmail != nil || contactPhone != nil || preferredContactTime != nil else {
                throw BodyRule(detail: "Give at least one of description, location, reporter, contact_email, contact_phone and preferred_contact_time.")
            }
        }
    }
    /// A contact field as the document's patterns read it: at most `max` code points as sent, white
    /// space at the ends in JSON Schema's sense (`\s`, which has U+FEFF and lacks U+0085) removed
    /// here, so the worker's own trimming (Foundation's) has nothing left to disagree about. For the
    /// phone, whose pattern allows nothing else at the ends, other white space (U+0085) is refused.
    static func contactText(_ raw: String?, max: Int, field: String, strictEnds: Bool = false) throws -> String? {
        guard let raw else { return nil }
        guard raw.unicodeScalars.count <= max else { throw BodyRule(detail: "\(field) is longer than \(max) characters.", field: field) }
        var scalars = Substring(raw).unicodeScalars
        while let f = scalars.first, AccountRules.isPatternSpace(f) { scalars.removeFirst() }
        while let l = scalars.last, AccountRules.isPatternSpace(l) { scalars.removeLast() }
        if strictEnds, let f = scalars.first, let l = scalars.last, f.properties.isWhitespace || l.properties.isWhitespace {
            throw BodyRule(detail: "contact_phone may hold only digits, spaces and + ( ) - . /", field: field)
        }
        return String(scalars)
    }

    /// `preferred_contact_time` as the document states it: blank clears; otherwise the exact API form
    /// (the pages take looser text, which the worker reads; e-mail and phone are the worker's rules).
    static func checkContactTime(_ time: String?) throws {
        if let time, !time.trimmingWhitespace().isEmpty, !ContactWindow.hasAPIForm(time) {
            throw BodyRule(detail: "preferred_contact_time must look like \u{201C}weekdays 09:00-12:00\u{201D} or \u{201C}mon,wed 14:00-16:00\u{201D}.",
                           field: "preferred_contact_time")
        }
    }

    /// `{"status": "...", "reason": "..."}`; `reason` is required to reopen (`closed` → `active`), optional otherwise.
    struct StatusBody: Decodable {
        var status: String
        var reason: String?
        enum CodingKeys: String, CodingKey { case status, reason }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decode(String.self, forKey: .status)
            reason = try c.decodeAbsentOrString(.reason)
            // Code points as sent, as the document's maxLength counts them.
            if let reason, reason.unicodeScalars.count > TicketRules.maxReason {
                throw BodyRule(detail: "reason is longer than \(TicketRules.maxReason) characters.", field: "reason")
            }
        }
    }
    struct MessageBody: Decodable {
        var body: String
        var authorName: String?
        enum CodingKeys: String, CodingKey { case body, authorName = "author_name" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            body = try c.decode(String.self, forKey: .body)
            authorName = try c.decodeAbsentOrString(.authorName)
        }
    }
    struct CategoryBody: Decodable { var category: String }
    /// Any of `severity`, `impact`, `priority` (`P1`–`P4`, or `auto` for the matrix); values checked in `triage`.
    struct TriageBody: Decodable {
        var severity: String?, impact: String?, priority: String?
        enum CodingKeys: String, CodingKey { case severity, impact, priority }
        /// A member given as null is a mistake, not "leave as it is" (absent is that).
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            for key in [CodingKeys.severity, .impact, .priority] where c.contains(key) {
                if try c.decodeNil(forKey: key) { throw BodyRule(detail: "\(key.stringValue) must not be null.", field: key.stringValue) }
            }
            severity = try c.decodeIfPresent(String.self, forKey: .severity)
            impact = try c.decodeIfPresent(String.self, forKey: .impact)
            priority = try c.decodeIfPresent(String.self, forKey: .priority)
        }
    }
    /// `{"issue_type_id": N}` or `{"issue_type_id": null}` (no issue type); the member is required.
    struct IssueTypeBody: Decodable {
        var issueTypeID: IssueTypeID?
        enum CodingKeys: String, CodingKey { case issueTypeID = "issue_type_id" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard c.contains(.issueTypeID) else {
                throw DecodingError.keyNotFound(CodingKeys.issueTypeID, DecodingError.Context(codingPath: [], debugDescription: "missing"))
            }
            issueTypeID = try c.decodeNil(forKey: .issueTypeID) ? nil : APIRoutes.issueTypeNumber(c, .issueTypeID)
        }
    }

    /// A decoding path as a client writes it: `policies[0].resolution`, not `policies.Index 0.resolution`.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    /// A present, non-null issue type number (a whole number from 1).
    static func issueTypeNumber<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> IssueTypeID {
        if try c.decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(Int64.self, DecodingError.Context(codingPath: [key], debugDescription: "null"))
        }
        let n = try c.decode(Int64.self, forKey: key)
        guard n > 0 else { throw BodyRule(detail: "issue_type_id must be an issue type's number (GET /api/categories lists them).", field: "issue_type_id") }
        return IssueTypeID(n)
    }

    /// `{"assignee_id": N}` or `{"assignee_id": null}` (unassign); the member is required.
    struct AssignBody: Decodable {
        var assigneeID: UserID?
        enum CodingKeys: String, CodingKey { case assigneeID = "assignee_id" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard c.contains(.assigneeID) else {
                throw DecodingError.keyNotFound(CodingKeys.assigneeID, DecodingError.Context(codingPath: [], debugDescription: "missing"))
            }
            if try c.decodeNil(forKey: .assigneeID) { assigneeID = nil; return }
            let n = try c.decode(Int64.self, forKey: .assigneeID)
            guard n > 0 else { throw BodyRule(detail: "assignee_id must be an account number or null.", field: "assignee_id") }
            assigneeID = UserID(n)
        }
    }

    func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await caller(request)
        if !Permissions.mayEver(caller.actor, .reportTicket) { throw Problem(refusal: TicketAccess.refusal(caller.actor, .reportTicket)) }
        let b = try body(request, as: CreateBody.self)
        if let type = b.issueTypeID, let refusal = try await IssueTypeRoutes.refusal(choosing: type, tickets: context.tickets) {
            throw Problem(refusal: refusal)
        }
        let action = CommandAction.createTicket(CreateTicket(description: b.description, location: b.location, reporter: b.reporter ?? caller.user?.name, impact: b.impact,
                                                             contactEmail: b.contactEmail, contactPhone: b.contactPhone, preferredContactTime: b.preferredContactTime,
                                                             issueTypeID: b.issueTypeID,
                                                             reporterKeyDigest: try ReporterKey.digest(of: request, mode: context.authMode)))
        return try await perform(request, actor: caller.actor, action, applied: ticketReply(.created))
    }

    /// The first steps of every `/api/tickets/{id}/...` change: the caller, the id, a role that
    /// never may (403), the body, then the permission on this ticket
    /// (``TicketAccess/gate(_:_:ticket:tickets:alwaysRead:)``; 404 for a ticket the caller may not see).
    /// `orElse` is the permission tried when the role never holds `permission` (taking a ticket, for
    /// a role that may not assign).
    func onTicket<B: Decodable>(_ request: HTTPRequest, _ permission: Permission, orElse fallback: Permission? = nil, body type: B.Type,
                                        alwaysRead: Bool = false) async throws -> (Caller, TicketID, B, Ticket?) {
        let caller = try await caller(request)
        let id = try ticketID(request)
        var permission = permission
        if let fallback, !Permissions.mayEver(caller.actor, permission), Permissions.mayEver(caller.actor, fallback) { permission = fallback }
        if !Permissions.mayEver(caller.actor, permission) { throw Problem(refusal: TicketAccess.refusal(caller.actor, permission)) }
        let b = try body(request, as: B.self)
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        switch try await TicketAccess.gate(caller.actor, permission, ticket: id, tickets: context.tickets, mode: context.authMode,
                                           reporterKey: reporterKey, alwaysRead: alwaysRead) {
        case .notFound: throw Problem.refused(.notFound, "There is no ticket with that id.")
        case .forbidden(let refusal): throw Problem(refusal: refusal)
        case .allowed(let ticket): return (caller, id, b, ticket)
        }
    }

    func edit(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, _) = try await onTicket(request, .editTicket, body: EditBody.self)
        let action = CommandAction.editTicket(EditTicket(ticketID: id, description: b.description, location: b.location, reporter: b.reporter,
                                                               contactEmail: b.contactEmail, contactPhone: b.contactPhone, preferredContactTime: b.preferredContactTime))
        return try await perform(request, actor: caller.actor, action, applied: ticketReply(.ok))
    }

    /// One step along the lifecycle, or a reopen (`closed` → `active`) with a `reason`. The worker's
    /// rule (`TicketRules.checkTransition`) is checked here first on the ticket as read: who may
    /// reopen (403), a reopen without a reason (422), a step that is not one (409).
    func changeStatus(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, ticket) = try await onTicket(request, .changeStatus, body: StatusBody.self, alwaysRead: true)
        guard let s = Status(rawValue: b.status) else {
            throw Problem.refused(.validation, "status must be open, active or closed.", field: "status")
        }
        // A ticket already in the target status is left to the worker: a retry (same Idempotency-Key)
        // gets the stored answer there, anything else its refusal.
        if let ticket, ticket.status != s {
            do throws(Refusal) {
                try TicketRules.checkTransition(from: ticket.status, to: s, reason: b.reason, actor: caller.actor, on: ticket.parties, desk: context.authMode)
            } catch { throw Problem(refusal: error) }
        }
        return try await perform(request, actor: caller.actor, .changeStatus(ChangeStatus(ticketID: id, status: s, reason: b.reason)), applied: ticketReply(.ok))
    }

    func assign(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, ticket) = try await onTicket(request, .assignTicket, orElse: .takeTicket, body: AssignBody.self, alwaysRead: true)
        if let ticket {
            // The worker's rule: reassigning, taking (an engineer, to themselves) or assigning.
            let needed = Permissions.assignmentPermission(caller.actor, on: ticket.parties, to: b.assigneeID)
            if !Permissions.allows(caller.actor, needed, on: ticket.parties) {
                throw Problem(refusal: TicketAccess.refusal(caller.actor, needed, on: ticket.parties))
            }
        }
        if let assignee = b.assigneeID, let refusal = try await TicketAccess.assigneeRefusal(assignee, accounts: context.accounts) {
            throw Problem(refusal: refusal)
        }
        return try await perform(request, actor: caller.actor, .assignTicket(AssignTicket(ticketID: id, assigneeID: b.assigneeID)), applied: ticketReply(.ok))
    }

    func postMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, _) = try await onTicket(request, .postMessage, body: MessageBody.self)
        // The fields as sent are checked as the document says, even the name an account's own replaces.
        if let refusal = CommandValidation.check(.postMessage(PostMessage(ticketID: id, body: b.body, authorName: b.authorName)), counting: .scalarsAsSent) {
            throw Problem(refusal: refusal)
        }
        let action = CommandAction.postMessage(PostMessage(ticketID: id, body: b.body, authorName: caller.user?.name ?? b.authorName))
        return try await perform(request, actor: caller.actor, action) { reply in
            guard let message = reply.message else { return Self.json(.created, ["command_id": reply.commandID.rawValue]) }
            var r = Self.json(.created, message)
            r.headers.set("Location", "/api/tickets/\(id)")
            return r
        }
    }

    func setCategory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, _) = try await onTicket(request, .setCategory, body: CategoryBody.self)
        guard let c = Category(rawValue: b.category) else {
            throw Problem.refused(.validation, "category must be facility, it or services.", field: "category")
        }
        return try await perform(request, actor: caller.actor, .setCategory(SetCategory(ticketID: id, category: c)), applied: ticketReply(.ok))
    }

    /// Another issue type (the category follows) or none (`null`); whoever may set the category. The
    /// ticket's own type again is no change, even when retired; another retired one is 409, an unknown 404.
    func setIssueType(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, ticket) = try await onTicket(request, .setCategory, body: IssueTypeBody.self, alwaysRead: true)
        if let type = b.issueTypeID, type != ticket?.issueTypeID, let refusal = try await IssueTypeRoutes.refusal(choosing: type, tickets: context.tickets) {
            throw Problem(refusal: refusal)
        }
        return try await perform(request, actor: caller.actor, .setIssueType(SetIssueType(ticketID: id, issueTypeID: b.issueTypeID)), applied: ticketReply(.ok))
    }

    /// What the model suggested (category and severity, each with confidence and words); staff only.
    func suggestions(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try await staffTicket(request, refusal: "Suggestions are for staff.")
        guard let suggestion = try await context.tickets.suggestion(id) else {
            throw Problem.refused(.notFound, "This ticket has no suggestion (it was imported, or filed before suggestions existed).")
        }
        return Self.json(.ok, suggestion)
    }

    /// Severity, impact and priority by hand (agents, managers, admins).
    func triage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, _) = try await onTicket(request, .triageTicket, body: TriageBody.self)
        var change = SetTriage(ticketID: id)
        if let raw = b.severity {
            guard let s = Severity(rawValue: raw) else { throw Problem.refused(.validation, "severity must be critical, high, medium or low.", field: "severity") }
            change.severity = s
        }
        if let raw = b.impact {
            guard let i = Impact(rawValue: raw) else { throw Problem.refused(.validation, "impact must be one, several or many.", field: "impact") }
            change.impact = i
        }
        if let raw = b.priority {
            guard let p = PriorityChoice(rawValue: raw) else { throw Problem.refused(.validation, "priority must be P1, P2, P3, P4 or auto.", field: "priority") }
            change.priority = p
        }
        return try await perform(request, actor: caller.actor, .setTriage(change), applied: ticketReply(.ok))
    }

    // MARK: - Analytics and health

    private func requireStaff(_ request: HTTPRequest) async throws {
        guard Permissions.mayEver(try await caller(request).actor, .viewDashboard) else {
            throw Problem.refused(.forbidden, "The analytics are for helpdesk staff.")
        }
    }

    private func answer<A: Encodable>(_ outcome: AnalyticsOutcome<A>, _ service: AnalyticsService) throws(Problem) -> HTTPResponse {
        switch outcome {
        case .answered(let a): return Self.json(.ok, a)
        case .timedOut:
            throw Problem(status: .serviceUnavailable, detail: "The \(service.rawValue) service did not answer in time.")
        case .failed(let reason):
            context.logger.warning("analytics query failed", ["service": service.rawValue, "reason": reason])
            throw Problem(status: .serviceUnavailable, detail: "The \(service.rawValue) service could not be asked.")
        }
    }

    func openTickets(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await requireStaff(request)
        let period = try AnalyticsPeriod.period(from: try Self.query(request))
        return try answer(await context.analytics.openTickets(period, timeout: context.settings.analyticsTimeout), .openTickets)
    }

    func resolutionTime(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await requireStaff(request)
        return try answer(await context.analytics.resolutionTime(timeout: context.settings.analyticsTimeout), .resolutionTime)
    }

    func categoryLoad(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await requireStaff(request)
        return try answer(await context.analytics.categoryLoad(timeout: context.settings.analyticsTimeout), .categoryLoad)
    }

    /// The manager's dashboard as JSON: `view_service_levels` on this desk (managers and admins;
    /// on the campus desk its helpdesk staff), else 403.
    func serviceLevels(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await caller(request)
        guard Permissions.reach(caller.actor.role, .viewServiceLevels, desk: context.authMode) == .all else {
            throw Problem.refused(.forbidden, "The service levels are for managers.")
        }
        return try answer(await context.analytics.serviceLevels(timeout: context.settings.analyticsTimeout), .serviceLevels)
    }

    struct ReadinessBody: Encodable { var ready: Bool; var checks: [ReadinessCheck] }

    func readiness() async -> HTTPResponse {
        let checks = await context.readiness.check(timeout: context.settings.readinessTimeout)
        let ready = !checks.isEmpty && checks.allSatisfy(\.ready)
        return Self.json(ready ? .ok : .serviceUnavailable, ReadinessBody(ready: ready, checks: checks))
    }
}

extension KeyedDecodingContainer {
    /// An optional text field: absent is nil; present it must be a string, and `null` is refused
    /// (the document gives these fields no null, and "null means absent" would hide client bugs).
    func decodeAbsentOrString(_ key: Key) throws -> String? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(String.self, DecodingError.Context(codingPath: codingPath + [key], debugDescription: "null"))
        }
        return try decode(String.self, forKey: key)
    }
}
