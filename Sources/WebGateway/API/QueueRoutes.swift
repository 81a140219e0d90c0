import Domain
import HTTPServer

/// The work queues under `/api/tickets`: the caller's own tickets, those assigned to them, to
/// another account, or to nobody.
///
/// Each is `GET /api/tickets` narrowed one way, under an address a client can link to: the same
/// page (`tickets` and `next_cursor`), the same filters and order (`status`, `category`, `q`,
/// `severity`, `priority`, `sort`, `limit`, `cursor`; other parameters are ignored, as fields not
/// in the document are) and the same limits on what a role sees. The router ranks these literal paths above
/// `/api/tickets/:id`, so `my-tickets` is never taken for a ticket number.
struct QueueRoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.get("/tickets/my-tickets") { try await myTickets($0) }
        api.get("/tickets/assigned-to-me") { try await assignedToMe($0) }
        api.get("/tickets/unassigned") { try await unassigned($0) }
        api.get("/tickets/assigned/:assignee_id") { try await assigned($0) }
    }

    /// The tickets the caller reported (`customer_id`), in every status.
    func myTickets(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id) = try await account(request)
        return try await page(request, caller) { $0.customerID = id }
    }

    /// The tickets assigned to the caller; only engineers are ever assigned any, so for the other
    /// roles the page is empty (not 403: it is the caller's own queue, and says nothing about others).
    func assignedToMe(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (caller, id) = try await account(request)
        return try await page(request, caller) { $0.assigneeID = id }
    }

    /// The tickets nobody is assigned to, open and active unless `status` says otherwise; staff only.
    func unassigned(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        try requireQueues(caller)
        let statusGiven = try APIRoutes.query(request)["status"] != nil
        return try await page(request, caller) { filter throws(Problem) in
            try TicketListQuery.narrow(&filter, to: .nobody, actor: caller.actor, statusGiven: statusGiven)
        }
    }

    /// The tickets assigned to one account; staff only. A malformed id is 400, an unknown account
    /// 404; an account that is no engineer (or no longer active) has what it has: usually nothing.
    func assigned(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        try requireQueues(caller)
        guard case .account(let id) = try TicketListQuery.assignee(request.pathParameters["assignee_id"] ?? "", field: "assignee_id", allowsNone: false) else {
            throw Problem(status: .badRequest, detail: "assignee_id must be an account number.", field: "assignee_id")
        }
        // The query's own 400s come before the account's 404, as on GET /api/tickets.
        _ = try filter(request, caller)
        guard try await context.accounts.user(id) != nil else {
            throw Problem.refused(.notFound, "There is no account \(id.rawValue).", field: "assignee_id")
        }
        return try await page(request, caller) { filter throws(Problem) in
            try TicketListQuery.narrow(&filter, to: .account(id), actor: caller.actor, statusGiven: true)
        }
    }

    // MARK: - Shared steps

    /// The caller and their account. The campus desk has no accounts, so nothing there is anyone's
    /// own: 404 whatever the credentials, as `/api/auth` answers there.
    private func account(_ request: HTTPRequest) async throws -> (APIRoutes.Caller, UserID) {
        guard context.authMode == .accounts else {
            throw Problem(status: .notFound, detail: "There is nothing at this address: this desk has no accounts (CAMPUSDESK_AUTH=open), so no ticket is anyone's own.")
        }
        let caller = try await api.caller(request)
        // The network desk's caller always has an account (else `caller` was a 401).
        guard let id = caller.actor.userID else {
            throw Problem(status: .unauthorized, detail: "An account is required.", challenge: Authentication.bearerChallenge)
        }
        return (caller, id)
    }

    /// Others' queues are for those who may view every ticket (`view_ticket` reach `all`).
    private func requireQueues(_ caller: APIRoutes.Caller) throws(Problem) {
        guard TicketListQuery.seesQueues(caller.actor) else {
            throw Problem.refused(.forbidden, "Only helpdesk staff see the queues of others and the unassigned tickets.")
        }
    }

    /// The list filter from the page parameters alone, as the caller may see.
    private func filter(_ request: HTTPRequest, _ caller: APIRoutes.Caller) throws(Problem) -> TicketFilter {
        var q = try APIRoutes.query(request)
        try APIRoutes.requireValues(q, ["status", "category", "severity", "priority", "sort", "limit", "cursor"])
        q.fields.removeAll { !TicketListQuery.pageParameters.contains($0.name) }
        return try TicketListQuery.filter(from: q, actor: caller.actor, mode: context.authMode)
    }

    private func page(_ request: HTTPRequest, _ caller: APIRoutes.Caller, narrow: (inout TicketFilter) throws(Problem) -> Void) async throws -> HTTPResponse {
        var filter = try filter(request, caller)
        try narrow(&filter)
        return try await api.page(filter, caller)
    }
}
