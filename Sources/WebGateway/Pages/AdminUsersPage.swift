import Domain
import SpoolBroker
import HTTPServer

/// `/admin/users` (admins, network desk): find accounts by role, state and text; change an
/// account's role; deactivate or reactivate it; create a staff account.
///
/// Every change is its own small form (CSRF, no JavaScript), so a row's buttons work alone and a
/// screen reader hears which account each control is about (visually hidden labels name it).
enum AdminUsersPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var query: AuthAPIRoutes.UserQuery
        var users: [User]
        var nextOffset: Int?
        var flash: Layout.Flash?
        /// The create form's input and errors after a refused submit.
        var createState: FormState = .empty
        var requestID: String
    }

    static let createFields: Set<String> = ["name", "email", "role", "password"]

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 16_384 + m.users.count * 1024)
        Layout.page(title: "Users", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            b.raw("<h1>Users</h1>\n")
            filters(m, into: &b)
            table(m, time: time, into: &b)
            createForm(m, into: &b)
        }, into: &h)
        return h.bytes
    }

    private static func roleOptions() -> [(String, String)] {
        Role.allCases.map { ($0.rawValue, Layout.accountRoleLabel($0)) }
    }

    private static func filters(_ m: Model, into b: inout HTMLBuffer) {
        b.raw("<search>\n<form method=\"get\" action=\"/admin/users\" class=\"filters\" aria-label=\"Filter users\">\n")
        Field.control(.search, name: "q", label: "Name or e-mail", idPrefix: "filter", state: FormState(values: ["q": m.query.text ?? ""]),
                      maxLength: TicketListQuery.maxTextLength, into: &b)
        Field.select(name: "role", label: "Role", idPrefix: "filter", options: [("", "Any role")] + roleOptions(),
                     selected: m.query.role?.rawValue ?? "", into: &b)
        Field.select(name: "active", label: "State", idPrefix: "filter", options: [("", "Active or not"), ("true", "Active"), ("false", "Deactivated")],
                     selected: m.query.active.map { $0 ? "true" : "false" } ?? "", into: &b)
        b.raw("<button type=\"submit\">Apply</button>\n</form>\n</search>\n")
    }

    private static func table(_ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        guard !m.users.isEmpty else {
            b.raw("<p>No accounts match.</p>\n")
            return
        }
        b.raw("<table class=\"tickets\">\n<caption class=\"visually-hidden\">Accounts</caption>\n")
        b.raw("<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">E-mail</th><th scope=\"col\">Role</th><th scope=\"col\">State</th><th scope=\"col\">Registered</th><th scope=\"col\">Actions</th></tr></thead>\n<tbody>\n")
        for u in m.users {
            let own = u.id == m.visitor.user?.id
            b.raw("<tr><td>")
            b.text(u.name)
            b.raw("</td><td>")
            b.text(u.email)
            b.raw("</td><td>")
            b.raw(html: Layout.accountRoleLabel(u.role))
            b.raw("</td><td>")
            b.raw(html: u.active ? "Active" : "<strong>Deactivated</strong>")
            b.raw("</td><td>")
            b.time(u.createdAt, time)
            b.raw("</td><td>")
            if own {
                b.raw("<span class=\"muted\">your own account</span>")
            } else {
                rowForms(m, u, into: &b)
            }
            b.raw("</td></tr>\n")
        }
        b.raw("</tbody>\n</table>\n")
        if let next = m.nextOffset {
            var q = m.query
            q.offset = next
            b.raw("<nav aria-label=\"Pages\" class=\"pager\">\n<a href=\"/admin/users?")
            b.text(query(q))
            b.raw("\" rel=\"next\">Next page</a>\n</nav>\n")
        }
    }

    /// The role form and the (de)activate button of one account.
    private static func rowForms(_ m: Model, _ u: User, into b: inout HTMLBuffer) {
        let id = String(u.id.rawValue)
        b.raw("<div class=\"actions\">\n<form method=\"post\" action=\"/admin/users/")
        b.raw(html: id)
        b.raw("/role\" class=\"inline\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-role-" + id, into: &b)
        b.raw("<label class=\"visually-hidden\" for=\"user-")
        b.raw(html: id)
        b.raw("-role\">Role of ")
        b.text(u.name)
        b.raw("</label>\n<select id=\"user-")
        b.raw(html: id)
        b.raw("-role\" name=\"role\">\n")
        for (value, label) in roleOptions() {
            b.raw("<option value=\"")
            b.raw(html: value)
            b.raw("\"")
            if value == u.role.rawValue { b.raw(" selected") }
            b.raw(">")
            b.raw(html: label)
            b.raw("</option>\n")
        }
        b.raw("</select>\n<button type=\"submit\">Change role<span class=\"visually-hidden\"> of ")
        b.text(u.name)
        b.raw("</span></button>\n</form>\n<form method=\"post\" action=\"/admin/users/")
        b.raw(html: id)
        b.raw("/active\" class=\"inline\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-active-" + id, into: &b)
        Layout.hidden("active", u.active ? "false" : "true", into: &b)
        b.raw(html: u.active ? "<button type=\"submit\" class=\"secondary\">Deactivate" : "<button type=\"submit\" class=\"secondary\">Reactivate")
        b.raw("<span class=\"visually-hidden\"> ")
        b.text(u.name)
        b.raw("</span></button>\n</form>\n</div>\n")
    }

    private static func createForm(_ m: Model, into b: inout HTMLBuffer) {
        let s = m.createState
        b.raw("<section aria-labelledby=\"create-h\">\n<h2 id=\"create-h\">Create a staff account</h2>\n")
        b.raw("<p>Give the person their initial password; they change it under \"Change password\".</p>\n")
        b.raw("<form method=\"post\" action=\"/admin/users\" class=\"stack narrow\">\n")
        Field.general(s, into: &b)
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-create", into: &b)
        Field.control(.text, name: "name", label: "Name", idPrefix: "create", state: s, required: true, maxLength: TextLimits.maxShortField, into: &b)
        Field.control(.email, name: "email", label: "E-mail address", idPrefix: "create", state: s, required: true,
                      maxLength: AccountInput.maxEmailLength, extra: "autocomplete=\"off\"", into: &b)
        Field.select(name: "role", label: "Role", idPrefix: "create", options: roleOptions(), selected: Role.agent.rawValue, state: s, into: &b)
        Field.control(.password, name: "password", label: "Initial password", idPrefix: "create", state: s, required: true,
                      hint: "At least \(AccountSettings.minimumPasswordLength) characters.",
                      extra: "autocomplete=\"new-password\" minlength=\"\(AccountSettings.minimumPasswordLength)\"", into: &b)
        b.raw("<button type=\"submit\">Create account</button>\n</form>\n</section>\n")
    }

    static func query(_ q: AuthAPIRoutes.UserQuery) -> String {
        FormDecoding.encodeQuery([("q", q.text), ("role", q.role?.rawValue), ("active", q.active.map { $0 ? "true" : "false" }),
                                  ("offset", q.offset == 0 ? nil : String(q.offset))])
    }
}
