import Domain
import SpoolBroker
import HTTPServer
import Notifier

/// The frame of every page: landmarks, navigation, role switch, flash message.
///
/// One layout so that every page has the same skip link, headings order and landmarks
/// (banner, navigation, main, contentinfo), which is what screen-reader users navigate by.
enum Layout {
    /// A message shown at the top of `main` after an action.
    struct Flash: Sendable, Equatable {
        var text: String
        var isError: Bool
    }

    /// The whole page written into `h`, its `main` content by `body`.
    ///
    /// Every page is built this way, in one ``HTMLBuffer``: one way to render, one escape path.
    /// `script` names one of our own static scripts (`/static/...`), loaded deferred; pages work without it.
    static func page(title: String, visitor: Visitor, csrfToken: String, flash: Flash? = nil, script: StaticString? = nil,
                     body: (inout HTMLBuffer) -> Void, into h: inout HTMLBuffer) {
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        h.raw("<title>")
        h.text(title)
        h.raw(" · CampusDesk</title>\n<link rel=\"icon\" href=\"/favicon.ico\" sizes=\"16x16\">\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n")
        if let script {
            h.raw("<script src=\"")
            h.raw(script)
            h.raw("\" defer></script>\n")
        }
        h.raw("</head>\n<body>\n")
        h.raw("<a class=\"skip\" href=\"#main\">Skip to content</a>\n")
        if visitor.authMode == .accounts {
            accountHeader(visitor: visitor, csrfToken: csrfToken, into: &h)
        } else {
            h.raw("<header class=\"site\">\n<p class=\"brand\"><a href=\"/tickets\">CampusDesk</a></p>\n")
            h.raw("<nav aria-label=\"Main\">\n<ul>\n<li><a href=\"/tickets\">Tickets</a></li>\n<li><a href=\"/tickets/new\">Report a problem</a></li>\n")
            if let user = visitor.user, Permissions.reach(user.role, .changeStatus) == .assigned { assignedToMe(user, into: &h) }
            notificationsLink(visitor, into: &h)
            if Permissions.mayEver(visitor.actor, .viewDashboard) { h.raw("<li><a href=\"/dashboard\">Dashboard</a></li>\n") }
            if Permissions.reach(visitor.actor.role, .viewServiceLevels, desk: .open) == .all {
                h.raw("<li><a href=\"/dashboard/service-levels\">Service levels</a></li>\n")
            }
            if Permissions.mayEver(visitor.actor, .printPosters) { h.raw("<li><a href=\"/posters\">Posters</a></li>\n") }
            h.raw("<li><a href=\"/\">Change role or name</a></li>\n</ul>\n</nav>\n")
            roleSwitch(visitor: visitor, csrfToken: csrfToken, into: &h)
        }
        h.raw("</header>\n<main id=\"main\">\n")
        if let flash {
            h.raw(html: flash.isError ? "<p class=\"flash error\" role=\"alert\">" : "<p class=\"flash\" role=\"status\">")
            h.text(flash.text)
            h.raw("</p>\n")
        }
        body(&h)
        h.raw("</main>\n<footer class=\"site\">\n<p>CampusDesk campus helpdesk · <a href=\"/api/openapi.yaml\">API description</a></p>\n</footer>\n</body>\n</html>\n")
    }

