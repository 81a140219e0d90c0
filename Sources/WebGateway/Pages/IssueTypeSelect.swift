import Domain

/// The issue type choice: a labelled `<select name="issue_type_id">` with one `<optgroup>` per
/// category, after a first option that chooses none (the report form's "Not sure", staff's "No
/// issue type"). On the report form and the ticket page's staff form.
enum IssueTypeSelect {
    /// - Parameters:
    ///   - types: the types to offer, in order; a retired one (staff's current type) is marked so.
    ///   - selected: the chosen type's number as text ("" for none); a refused form's value wins.
    static func render(idPrefix: String, label: String, hint: String?, none: String, types: [IssueType], selected: String,
                       state: FormState, into b: inout HTMLBuffer) {
        let id = idPrefix + "-issue_type_id"
        let error = state.errors["issue_type_id"]
        let current = state.values["issue_type_id"] ?? selected
        b.raw("<div class=\"field\">\n<label for=\"")
        b.raw(html: id)
        b.raw("\">")
        b.text(label)
        b.raw(" <span class=\"optional\">(optional)</span></label>\n")
        if let hint {
            b.raw("<p class=\"hint\" id=\"")
            b.raw(html: id)
            b.raw("-hint\">")
            b.text(hint)
            b.raw("</p>\n")
        }
        if let error { Field.fieldError(error, id: id, into: &b) }
        b.raw("<select id=\"")
        b.raw(html: id)
        b.raw("\" name=\"issue_type_id\"")
        if hint != nil || error != nil {
            b.raw(" aria-describedby=\"")
            if hint != nil { b.raw(html: id + "-hint") }
            if hint != nil && error != nil { b.raw(" ") }
            if error != nil { b.raw(html: id + "-error") }
            b.raw("\"")
        }
        if error != nil { b.raw(" aria-invalid=\"true\"") }
        b.raw(">\n<option value=\"\"")
        if current.isEmpty { b.raw(" selected") }
        b.raw(">")
        b.text(none)
        b.raw("</option>\n")
        for category in Category.allCases {
            let group = types.filter { $0.category == category }
            guard !group.isEmpty else { continue }
            b.raw("<optgroup label=\"")
            b.raw(html: Words.category(category))
            b.raw("\">\n")
            for type in group {
                let value = String(type.id.rawValue)
                b.raw("<option value=\"")
                b.raw(html: value)
                b.raw("\"")
                if value == current { b.raw(" selected") }
                b.raw(">")
                b.text(type.name)
                if type.retiredAt != nil { b.raw(" (no longer offered)") }
                b.raw("</option>\n")
            }
            b.raw("</optgroup>\n")
        }
        b.raw("</select>\n</div>\n")
    }

    /// The number a form sent: nil for none (empty), or a refusal for anything but a positive number.
    static func parse(_ raw: String?) -> Result<IssueTypeID?, Refusal> {
        guard let raw, !raw.isEmpty else { return .success(nil) }
        guard raw.utf8.count <= 18, let n = Int64(raw), n > 0 else {
            return .failure(Refusal(.validation, "Please choose an issue type from the list.", field: "issue_type_id"))
        }
        return .success(IssueTypeID(n))
    }
}
