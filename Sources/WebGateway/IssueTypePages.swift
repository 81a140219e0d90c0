import Domain
import HTTPServer

/// The admins' issue type page (`/admin/issue-types`) and its forms: add, rename, retire.
///
/// Routed on both desks: a role without `manage_categories` gets 403 (on the campus desk nobody
/// acts as an admin through the pages, so the page is the network desk's in practice). Each form
/// follows the pages' one path (``WebRoutes``): CSRF check, permission, command, then a 303 back
/// with a flash, or the page again with the reason.
struct IssueTypePages: Sendable {
    let context: GatewayContext
    private var web: WebRoutes { WebRoutes(context: context) }

    func register(in router: inout Router) {
        router.get("/admin/issue-types") { try await page($0) }
        router.post("/admin/issue-types") { try await add($0) }
        router.post("/admin/issue-types/:id/rename") { try await rename($0) }
        router.post("/admin/issue-types/:id/retire") { try await retire($0) }
    }

    private static func flash(_ key: String?) -> Layout.Flash? {
        switch key {
        case "added": Layout.Flash(text: "The issue type was added.", isError: false)
        case "renamed": Layout.Flash(text: "The issue type was renamed.", isError: false)
        case "retired": Layout.Flash(text: "The issue type was retired; tickets that have it keep it.", isError: false)
        default: nil
        }
    }

    /// The visitor, when they may manage the list; else the 403 page.
    private func admin(_ request: HTTPRequest) async throws -> Result<Visitor, FormRejection> {
        try await web.visitor(request, holding: .manageCategories)
    }

    /// An admin's posted form with its CSRF token checked (the permission first: 403 before anything else).
    private func adminForm(_ request: HTTPRequest) async throws -> Result<(Visitor, FormFields), FormRejection> {
        switch try await admin(request) {
        case .failure(let r): return .failure(r)
        case .success(let v): return web.checkedForm(request, v).map { (v, $0) }
        }
    }

    private func render(_ v: Visitor, status: HTTPStatus = .ok, flash: Layout.Flash? = nil, addState: FormState = .empty) async throws -> HTTPResponse {
        let model = AdminIssueTypesPage.Model(visitor: v, csrfToken: web.token(v), issueTypes: try await context.tickets.issueTypes(includingRetired: true),
                                              flash: flash, addState: addState, requestID: context.newBrowserID())
        return WebRoutes.html(status, AdminIssueTypesPage.render(model, time: context.time), visitor: v)
    }

    func page(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v: Visitor
        switch try await admin(request) {
        case .failure(let r): return r.response
        case .success(let visitor): v = visitor
        }
        return try await render(v, flash: Self.flash((try? FormDecoding.decodeQuery(request.query))?["done"]))
    }

    func add(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (v, form): (Visitor, FormFields)
        switch try await adminForm(request) {
        case .failure(let r): return r.response
        case .success(let pair): (v, form) = pair
        }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            let state = FormState.refused(refusal, values: web.values(form, AdminIssueTypesPage.addFields), knownFields: AdminIssueTypesPage.addFields)
            return try await render(v, status: Problem.status(for: refusal.code), addState: state)
        }
        guard let category = form["category"].flatMap(Category.init(rawValue:)) else {
            return try await refused(Refusal(.validation, "Please choose a category.", field: "category"))
        }
        let action = CommandAction.addIssueType(AddIssueType(category: category, name: form["name"] ?? ""))
        return try await web.perform(action, form, v, applied: { _ in WebRoutes.redirect("/admin/issue-types?done=added", visitor: v) }, refused: refused)
    }

    func rename(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await change(request, done: "renamed") { id, form in .renameIssueType(RenameIssueType(issueTypeID: id, name: form["name"] ?? "")) }
    }

    func retire(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await change(request, done: "retired") { id, _ in .retireIssueType(RetireIssueType(issueTypeID: id)) }
    }

    /// A change to one type: its refusal is shown at the top of the page (the row's form has no room for it).
    private func change(_ request: HTTPRequest, done: String, action: (IssueTypeID, FormFields) -> CommandAction) async throws -> HTTPResponse {
        let (v, form): (Visitor, FormFields)
        switch try await adminForm(request) {
        case .failure(let r): return r.response
        case .success(let pair): (v, form) = pair
        }
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 19, let n = Int64(raw), n > 0 else {
            return web.errorPage(.notFound, "There is no such issue type.", v)
        }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            try await render(v, status: Problem.status(for: refusal.code), flash: Layout.Flash(text: refusal.reason, isError: true))
        }
        return try await web.perform(action(IssueTypeID(n), form), form, v,
                                     applied: { _ in WebRoutes.redirect("/admin/issue-types?done=\(done)", visitor: v) }, refused: refused)
    }
}