    /// The network desk's banner: the menu of what the account's role may do (`Permissions`), who
    /// is signed in with which role, and the logout button; signed out, the login and registration links.
    static func accountHeader(visitor: Visitor, csrfToken: String, into h: inout HTMLBuffer) {
        guard let user = visitor.user else {
            h.raw("<header class=\"site\">\n<p class=\"brand\"><a href=\"/login\">CampusDesk</a></p>\n")
            h.raw("<nav aria-label=\"Main\">\n<ul>\n<li><a href=\"/login\">Log in</a></li>\n<li><a href=\"/register\">Register</a></li>\n</ul>\n</nav>\n")
            return
        }
        let actor = visitor.actor
        h.raw("<header class=\"site\">\n<p class=\"brand\"><a href=\"")
        h.text(StartPage.path(for: user))
        h.raw("\">CampusDesk</a></p>\n<nav aria-label=\"Main\">\n<ul>\n")
        if Permissions.reach(actor.role, .viewTicket) == .own {
            h.raw("<li><a href=\"/tickets\">My tickets</a></li>\n")
        } else {
            h.raw("<li><a href=\"/tickets\">Tickets</a></li>\n")
        }
        // Those who work only what is assigned to them get their own list.
        if Permissions.reach(actor.role, .changeStatus) == .assigned { assignedToMe(user, into: &h) }
        if Permissions.mayEver(actor, .reportTicket) { h.raw("<li><a href=\"/tickets/new\">Report a problem</a></li>\n") }
        if Permissions.mayEver(actor, .viewDashboard) { h.raw("<li><a href=\"/dashboard\">Dashboard</a></li>\n") }
        if Permissions.mayEver(actor, .viewServiceLevels) { h.raw("<li><a href=\"/dashboard/service-levels\">Service levels</a></li>\n") }
        if Permissions.mayEver(actor, .printPosters) { h.raw("<li><a href=\"/posters\">Posters</a></li>\n") }
        if Permissions.mayEver(actor, .manageUsers) { h.raw("<li><a href=\"/admin/users\">Users</a></li>\n") }
        if Permissions.mayEver(actor, .manageCategories) { h.raw("<li><a href=\"/admin/issue-types\">Issue types</a></li>\n") }
        if Permissions.mayEver(actor, .editSLAPolicies) { h.raw("<li><a href=\"/admin/sla\">Service targets</a></li>\n") }
        notificationsLink(visitor, into: &h)
        h.raw("<li><a href=\"/account/password\">Change password</a></li>\n</ul>\n</nav>\n")
        h.raw("<form class=\"role-switch\" method=\"post\" action=\"/logout\">\n<p>Signed in as <strong>")
        h.text(user.name)
        h.raw("</strong> (")
        h.raw(html: accountRoleLabel(user.role))
        h.raw(")</p>\n")
        hidden("csrf_token", csrfToken, into: &h)
        h.raw("<button type=\"submit\">Log out</button>\n</form>\n")
    }

    /// The role's name on the network desk.
    static func accountRoleLabel(_ role: Role) -> String {
        switch role {
        case .customer: "Customer"
        case .agent: "Agent"
        case .engineer: "Engineer"
        case .manager: "Manager"
        case .admin: "Administrator"
        }
    }

    /// "Notifications (3)" for a visitor with an inbox: the unread count, "99+" past the cap,
    /// with "unread" said to screen readers.
    static func notificationsLink(_ visitor: Visitor, into h: inout HTMLBuffer) {
        guard visitor.inboxKey != nil else { return }
        h.raw("<li><a href=\"/notifications\">Notifications")
        if let n = visitor.unreadNotifications, n > 0 {
            h.raw(" (")
            h.text(Inbox.countText(n))
            h.raw("<span class=\"visually-hidden\"> unread</span>)")
        }
        h.raw("</a></li>\n")
    }

    static func assignedToMe(_ user: User, into h: inout HTMLBuffer) {
        h.raw("<li><a href=\"/tickets?assignee_id=")
        h.number(user.id.rawValue)
        h.raw("\">Assigned to me</a></li>\n")
    }

    /// A one-click switch to the other role, keeping the display name.
    static func roleSwitch(visitor: Visitor, csrfToken: String, into h: inout HTMLBuffer) {
        let other: Role = visitor.role.isStaff ? .customer : .agent
        h.raw("<form class=\"role-switch\" method=\"post\" action=\"/session\">\n")
        h.raw("<p>Acting as <strong>")
        if let person = visitor.user {
            // Picked from the staff directory: the person, in their own role.
            h.text(person.name)
            h.raw("</strong> (")
            h.raw(html: accountRoleLabel(person.role))
            h.raw(")")
        } else {
            h.raw(html: roleLabel(visitor.role))
            h.raw("</strong>")
        }
        if visitor.user == nil, let name = visitor.name {
            h.raw(" (")
            h.text(name)
            h.raw(")")
        }
        h.raw("</p>\n")
        hidden("csrf_token", csrfToken, into: &h)
        hidden("role", other.rawValue, into: &h)
        hidden("name", visitor.name ?? "", into: &h)
        h.raw("<button type=\"submit\">Switch to ")
        h.raw(html: roleLabel(other).lowercased())
        h.raw("</button>\n</form>\n")
    }

