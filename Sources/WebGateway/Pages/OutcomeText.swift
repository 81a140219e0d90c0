import Domain

/// What the notice after a change on a ticket says: the change itself, read from the ticket as the
/// page shows it (issue 20: "The status was changed." did not say to what).
enum OutcomeText {
    /// The notice for `done` (the redirect's `done=` after a change), or nil for the others.
    static func flash(_ done: String, _ model: TicketDetailPage.Model) -> Layout.Flash? {
        let t = model.detail.ticket
        let text: String
        switch done {
        case "status":
            text = "The ticket is now \(Words.status(t.status).lowercased())."
        case "category":
            text = "The category is now \(Words.category(t.category))."
        case "issue-type":
            let type = t.issueTypeID.flatMap { id in model.issueTypes?.first { $0.id == id } }
            text = type.map { "The issue type is now \($0.name)." } ?? "The ticket has no issue type now."
        case "assigned":
            text = model.assignee.map { "The ticket is now assigned to \($0.name)." } ?? "The ticket is now unassigned."
        case "triage":
            let severity = t.severity.map { Words.severity($0).lowercased() } ?? "not set"
            let priority = t.priority?.rawValue ?? "not set"
            text = "The triage is saved: severity \(severity), priority \(priority)."
        default:
            return nil
        }
        return Layout.Flash(text: text, isError: false)
    }
}
