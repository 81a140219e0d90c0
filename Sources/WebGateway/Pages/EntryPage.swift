import Domain
import SpoolBroker
import HTTPServer

/// `/`: choose to act as a simple user or as helpdesk staff, with an optional display name; staff
/// may pick themselves from the staff directory (`directory`, shown when it has anyone).
enum EntryPage {
    static func render(visitor: Visitor, csrfToken: String, state: FormState = .empty, directory: [User] = []) -> [UInt8] {
        var h = HTMLBuffer(capacity: 6144)
        Layout.page(title: "Welcome", visitor: visitor, csrfToken: csrfToken, body: { b in
            b.raw("<h1>Welcome to CampusDesk</h1>\n")
            b.raw("<p>Report a problem with a building, IT or a campus service, or help solve one. There is no password: choose how you want to act.</p>\n")
            b.raw("<form method=\"post\" action=\"/session\" class=\"stack\">\n")
            Field.general(state, into: &b)
            Layout.hidden("csrf_token", csrfToken, into: &b)
            b.raw("<fieldset>\n<legend>I am acting as</legend>\n")
            let chosen = state.values["role"] ?? visitor.role.rawValue
            for role in Role.openModeRoles {
                // Ids and values come from our own vocabulary, never from input.
                b.raw("<div class=\"choice\"><input type=\"radio\" id=\"entry-role-")
                b.raw(html: role.rawValue)
                b.raw("\" name=\"role\" value=\"")
                b.raw(html: role.rawValue)
                b.raw("\"")
                if chosen == role.rawValue { b.raw(" checked") }
                b.raw("><label for=\"entry-role-")
                b.raw(html: role.rawValue)
                b.raw("\">")
                b.raw(html: Layout.roleLabel(role))
                b.raw("</label></div>\n")
            }
            if let e = state.errors["role"] {
                b.raw("<p class=\"field-error\" role=\"alert\">")
                b.text(e)
                b.raw("</p>\n")
            }
            b.raw("</fieldset>\n")
            Field.control(.text, name: "name", label: "Display name", idPrefix: "entry", state: state, value: visitor.name,
                          maxLength: TextLimits.maxShortField, hint: "Shown on tickets you report and messages you post.", into: &b)
            if !directory.isEmpty {
                let options = [("", "Nobody in particular")] + directory.map { (String($0.id.rawValue), "\($0.name) (\(Layout.accountRoleLabel($0.role)))") }
                Field.select(name: "staff_id", label: "Helpdesk staff: I am", idPrefix: "entry", options: options,
                             selected: visitor.user.map { String($0.id.rawValue) } ?? "", state: state, into: &b)
                b.raw("<p class=\"hint\">Pick yourself from the staff directory to act under your own name and role, with the tickets assigned to you one click away.</p>\n")
            }
            b.raw("<button type=\"submit\">Continue</button>\n</form>\n")
        }, into: &h)
        return h.bytes
    }
}
