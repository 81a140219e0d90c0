import Domain
import SQLiteKit

// MARK: - Issue types

/// The issue types as the gateway reads them: the list a reporter picks from, the admins' page, and
/// the early check of a type a request names (the worker checks again).
extension TicketReader {
    /// The offered types (or all, retired ones included), in category order and, within a category,
    /// in the order they were added.
    public func issueTypes(includingRetired: Bool = false) async throws -> [IssueType] {
        try withConnection { try IssueType.all($0, includingRetired: includingRetired) }
    }

    /// One type, retired or not; nil when there is none with that number.
    public func issueType(_ id: IssueTypeID) async throws -> IssueType? {
        try withConnection { try IssueType.load($0, id) }
    }
}
