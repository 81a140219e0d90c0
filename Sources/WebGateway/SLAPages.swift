import Domain
import HTTPServer

/// The SLA page (`/admin/sla`) and its two forms: the targets per priority and the business
/// calendar. Roles without `edit_sla_policies` on this desk get 403. Each form follows the pages'
/// one path (``WebRoutes``): CSRF check, permission, command, then a 303 back with a flash, or the
/// page again with the refusal, its field named.
struct SLAPages: Sendable {
    let context: GatewayContext
    private var web: WebRoutes { WebRoutes(context: context) }

    func register(in router: inout Router) {
        router.get("/admin/sla") { try await page($0) }
        router.post("/admin/sla/policies") { try await save($0, policies: true) }
        router.post("/admin/sla/calendar") { try await save($0, policies: false) }
    }

    private func editor(_ request: HTTPRequest) async throws -> Result<Visitor, FormRejection> {
        let v = try await web.visitor(request)
        guard Permissions.reach(v.actor.role, .editSLAPolicies, desk: context.authMode) == .all else {
            return .failure(FormRejection(web.errorPage(.forbidden, "Only managers and admins change the service targets.", v)))
        }
        return .success(v)
    }

    private func render(_ v: Visitor, status: HTTPStatus = .ok, flash: Layout.Flash? = nil) async throws -> HTTPResponse {
        guard let current = try await context.tickets.currentSLA() else {
            return web.errorPage(.serviceUnavailable, "The ticket service has not set up the service targets yet.", v)
        }
        let model = AdminSLAPage.Model(visitor: v, csrfToken: web.token(v), current: current, flash: flash, requestID: context.newBrowserID())
        return WebRoutes.html(status, AdminSLAPage.render(model, time: context.time), visitor: v)
    }

    func page(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch try await editor(request) {
        case .failure(let r): return r.response
        case .success(let v):
            let done = (try? FormDecoding.decodeQuery(request.query))?["done"]
            return try await render(v, flash: done == "saved" ? Layout.Flash(text: "Saved: a new version, for tickets reported from now on.", isError: false) : nil)
        }
    }

    func save(_ request: HTTPRequest, policies: Bool) async throws -> HTTPResponse {
        let v: Visitor
        switch try await editor(request) {
        case .failure(let r): return r.response
        case .success(let visitor): v = visitor
        }
        let form: FormFields
        switch web.checkedForm(request, v) {
        case .failure(let r): return r.response
        case .success(let f): form = f
        }
        let refused = { (refusal: Refusal) async throws -> HTTPResponse in
            let text = (refusal.field.map { $0 + ": " } ?? "") + refusal.reason
            return try await render(v, status: Problem.status(for: refusal.code), flash: Layout.Flash(text: text, isError: true))
        }
        let action: CommandAction
        do {
            action = policies ? .setSLAPolicies(SetSLAPolicies(policies: try Self.policies(form)))
                : .setSLACalendar(SetSLACalendar(calendar: try Self.calendar(form)))
        } catch let refusal {  // both throw only Refusal
            return try await refused(refusal)
        }
        return try await web.perform(action, form, v, applied: { _ in WebRoutes.redirect("/admin/sla?done=saved", visitor: v) }, refused: refused)
    }

    /// The targets form: per priority and target `<P>.<target>.amount`, `.unit`, `.clock`.
    static func policies(_ form: FormFields) throws(Refusal) -> SLAPolicies {
        func target(_ field: String) throws(Refusal) -> SLATarget {
            guard let clock = form[field + ".clock"].flatMap(SLATarget.Clock.init(rawValue:)) else {
                throw Refusal(.validation, "Choose a clock.", field: field)
            }
            guard let raw = form.trimmed(field + ".amount"), raw.utf8.count <= 9, let amount = Int(raw) else {
                throw Refusal(.validation, "Give the amount as a whole number.", field: field)
            }
            switch form[field + ".unit"] {
            case "minutes": return SLATarget(.minutes(amount), clock: clock)
            case "hours": return SLATarget(.minutes(amount * 60), clock: clock)
            case "business_days": return SLATarget(.businessDays(amount), clock: clock)
            default: throw Refusal(.validation, "Choose minutes, hours or business days.", field: field)
            }
        }
        return try SLAPolicies(try Priority.allCases.map { p throws(Refusal) in
            SLAPolicy(priority: p, firstResponse: try target(p.rawValue + ".first_response"), resolution: try target(p.rawValue + ".resolution"))
        })
    }

    static func calendar(_ form: FormFields) throws(Refusal) -> BusinessCalendar {
        let holidays = (form["holidays"] ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try BusinessCalendar(timeZoneIdentifier: form.trimmed("time_zone") ?? "", workingDays: form.values("working_days"),
                                    opens: form.trimmed("opens") ?? "", closes: form.trimmed("closes") ?? "", holidays: holidays)
    }
}
