import Domain
import HTTPServer

/// `/admin/issue-types` (admins): the issue types reporters pick from, per category, each with a
/// rename form and (while offered) a retire button, and a form that adds one.
///
/// Every change is its own small form (CSRF, no JavaScript), as on the users page; visually hidden
/// labels name the type each control is about. Retired types stay listed (they stay on tickets).
enum AdminIssueTypesPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        /// Every type, retired ones included, in the order offered.
        var issueTypes: [IssueType]
        var flash: Layout.Flash?
        /// The add form's input and errors after a refused submit.
        var addState: FormState = .empty
        var requestID: String
    }

    static let addFields: Set<String> = ["category", "name"]

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 12_288 + m.issueTypes.count * 1024)
        Layout.page(title: "Issue types", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            b.raw("<h1>Issue types</h1>\n")
            b.raw("<p>Reporters pick one of these when they report a problem; the type decides the category. ")
            b.raw("A retired type is no longer offered but stays on the tickets that have it. Renaming a type renames it on those tickets too.</p>\n")
            for category in Category.allCases { section(m, category, time: time, into: &b) }
            addForm(m, into: &b)
        }, into: &h)
        return h.bytes
    }

    private static func section(_ m: Model, _ category: Category, time: CampusTime, into b: inout HTMLBuffer) {
        let types = m.issueTypes.filter { $0.category == category }
        let heading = "types-" + category.rawValue
        b.raw("<section aria-labelledby=\"")
        b.raw(html: heading)
        b.raw("\">\n<h2 id=\"")
        b.raw(html: heading)
        b.raw("\">")
        b.raw(html: Words.category(category))
        b.raw("</h2>\n")
        guard !types.isEmpty else {
            b.raw("<p>No issue types yet.</p>\n</section>\n")
            return
        }
        b.raw("<table class=\"tickets\">\n<caption class=\"visually-hidden\">Issue types under ")
        b.raw(html: Words.category(category))
        b.raw("</caption>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">State</th><th scope=\"col\">Actions</th></tr></thead>\n<tbody>\n")
        for type in types {
            b.raw("<tr><td>")
            b.text(type.name)
            b.raw("</td><td>")
            if let retired = type.retiredAt {
                b.raw("<strong>Retired</strong> ")
                b.time(retired, time)
            } else {
                b.raw("Offered")
            }
            b.raw("</td><td>")
            rowForms(m, type, into: &b)
            b.raw("</td></tr>\n")
        }
        b.raw("</tbody>\n</table>\n</section>\n")
    }

    /// The rename form and, while the type is offered, the retire button of one type.
    private static func rowForms(_ m: Model, _ type: IssueType, into b: inout HTMLBuffer) {
        let id = String(type.id.rawValue)
        b.raw("<div class=\"actions\">\n<form method=\"post\" action=\"/admin/issue-types/")
        b.raw(html: id)
        b.raw("/rename\" class=\"inline\">\n")
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-rename-" + id, into: &b)
        b.raw("<label class=\"visually-hidden\" for=\"type-")
        b.raw(html: id)
        b.raw("-name\">New name for ")
        b.text(type.name)
        b.raw("</label>\n<input type=\"text\" id=\"type-")
        b.raw(html: id)
        b.raw("-name\" name=\"name\" required maxlength=\"")
        b.number(Int64(IssueTypeRules.maxName))
        b.raw("\" value=\"")
        b.text(type.name)
        b.raw("\">\n<button type=\"submit\">Rename<span class=\"visually-hidden\"> ")
        b.text(type.name)
        b.raw("</span></button>\n</form>\n")
        if type.retiredAt == nil {
            b.raw("<form method=\"post\" action=\"/admin/issue-types/")
            b.raw(html: id)
            b.raw("/retire\" class=\"inline\">\n")
            Layout.hidden("csrf_token", m.csrfToken, into: &b)
            Layout.hidden("request_id", m.requestID + "-retire-" + id, into: &b)
            b.raw("<button type=\"submit\" class=\"secondary\">Retire<span class=\"visually-hidden\"> ")
            b.text(type.name)
            b.raw("</span></button>\n</form>\n")
        }
        b.raw("</div>\n")
    }

    private static func addForm(_ m: Model, into b: inout HTMLBuffer) {
        let s = m.addState
        b.raw("<section aria-labelledby=\"add-h\">\n<h2 id=\"add-h\">Add an issue type</h2>\n")
        b.raw("<form method=\"post\" action=\"/admin/issue-types\" class=\"stack narrow\">\n")
        Field.general(s, into: &b)
        Layout.hidden("csrf_token", m.csrfToken, into: &b)
        Layout.hidden("request_id", m.requestID + "-add", into: &b)
        Field.select(name: "category", label: "Category", idPrefix: "add", options: Category.allCases.map { ($0.rawValue, Words.category($0)) },
                     selected: Category.facility.rawValue, state: s, into: &b)
        Field.control(.text, name: "name", label: "Name", idPrefix: "add", state: s, required: true, maxLength: IssueTypeRules.maxName,
                      hint: "Short, as a reporter would say it, such as \u{201C}Projector / AV\u{201D}. Unique within its category.", into: &b)
        b.raw("<button type=\"submit\">Add issue type</button>\n</form>\n</section>\n")
    }
}
