import Domain
import SpoolBroker
import HTTPServer

/// The network desk's account forms: `/login`, `/register` and `/account/password`.
///
/// Plain forms that work without JavaScript, each with its CSRF token, labelled fields whose
/// errors are announced beside them, and the browser's password manager hints (`autocomplete`).
/// Passwords are never written back into a page.
enum AccountFormsPage {
    static let registerFields: Set<String> = ["name", "email", "phone", "location", "password", "password_confirmation"]
    static let passwordFields: Set<String> = ["current_password", "new_password", "new_password_confirmation"]

    static func login(visitor: Visitor, csrfToken: String, next: String?, flash: Layout.Flash? = nil, state: FormState = .empty) -> [UInt8] {
        var h = HTMLBuffer(capacity: 6144)
        Layout.page(title: "Log in", visitor: visitor, csrfToken: csrfToken, flash: flash, body: { b in
            b.raw("<h1>Log in</h1>\n<form method=\"post\" action=\"/login\" class=\"stack narrow\">\n")
            Field.general(state, into: &b)
            Layout.hidden("csrf_token", csrfToken, into: &b)
            if let next { Layout.hidden("next", next, into: &b) }
            Field.control(.email, name: "email", label: "E-mail address", idPrefix: "login", state: state, required: true,
                          maxLength: AccountInput.maxEmailLength, extra: "autocomplete=\"username\" autofocus", into: &b)
            Field.control(.password, name: "password", label: "Password", idPrefix: "login", state: state, required: true,
                          extra: "autocomplete=\"current-password\"", into: &b)
            b.raw("<button type=\"submit\">Log in</button>\n</form>\n")
            b.raw("<p>No account yet? <a href=\"/register\">Register</a> to report problems and follow them.</p>\n")
        }, into: &h)
        return h.bytes
    }

    static func register(visitor: Visitor, csrfToken: String, requestID: String, state: FormState = .empty) -> [UInt8] {
        var h = HTMLBuffer(capacity: 8192)
        Layout.page(title: "Register", visitor: visitor, csrfToken: csrfToken, body: { b in
            b.raw("<h1>Register</h1>\n<p>An account lets you report problems and follow what happens to them.</p>\n")
            b.raw("<form method=\"post\" action=\"/register\" class=\"stack narrow\">\n")
            Field.general(state, into: &b)
            Layout.hidden("csrf_token", csrfToken, into: &b)
            Layout.hidden("request_id", requestID, into: &b)
            Field.control(.text, name: "name", label: "Name", idPrefix: "register", state: state, required: true,
                          maxLength: TextLimits.maxShortField, extra: "autocomplete=\"name\"", into: &b)
            Field.control(.email, name: "email", label: "E-mail address", idPrefix: "register", state: state, required: true,
                          maxLength: AccountInput.maxEmailLength, hint: "You log in with it.", extra: "autocomplete=\"email\"", into: &b)
            Field.control(.tel, name: "phone", label: "Phone", idPrefix: "register", state: state,
                          maxLength: AccountInput.maxPhoneLength, extra: "autocomplete=\"tel\"", into: &b)
            Field.control(.text, name: "location", label: "Where you usually are", idPrefix: "register", state: state,
                          maxLength: TextLimits.maxShortField, hint: "Building and room, or department.", into: &b)
            newPassword(name: "password", label: "Password", idPrefix: "register", state: state, into: &b)
            Field.control(.password, name: "password_confirmation", label: "Password again", idPrefix: "register", state: state, required: true,
                          extra: "autocomplete=\"new-password\"", into: &b)
            b.raw("<button type=\"submit\">Create my account</button>\n</form>\n")
            b.raw("<p>Already registered? <a href=\"/login\">Log in</a>.</p>\n")
        }, into: &h)
        return h.bytes
    }

    static func password(visitor: Visitor, csrfToken: String, requestID: String, flash: Layout.Flash? = nil, state: FormState = .empty) -> [UInt8] {
        var h = HTMLBuffer(capacity: 6144)
        Layout.page(title: "Change password", visitor: visitor, csrfToken: csrfToken, flash: flash, body: { b in
            b.raw("<h1>Change password</h1>\n<p>Your other sessions end when the password changes; this one stays.</p>\n")
            b.raw("<form method=\"post\" action=\"/account/password\" class=\"stack narrow\">\n")
            Field.general(state, into: &b)
            Layout.hidden("csrf_token", csrfToken, into: &b)
            Layout.hidden("request_id", requestID, into: &b)
            // The account's e-mail, for password managers (hidden from people, who know it).
            if let email = visitor.user?.email {
                b.raw("<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"")
                b.text(email)
                b.raw("\">\n")
            }
            Field.control(.password, name: "current_password", label: "Current password", idPrefix: "password", state: state, required: true,
                          extra: "autocomplete=\"current-password\"", into: &b)
            newPassword(name: "new_password", label: "New password", idPrefix: "password", state: state, into: &b)
            Field.control(.password, name: "new_password_confirmation", label: "New password again", idPrefix: "password", state: state, required: true,
                          extra: "autocomplete=\"new-password\"", into: &b)
            b.raw("<button type=\"submit\">Change password</button>\n</form>\n")
        }, into: &h)
        return h.bytes
    }

    private static func newPassword(name: String, label: String, idPrefix: String, state: FormState, into b: inout HTMLBuffer) {
        Field.control(.password, name: name, label: label, idPrefix: idPrefix, state: state, required: true,
                      hint: "At least \(AccountSettings.minimumPasswordLength) characters; a few words you remember make a good one.",
                      extra: "autocomplete=\"new-password\" minlength=\"\(AccountSettings.minimumPasswordLength)\"", into: &b)
    }
}
