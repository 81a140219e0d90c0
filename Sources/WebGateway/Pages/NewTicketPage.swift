import Domain
import SpoolBroker
import HTTPServer

/// `/tickets/new`: the report-a-problem form.
enum NewTicketPage {
    static let fields: Set<String> = ["description", "issue_type_id", "location", "reporter", "impact", "contact_email", "contact_phone",
                                      "preferred_contact_time", "file"]

    /// - Parameter issueTypes: the offered types, grouped by category in the form.
    static func render(visitor: Visitor, csrfToken: String, requestID: String, issueTypes: [IssueType], state: FormState = .empty) -> [UInt8] {
        var h = HTMLBuffer(capacity: 6144)
        Layout.page(title: "Report a problem", visitor: visitor, csrfToken: csrfToken, script: FormsScript.path, body: { b in
            b.raw("<h1>Report a problem</h1>\n")
            // multipart so a photo can come along; without a file chosen it is the same form.
            b.raw("<form method=\"post\" action=\"/tickets\" class=\"stack\" enctype=\"multipart/form-data\">\n")
            Field.general(state, into: &b)
            Layout.hidden("csrf_token", csrfToken, into: &b)
            Layout.hidden("request_id", requestID, into: &b)
            Field.control(.textarea, name: "description", label: "What is the problem?", idPrefix: "new", state: state, required: true,
                          maxLength: TextLimits.maxDescription, hint: "Describe what is wrong in your own words.", into: &b)
            // A chosen type files the report under its category; "not sure" leaves that to the classifier.
            IssueTypeSelect.render(idPrefix: "new", label: "What kind of problem is it?",
                                   hint: "Pick the closest; if none fits, leave \u{201C}Not sure\u{201D} and we file it under facility, IT or services for you.",
                                   none: "Not sure \u{2014} let the system decide", types: issueTypes, selected: "", state: state, into: &b)
            Field.control(.text, name: "location", label: "Where?", idPrefix: "new", state: state, maxLength: TextLimits.maxShortField,
                          hint: "Building and room, or the service concerned.", into: &b)
            Field.control(.text, name: "reporter", label: "Your name", idPrefix: "new", state: state, value: visitor.name,
                          maxLength: TextLimits.maxShortField, into: &b)
            ContactFields.render(idPrefix: "new", state: state, ticket: nil, into: &b)
            // Who is affected sets the priority together with the severity staff see.
            Field.select(name: "impact", label: "Who is affected?", idPrefix: "new",
                         options: Impact.allCases.map { ($0.rawValue, Words.impact($0)) }, selected: Impact.one.rawValue, state: state, into: &b)
            AttachmentField.render(idPrefix: "new", state: state, into: &b)
            b.raw("<button type=\"submit\">Send report</button>\n</form>\n")
        }, into: &h)
        return h.bytes
    }
}
