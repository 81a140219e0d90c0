import Domain
import TicketStore
import HTTPServer

/// The issue types in the API: `GET /api/categories` (each category with the types a reporter may
/// pick) for everyone who may report, and the admins' list (`manage_categories`): add
/// (`POST /api/issue-types`), rename (`PATCH /api/issue-types/{id}`) and retire
/// (`POST /api/issue-types/{id}/retire`; retiring is not deleting, so it is no `DELETE`).
///
/// A role without the permission is 403 before its id or body is read, as on every other route.
struct IssueTypeRoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.get("/categories") { try await categories($0) }
        api.post("/issue-types") { try await add($0) }
        api.patch("/issue-types/:id") { try await rename($0) }
        api.post("/issue-types/:id/retire") { try await retire($0) }
    }

    // MARK: - Reading

    /// One category with its types: `{"category": "it", "issue_types": [...]}`.
    struct CategoryBody: Encodable {
        var category: Category
        var issueTypes: [IssueType]
        enum CodingKeys: String, CodingKey { case category, issueTypes = "issue_types" }
    }

    /// Every category (all three, even one without types) with its offered types, in the order
    /// offered; `?include_retired=true` (admins) adds the retired ones, with their `retired_at`.
    func categories(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        do { try Permissions.check(caller.actor, .reportTicket) } catch { throw Problem(refusal: error) }
        let q = try APIRoutes.query(request)
        var includeRetired = false
        if let raw = q["include_retired"] {
            guard raw == "true" || raw == "false" else {
                throw Problem(status: .badRequest, detail: "include_retired must be true or false.", field: "include_retired")
            }
            includeRetired = raw == "true"
        }
        if includeRetired {
            do { try Permissions.check(caller.actor, .manageCategories, field: "include_retired") } catch { throw Problem(refusal: error) }
        }
        let types = try await context.tickets.issueTypes(includingRetired: includeRetired)
        let grouped = Category.allCases.map { c in CategoryBody(category: c, issueTypes: types.filter { $0.category == c }) }
        return APIRoutes.json(.ok, ["categories": grouped])
    }

    // MARK: - The admins' list

    struct AddBody: Decodable {
        var category: String
        var name: String
    }

    struct RenameBody: Decodable {
        var name: String
    }

    func add(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await admin(request)
        let b = try api.body(request, as: AddBody.self)
        guard let category = Category(rawValue: b.category) else {
            throw Problem.refused(.validation, "category must be facility, it or services.", field: "category")
        }
        return try await api.perform(request, actor: caller.actor, .addIssueType(AddIssueType(category: category, name: b.name)),
                                     applied: issueTypeReply(.created))
    }

    func rename(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await admin(request)
        let id = try issueTypeID(request)
        let b = try api.body(request, as: RenameBody.self)
        return try await api.perform(request, actor: caller.actor, .renameIssueType(RenameIssueType(issueTypeID: id, name: b.name)),
                                     applied: issueTypeReply(.ok))
    }

    /// Takes no body: retiring has nothing to say but which type.
    func retire(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await admin(request)
        let id = try issueTypeID(request)
        return try await api.perform(request, actor: caller.actor, .retireIssueType(RetireIssueType(issueTypeID: id)), applied: issueTypeReply(.ok))
    }

    // MARK: - Shared steps

    /// The caller, when they may manage the list (else 403).
    private func admin(_ request: HTTPRequest) async throws -> APIRoutes.Caller {
        let caller = try await api.caller(request)
        do { try Permissions.check(caller.actor, .manageCategories) } catch { throw Problem(refusal: error) }
        return caller
    }

    private func issueTypeID(_ request: HTTPRequest) throws(Problem) -> IssueTypeID {
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 19, let n = Int64(raw), n > 0 else {
            throw Problem.refused(.notFound, "There is no issue type with that id.")
        }
        return IssueTypeID(n)
    }

    private func issueTypeReply(_ status: HTTPStatus) -> (CommandReply) -> HTTPResponse {
        { reply in
            guard let type = reply.issueType else { return APIRoutes.json(status, ["command_id": reply.commandID.rawValue]) }
            return APIRoutes.json(status, type)
        }
    }

    /// Why a ticket cannot be given issue type `id`, or nil: none with that number (`not_found`), or
    /// retired (`conflict`: it exists but is not in a state to be chosen), as the API answers an
    /// assignee. Asked before the command is sent; the worker checks again (its words, `validation`).
    static func refusal(choosing id: IssueTypeID, tickets: TicketReader) async throws -> Refusal? {
        guard let type = try await tickets.issueType(id) else {
            return Refusal(.notFound, "There is no issue type \(id.rawValue); GET /api/categories lists them.", field: "issue_type_id")
        }
        guard type.retiredAt == nil else {
            return Refusal(.conflict, "\u{201C}\(type.name)\u{201D} is no longer offered; please choose another issue type.", field: "issue_type_id")
        }
        return nil
    }
}
