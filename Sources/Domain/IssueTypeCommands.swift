/// An admin adds an issue type to a category (`manage_categories`); the name must be new there.
public struct AddIssueType: Sendable, Codable, Equatable {
    public var category: Category
    public var name: String
    public init(category: Category, name: String) {
        self.category = category
        self.name = name
    }
}

/// An admin renames an issue type (`manage_categories`), retired ones too: tickets that have the
/// type show the new name, since they refer to the type and not to its text.
public struct RenameIssueType: Sendable, Codable, Equatable {
    public var issueTypeID: IssueTypeID
    public var name: String
    public init(issueTypeID: IssueTypeID, name: String) {
        self.issueTypeID = issueTypeID
        self.name = name
    }
    enum CodingKeys: String, CodingKey { case issueTypeID = "issue_type_id", name }
}

/// An admin retires an issue type (`manage_categories`): no longer offered or accepted for new
/// tickets, kept on the tickets that have it. Retiring a retired type changes nothing.
public struct RetireIssueType: Sendable, Codable, Equatable {
    public var issueTypeID: IssueTypeID
    public init(issueTypeID: IssueTypeID) { self.issueTypeID = issueTypeID }
    enum CodingKeys: String, CodingKey { case issueTypeID = "issue_type_id" }
}

/// Staff change a ticket's issue type (`set_category`: whoever may recategorise), which moves the
/// category to the type's; nil takes the issue type off and keeps the category as staff's.
public struct SetIssueType: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    public var issueTypeID: IssueTypeID?
    public init(ticketID: TicketID, issueTypeID: IssueTypeID?) {
        self.ticketID = ticketID
        self.issueTypeID = issueTypeID
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", issueTypeID = "issue_type_id" }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ticketID, forKey: .ticketID)
        try c.encode(issueTypeID, forKey: .issueTypeID)  // an explicit null means "no issue type"
    }
}
