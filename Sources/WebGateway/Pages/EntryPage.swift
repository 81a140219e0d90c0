import Domain
import SpoolBroker
import HTTPServer

/// `/`: choose to act as a simple user or as helpdesk staff, with an optional display name.
enum EntryPage {
    static func render(visitor: Visitor, csrfToken: String, state: FormState = .empty) -> String {
        var b = "<h1>Welcome to CampusDesk</h1>\n"
        b += "<p>Report a problem with a building, IT or a campus service, or help solve one. There is no password: choose how you want to act.</p>\n"
        b += "<form method=\"post\" action=\"/session\" class=\"stack\">\n" + Field.general(state)
        b += Layout.hidden("csrf_token", csrfToken)
        b += "<fieldset>\n<legend>I am acting as</legend>\n"
        let chosen = state.values["role"] ?? visitor.role.rawValue
        for role in Role.allCases {
            let id = "entry-role-\(role.rawValue)"
            b += "<div class=\"choice\"><input type=\"radio\" id=\"\(id)\" name=\"role\" value=\"\(role.rawValue)\"\(chosen == role.rawValue ? " checked" : "")>"
            b += "<label for=\"\(id)\">\(Layout.roleLabel(role))</label></div>\n"
        }
        if let e = state.errors["role"] { b += "<p class=\"field-error\" role=\"alert\">\(escapeHTML(e))</p>\n" }
        b += "</fieldset>\n"
        b += Field.control(.text, name: "name", label: "Display name", idPrefix: "entry", state: state, value: visitor.name,
                           maxLength: TextLimits.maxShortField, hint: "Shown on tickets you report and messages you post.")
        b += "<button type=\"submit\">Continue</button>\n</form>\n"
        return Layout.page(title: "Welcome", visitor: visitor, csrfToken: csrfToken, body: b)
    }
}
