import Foundation

/// A kind of problem a reporter may pick from a list ("Printing", "Heating or cooling"); it belongs
/// to one category, so a ticket with an issue type is filed under that category.
///
/// Admins add, rename and retire types (`manage_categories`). A retired type is no longer offered
/// and cannot be chosen, but tickets that have it keep it (their history still says what was
/// reported). Types are never deleted. JSON: `{"id", "category", "name", "created_at", "retired_at"}`.
public struct IssueType: Sendable, Codable, Equatable, Hashable {
    public var id: IssueTypeID
    public var category: Category
    public var name: String
    public var createdAt: Timestamp
    /// When an admin retired the type; nil while it is offered.
    public var retiredAt: Timestamp?

    public init(id: IssueTypeID, category: Category, name: String, createdAt: Timestamp, retiredAt: Timestamp? = nil) {
        self.id = id
        self.category = category
        self.name = name
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }

    public var isRetired: Bool { retiredAt != nil }

    enum CodingKeys: String, CodingKey {
        case id, category, name
        case createdAt = "created_at"
        case retiredAt = "retired_at"
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls, as for tickets: `retired_at: null` is how clients tell an offered type.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(category, forKey: .category)
        try c.encode(name, forKey: .name)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(retiredAt, forKey: .retiredAt)
    }
}

/// The rule for issue type names, shared by the worker (the guard) and the gateway (early answers).
public enum IssueTypeRules {
    /// The longest name, in Unicode code points (what JSON Schema's `maxLength` counts).
    public static let maxName = 80

    /// A name trimmed of surrounding white space: 1...80 code points, no control characters.
    ///
    /// Names are unique within a category, compared case-insensitively for ASCII letters (SQLite's
    /// NOCASE, the unique index of migration 7), retired types included: a retired type keeps its
    /// name so old tickets and exports still say what they meant; to reuse one, rename the old type.
    /// Control characters (U+0000–U+001F, U+007F) are refused rather than trimmed: a name is one line
    /// in a list, and the API document states the same pattern.
    public static func name(_ text: String, field: String = "name") throws(Refusal) -> String {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Refusal(.validation, "An issue type's name is one line without tabs or control characters.", field: field)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refusal(.validation, "Please give the issue type a name.", field: field) }
        guard trimmed.unicodeScalars.count <= maxName else {
            throw Refusal(.validation, "An issue type's name is at most \(maxName) characters.", field: field)
        }
        return trimmed
    }
}