    static func roleLabel(_ role: Role) -> String {
        switch role {
        case .customer: "Simple user"
        case .agent: "Helpdesk staff"
        case .engineer: "Engineer"
        case .manager: "Manager"
        case .admin: "Administrator"
        }
    }

    static func hidden(_ name: String, _ value: String, into h: inout HTMLBuffer) {
        h.raw("<input type=\"hidden\" name=\"")
        h.text(name)
        h.raw("\" value=\"")
        h.text(value)
        h.raw("\">\n")
    }
}

/// What a form shows again after a refused submit: the user's input and the errors beside fields.
struct FormState: Sendable, Equatable {
    var values: [String: String] = [:]
    /// Field name → message; shown next to that field and announced (`role="alert"`).
    var errors: [String: String] = [:]
    /// A problem that concerns no single field.
    var general: String?

    static let empty = FormState()

    /// The state after a refusal: the field it names gets the reason, or the form as a whole.
    static func refused(_ refusal: Refusal, values: [String: String], knownFields: Set<String>) -> FormState {
        var s = FormState(values: values)
        if let f = refusal.field, knownFields.contains(f) { s.errors[f] = refusal.reason } else { s.general = refusal.reason }
        return s
    }
}

/// Labelled form controls with their error messages wired for assistive technology.
enum Field {
    /// 5000 → "5,000" (a fixed separator: pages do not depend on the server's locale); the limits'
    /// hints and the list's position line.
    static func grouped(_ n: Int) -> String {
        var b = HTMLBuffer(capacity: 32)
        b.write(capacity: 32) { $0.grouped(Int64(n)) }
        return String(decoding: b.bytes, as: UTF8.self)
    }

    enum Kind {
        case text, textarea, search, number, email, tel
        /// Never shown again after a refused submit: the value is not echoed into the page.
        case password
        /// A file picker (`extra` carries its `accept`); a browser never takes a value for it.
        case file
    }

    /// A labelled control appended to a page buffer; `idPrefix` keeps ids unique when one page has several forms.
    static func control(_ kind: Kind, name: String, label: String, idPrefix: String, state: FormState, value: String? = nil,
                        required: Bool = false, maxLength: Int? = nil, hint: String? = nil, extra: String = "", into h: inout HTMLBuffer) {
        // Ids are built from our own field names, never from user input.
        let id = idPrefix + "-" + name
        let v = kind == .password || kind == .file ? "" : state.values[name] ?? value ?? ""
        let error = state.errors[name]
        // A long text's limit is said before it bites (issue 20): a browser's `maxlength` cuts a
        // long paste without a word, so a textarea shows its limit and a live count
        // (`/static/forms.js`) and the server refuses what is over it, keeping the text.
        let counted = kind == .textarea ? maxLength : nil
        var hint = hint
        if let counted {
            let limit = "Up to \(Self.grouped(counted)) characters."
            hint = hint.map { $0 + " " + limit } ?? limit
        }
        h.raw("<div class=\"field\">\n<label for=\"")
        h.raw(html: id)
        h.raw("\">")
        h.text(label)
        if !required { h.raw(" <span class=\"optional\">(optional)</span>") }
        h.raw("</label>\n")
        if let hint {
            h.raw("<p class=\"hint\" id=\"")
            h.raw(html: id)
            h.raw("-hint\">")
            h.text(hint)
            h.raw("</p>\n")
        }
        if let error { fieldError(error, id: id, into: &h) }
        switch kind {
        case .textarea: h.raw("<textarea ")
        case .text: h.raw("<input type=\"text\" ")
        case .search: h.raw("<input type=\"search\" ")
        case .number: h.raw("<input type=\"number\" inputmode=\"numeric\" ")
        case .email: h.raw("<input type=\"email\" ")
        case .tel: h.raw("<input type=\"tel\" ")
        case .password: h.raw("<input type=\"password\" ")
        case .file: h.raw("<input type=\"file\" ")
        }
        h.raw("id=\"")
        h.raw(html: id)
        h.raw("\" name=\"")
        h.text(name)
        h.raw("\"")
        if required { h.raw(" required") }
        if let counted {
            h.raw(" data-limit=\"")
            h.number(Int64(counted))
            h.raw("\" data-count=\"")
            h.raw(html: id)
            h.raw("-count\"")
        } else if let maxLength {
            h.raw(" maxlength=\"")
            h.number(Int64(maxLength))
            h.raw("\"")
        }
        if hint != nil || error != nil {
            h.raw(" aria-describedby=\"")
            if hint != nil { h.raw(html: id); h.raw("-hint") }
            if hint != nil && error != nil { h.raw(" ") }
            if error != nil { h.raw(html: id); h.raw("-error") }
            h.raw("\"")
        }
        // The refused field takes focus, so the page opens at the error, not at the top (no script needed).
        if error != nil { h.raw(" aria-invalid=\"true\" autofocus") }
        if !extra.isEmpty {
            h.raw(" ")
            h.raw(html: extra)
        }
        switch kind {
        case .textarea:
            h.raw(" rows=\"5\">")
            h.text(v)
            h.raw("</textarea>\n")
            if counted != nil {
                // Filled in by the script; empty (and silent) without it.
                h.raw("<p class=\"hint counter\" id=\"")
                h.raw(html: id)
                h.raw("-count\"></p>\n")
            }
        case .text, .search, .number, .email, .tel, .password:
            h.raw(" value=\"")
            h.text(v)
            h.raw("\">\n")
        case .file:
            h.raw(">\n")
        }
        h.raw("</div>\n")
    }

