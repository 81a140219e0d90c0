import Domain
import SpoolBroker
import HTTPServer

/// `/tickets/new`: the report-a-problem form.
enum NewTicketPage {
    static let fields: Set<String> = ["description", "location", "reporter"]

    static func render(visitor: Visitor, csrfToken: String, requestID: String, state: FormState = .empty) -> String {
        var b = "<h1>Report a problem</h1>\n"
        b += "<form method=\"post\" action=\"/tickets\" class=\"stack\">\n" + Field.general(state)
        b += Layout.hidden("csrf_token", csrfToken) + Layout.hidden("request_id", requestID)
        b += Field.control(.textarea, name: "description", label: "What is the problem?", idPrefix: "new", state: state, required: true,
                           maxLength: TextLimits.maxDescription, hint: "Describe what is wrong; we file it under facility, IT or services for you.")
        b += Field.control(.text, name: "location", label: "Where?", idPrefix: "new", state: state, maxLength: TextLimits.maxShortField,
                           hint: "Building and room, or the service concerned.")
        b += Field.control(.text, name: "reporter", label: "Your name", idPrefix: "new", state: state, value: visitor.name,
                           maxLength: TextLimits.maxShortField)
        b += "<button type=\"submit\">Send report</button>\n</form>\n"
        return Layout.page(title: "Report a problem", visitor: visitor, csrfToken: csrfToken, body: b)
    }
}
