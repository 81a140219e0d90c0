import Domain

/// The ticket page's "History" section for staff: the audit trail as a timeline, newest last.
///
/// Each entry says when, who (name and role), through what, and which field went from what to what;
/// an assignee (`people`) and an issue type (`issueTypes`) by name, a long text as a disclosure with
/// both versions.
enum HistoryTimeline {
    static func render(_ history: [HistoryEntry], people: [UserID: String], issueTypes: [IssueTypeID: String] = [:], time: CampusTime,
                       into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"history-h\">\n<h2 id=\"history-h\">History</h2>\n")
        guard !history.isEmpty else {
            b.raw("<p>No changes since the ticket was reported.</p>\n</section>\n")
            return
        }
        b.raw("<ol class=\"history\">\n")
        for e in history {
            b.raw("<li>")
            b.time(e.changedAt, time)
            b.raw(" · <strong>")
            if let name = e.actorName { b.text(name) } else { b.raw(html: Layout.roleLabel(e.actorRole)) }
            b.raw("</strong> (")
            b.raw(html: Layout.accountRoleLabel(e.actorRole))
            if let channel = e.channel {
                b.raw(", ")
                b.raw(html: channelLabel(channel))
            }
            b.raw("): ")
            change(e, Names(people: people, issueTypes: issueTypes), into: &b)
            if let reason = e.reason {
                b.raw(html: e.field == .status && e.oldValue == Status.closed.rawValue ? " <span class=\"reason\">(reopened: " : " <span class=\"reason\">(reason: ")
                b.text(reason)
                b.raw(")</span>")
            }
            b.raw("</li>\n")
        }
        b.raw("</ol>\n</section>\n")
    }

    /// The names the trail's numbers stand for.
    private struct Names {
        var people: [UserID: String]
        var issueTypes: [IssueTypeID: String]
    }

    private static func change(_ e: HistoryEntry, _ names: Names, into b: inout HTMLBuffer) {
        if e.field == .description {
            b.raw("<details><summary>changed the description</summary>\n<p class=\"text\"><span class=\"muted\">Before:</span> ")
            value(e.field, e.oldValue, names, into: &b)
            b.raw("</p>\n<p class=\"text\"><span class=\"muted\">After:</span> ")
            value(e.field, e.newValue, names, into: &b)
            b.raw("</p>\n</details>")
            return
        }
        b.raw(html: fieldLabel(e.field))
        b.raw(" ")
        value(e.field, e.oldValue, names, into: &b)
        b.raw(" → ")
        value(e.field, e.newValue, names, into: &b)
    }

    private static func value(_ field: AuditField, _ raw: String?, _ names: Names, into b: inout HTMLBuffer) {
        guard let raw else {
            b.raw("<span class=\"muted\">none</span>")
            return
        }
        b.raw("<em>")
        switch field {
        case .status: b.text(Status(rawValue: raw).map(Words.status) ?? raw)
        case .category: b.text(Category(rawValue: raw).map(Words.category) ?? raw)
        case .severity: b.text(Severity(rawValue: raw).map(Words.severity) ?? raw)
        case .impact: b.text(Impact(rawValue: raw).map(Words.impact) ?? raw)
        case .assignee:
            if let n = Int64(raw), let name = names.people[UserID(n)] { b.text(name) } else { b.text("account " + raw) }
        case .issueType:
            if let n = Int64(raw), let name = names.issueTypes[IssueTypeID(n)] { b.text(name) } else { b.text("issue type " + raw) }
        default: b.text(raw)
        }
        b.raw("</em>")
    }

    /// The account numbers named as assignees, to be looked up once for the page.
    static func people(in history: [HistoryEntry]) -> Set<UserID> {
        var ids = Set<UserID>()
        for e in history where e.field == .assignee {
            for raw in [e.oldValue, e.newValue] { if let raw, let n = Int64(raw) { ids.insert(UserID(n)) } }
        }
        return ids
    }

    static func fieldLabel(_ f: AuditField) -> String {
        switch f {
        case .status: "status"
        case .category: "category"
        case .issueType: "issue type"
        case .severity: "severity"
        case .impact: "people affected"
        case .priority: "priority"
        case .assignee: "assigned engineer"
        case .description: "description"
        case .location: "location"
        case .reporter: "reporter name"
        case .contact: "contact"
        case .preferredContactTime: "preferred contact time"
        case .slaFirstResponse: "first response SLA"
        case .slaResolution: "resolution SLA"
        case .affected: "people affected (me too)"
        case .mergedInto: "merged into ticket"
        case .mergedFrom: "duplicate merged in"
        }
    }

    static func channelLabel(_ c: Channel) -> String {
        switch c {
        case .web: "web"
        case .api: "API"
        case .import: "import"
        case .sla: "SLA monitor"
        case .cli: "operator tool"
        }
    }
}
