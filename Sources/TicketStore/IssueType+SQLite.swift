import Domain
import SQLiteKit

/// Row mapping and the reads of `issue_types` (migration 7), shared by the store and the reader.
extension IssueType {
    static let columns = "id, category, name, created_at, retired_at"

    init(row s: Statement) throws(SQLiteError) {
        self.init(
            id: IssueTypeID(s.int64(at: 0)), category: try decodeEnum(Category.self, s, 1), name: s.text(at: 2),
            createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 3)),
            retiredAt: s.optionalInt64(at: 4).map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    /// Every type (or only those offered), in category order and, within one, in the order they
    /// were added: the starter list's order is the order it is offered in.
    static func all(_ db: Connection, includingRetired: Bool) throws -> [IssueType] {
        let sql = includingRetired
            ? "SELECT \(columns) FROM issue_types ORDER BY category, id"
            : "SELECT \(columns) FROM issue_types WHERE retired_at IS NULL ORDER BY category, id"
        return try db.cachedStatement(sql).query([]) { try IssueType(row: $0) }
    }

    static func load(_ db: Connection, _ id: IssueTypeID) throws -> IssueType? {
        try db.cachedStatement("SELECT \(columns) FROM issue_types WHERE id = ?").queryFirst([.integer(id.rawValue)]) { try IssueType(row: $0) }
    }

    /// The types called `name` (NOCASE, as the unique index compares), in `category` or in any.
    static func named(_ db: Connection, _ name: String, in category: Category?) throws -> [IssueType] {
        if let category {
            return try db.cachedStatement("SELECT \(columns) FROM issue_types WHERE category = ? AND name = ? COLLATE NOCASE")
                .query([.text(category.rawValue), .text(name)]) { try IssueType(row: $0) }
        }
        return try db.cachedStatement("SELECT \(columns) FROM issue_types WHERE name = ? COLLATE NOCASE ORDER BY category")
            .query([.text(name)]) { try IssueType(row: $0) }
    }
}
