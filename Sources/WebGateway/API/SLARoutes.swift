import Foundation
import Domain
import TicketStore
import HTTPServer

/// The SLA policies and business calendar in the API (docs/sla.md, "API"): `GET/PUT
/// /api/sla/policies` and `GET/PUT /api/sla/calendar`, for roles holding `edit_sla_policies`
/// (managers and admins; on the campus desk its agents); others are 403 before the body is read.
///
/// A PUT is a worker command that writes a new version (the other half as it is), which applies
/// to tickets opened after it; the answer is the new version as a GET would show it.
struct SLARoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.get("/sla/policies") { try await show($0, part: .policies) }
        api.put("/sla/policies") { try await setPolicies($0) }
        api.get("/sla/calendar") { try await show($0, part: .calendar) }
        api.put("/sla/calendar") { try await setCalendar($0) }
    }

    enum Part { case policies, calendar }

    /// `{"version": 2, "created_at": …, "created_by": {"id": 3, "role": "manager", "name": "Ada"}|null,
    /// "policies": [...]}` or the calendar's members in place of `policies`.
    struct VersionBody: Encodable {
        var record: SLAVersionRecord
        var part: Part

        enum CodingKeys: String, CodingKey { case version, createdAt = "created_at", createdBy = "created_by" }
        struct Creator: Encodable {
            var id: UserID?
            var role: Role
            var name: String?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(id, forKey: .id)
                try c.encode(role, forKey: .role)
                try c.encode(name, forKey: .name)
            }
            enum CodingKeys: String, CodingKey { case id, role, name }
        }

        func encode(to encoder: any Encoder) throws {
            switch part {
            case .policies: try record.sla.policies.encode(to: encoder)
            case .calendar: try record.sla.calendar.encode(to: encoder)
            }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(record.sla.version, forKey: .version)
            try c.encode(record.createdAt, forKey: .createdAt)
            // Version 1 is the store's defaults: made by nobody in particular.
            let creator = record.sla.version == 1 ? nil : Creator(id: record.createdByID, role: record.createdByRole, name: record.createdByName)
            try c.encode(creator, forKey: .createdBy)
        }
    }

    func show(_ request: HTTPRequest, part: Part) async throws -> HTTPResponse {
        _ = try await editor(request)
        return try await current(part)
    }

    func setPolicies(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await editor(request)
        let policies = try api.body(request, as: SLAPolicies.self)
        return try await put(request, caller, .setSLAPolicies(SetSLAPolicies(policies: policies)), part: .policies)
    }

    func setCalendar(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await editor(request)
        let calendar = try api.body(request, as: BusinessCalendar.self)
        return try await put(request, caller, .setSLACalendar(SetSLACalendar(calendar: calendar)), part: .calendar)
    }

    // MARK: - Shared steps

    /// The caller, when they hold `edit_sla_policies` on this desk (else 403).
    private func editor(_ request: HTTPRequest) async throws -> APIRoutes.Caller {
        let caller = try await api.caller(request)
        guard Permissions.reach(caller.actor.role, .editSLAPolicies, desk: context.authMode) == .all else {
            throw Problem.refused(.forbidden, "\(caller.actor.role.withArticle.capitalized) may not view or edit the SLA policies or calendar.")
        }
        return caller
    }

    private func put(_ request: HTTPRequest, _ caller: APIRoutes.Caller, _ action: CommandAction, part: Part) async throws -> HTTPResponse {
        let response = try await api.perform(request, actor: caller.actor, action, applied: { _ in HTTPResponse(status: .ok) })
        guard response.status == .ok else { return response }
        return try await current(part)
    }

    private func current(_ part: Part) async throws -> HTTPResponse {
        guard let record = try await context.tickets.currentSLA() else {
            throw Problem(status: .serviceUnavailable, detail: "The ticket service has not set up the SLA policies yet.", retryAfter: 30)
        }
        return APIRoutes.json(.ok, VersionBody(record: record, part: part))
    }
}
