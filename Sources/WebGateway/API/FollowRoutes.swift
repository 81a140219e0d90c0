import Domain
import HTTPServer
import TicketStore

/// "Me too" and merges in the API (docs/api.md, "Me too and merges"): follow a ticket, merge a
/// duplicate into another, and find the open tickets that are probably the same problem.
///
/// A follower or a searcher need not be a party to the ticket (a stranger's report of the same
/// broken lift), so these answers carry a ``SimilarTicket`` summary, never the ticket's contact
/// fields or messages; merging is staff's and answers with the closed duplicate.
struct FollowRoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.get("/tickets/similar") { try await similar($0) }
        api.post("/tickets/:id/follow") { try await follow($0) }
        api.post("/tickets/:id/merge") { try await merge($0) }
    }

    /// `POST /api/tickets/{id}/follow`: the caller follows (an account; on the campus desk the
    /// client's `X-CampusDesk-Reporter-Key`, required). No body. A ticket that does not exist, or a
    /// closed one the caller may not read, is 404; a closed one they may read, 409 from the worker.
    func follow(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        let id = try api.ticketID(request)
        if !Permissions.mayEver(caller.actor, .reportTicket) { throw Problem(refusal: TicketAccess.refusal(caller.actor, .reportTicket)) }
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        guard let ticket = try await context.tickets.detail(id)?.ticket else { throw Problem.refused(.notFound, "There is no ticket with that id.") }
        if ticket.status == .closed,
           try await !TicketAccess.mayRead(caller.actor, ticket, mode: context.authMode, reporterKey: reporterKey, tickets: context.tickets) {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        if context.authMode == .open, reporterKey == nil {
            throw Problem.refused(.forbidden, "Send \(ReporterKey.header): it is who follows on this desk.", field: ReporterKey.header)
        }
        let action = CommandAction.followTicket(FollowTicket(ticketID: id, reporterKeyDigest: reporterKey))
        return try await api.perform(request, actor: caller.actor, action) { reply in
            guard let ticket = reply.ticket else { return APIRoutes.json(.ok, ["command_id": reply.commandID.rawValue]) }
            return APIRoutes.json(.ok, SimilarTicket(ticket))
        }
    }

    struct MergeBody: Decodable {
        var into: TicketID
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let n = try c.decode(Int64.self, forKey: .into)
            guard n > 0 else { throw APIRoutes.BodyRule(detail: "into must be a ticket number.", field: "into") }
            into = TicketID(n)
        }
        enum CodingKeys: String, CodingKey { case into }
    }

    /// `POST /api/tickets/{id}/merge` with `{"into": N}`: staff who may triage close the duplicate
    /// `{id}` into `N`; the answer is the closed duplicate (`merged_into`). The worker's refusals:
    /// into itself 422, a closed or already merged duplicate 409, a closed or merged survivor 422.
    func merge(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id, b, _) = try await api.onTicket(request, .triageTicket, body: MergeBody.self)
        return try await api.perform(request, actor: caller.actor, .mergeTicket(MergeTicket(ticketID: id, into: b.into)),
                                     applied: api.ticketReply(.ok))
    }

    /// `GET /api/tickets/similar?location=..&text=..[&exclude=N]`: up to 5 open or active tickets at
    /// that place sharing a word with the text (``TicketReader/similarOpenTickets``), as summaries.
    func similar(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        if !Permissions.mayEver(caller.actor, .reportTicket) { throw Problem(refusal: TicketAccess.refusal(caller.actor, .reportTicket)) }
        let q = try APIRoutes.query(request)
        for (name, limit) in [("location", TextLimits.maxShortField), ("text", Self.maxSimilarText)] where (q[name]?.count ?? 0) > limit {
            throw Problem(status: .badRequest, detail: "\(name) is too long: at most \(limit) characters.", field: name)
        }
        var exclude: TicketID?
        if let raw = q["exclude"] {
            guard raw.utf8.count <= 19, let n = Int64(raw), n > 0 else {
                throw Problem(status: .badRequest, detail: "exclude must be a ticket number.", field: "exclude")
            }
            exclude = TicketID(n)
        }
        let found = try await context.tickets.similarOpenTickets(location: q["location"] ?? "", text: q["text"] ?? "", excluding: exclude)
        return APIRoutes.json(.ok, SimilarList(tickets: found.map(SimilarTicket.init)))
    }

    struct SimilarList: Encodable { var tickets: [SimilarTicket] }

    /// The most of a report's text a similar-tickets query reads: the first words say what the
    /// problem is, and 400 characters (with a 200-character place) keep the query's URL inside the
    /// server's 8 KiB request line even when every character is percent-encoded UTF-8.
    static let maxSimilarText = 400
}

/// What anyone who may report sees of a ticket that is probably the same problem: enough to say
/// "me too", nothing of the reporter (no name, contact or messages).
struct SimilarTicket: Encodable, Sendable {
    var id: TicketID
    var description: String
    var location: String?
    var status: Status
    var openedAt: Timestamp
    var affected: Int

    init(_ t: Ticket) {
        id = t.id
        description = t.description
        location = t.location
        status = t.status
        openedAt = t.openedAt
        affected = t.affected
    }

    enum CodingKeys: String, CodingKey { case id, description, location, status, affected, openedAt = "opened_at" }
}