    /// The error beside a field, announced (`role="alert"`) and referenced by the field's `aria-describedby`.
    static func fieldError(_ error: String, id: String, into h: inout HTMLBuffer) {
        h.raw("<p class=\"field-error\" id=\"")
        h.raw(html: id)
        h.raw("-error\" role=\"alert\">")
        h.text(error)
        h.raw("</p>\n")
    }

    /// A labelled `<select>` appended to a page buffer; `options` are (value, label) pairs.
    static func select(name: String, label: String, idPrefix: String, options: [(String, String)], selected: String?,
                       state: FormState = .empty, into h: inout HTMLBuffer) {
        let id = idPrefix + "-" + name
        let error = state.errors[name]
        h.raw("<div class=\"field\">\n<label for=\"")
        h.raw(html: id)
        h.raw("\">")
        h.text(label)
        h.raw("</label>\n")
        if let error { fieldError(error, id: id, into: &h) }
        h.raw("<select id=\"")
        h.raw(html: id)
        h.raw("\" name=\"")
        h.text(name)
        h.raw("\"")
        if error != nil {
            h.raw(" aria-describedby=\"")
            h.raw(html: id)
            h.raw("-error\" aria-invalid=\"true\"")
        }
        h.raw(">\n")
        let current = state.values[name] ?? selected
        for (value, text) in options {
            h.raw("<option value=\"")
            h.text(value)
            h.raw("\"")
            if value == current { h.raw(" selected") }
            h.raw(">")
            h.text(text)
            h.raw("</option>\n")
        }
        h.raw("</select>\n</div>\n")
    }

    /// The form-wide error, announced at the top of the form.
    static func general(_ state: FormState, into h: inout HTMLBuffer) {
        guard let g = state.general else { return }
        // Takes focus like a refused field does (the page opens at the error).
        h.raw("<p class=\"form-error\" role=\"alert\" tabindex=\"-1\" autofocus>")
        h.text(g)
        h.raw("</p>\n")
    }
}

/// Display names of the vocabulary, one place for the UI's words.
enum Words {
    static func category(_ c: Category) -> String { categoryName(c).description }
    /// The category's name as static text (the list rows append it without a `String` copy).
    static func categoryName(_ c: Category) -> StaticString {
        switch c {
        case .facility: "Facility"
        case .it: "IT"
        case .services: "Services"
        }
    }
    static func status(_ s: Status) -> String {
        switch s {
        case .open: "Open"
        case .active: "Active"
        case .closed: "Closed"
        }
    }
    static func severity(_ s: Severity) -> String {
        switch s {
        case .critical: "Critical"
        case .high: "High"
        case .medium: "Medium"
        case .low: "Low"
        }
    }
    static func impact(_ i: Impact) -> String {
        switch i {
        case .one: "One person"
        case .several: "A group (a room, a class, a team)"
        case .many: "Many people (a building, a whole service)"
        }
    }
    /// The button text that moves a ticket to `s`.
    static func moveTo(_ s: Status) -> String {
        switch s {
        case .open: "Reopen"
        case .active: "Start work (mark active)"
        case .closed: "Close ticket"
        }
    }
}
