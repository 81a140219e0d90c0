import Foundation
import Domain
import SQLiteKit
/// Row mapping between `tickets`/`messages`/`events` and the domain types.
///
/// Unknown enum text in a row means a corrupt or foreign database; it is reported as an error
/// rather than guessed at, since the CHECK constraints make it impossible for our own writes.
extension Ticket {
    /// The row's own columns that `init(row:)` reads, in order.
    private static let ownColumns = "id, description, location, reporter, category, category_source, category_confidence, status, opened_at, modified_at, closed_at, customer_id, assignee_id, severity, severity_source, impact, priority, priority_source, contact_email, contact_phone, preferred_contact_time, issue_type_id, \(TicketSLA.columns)"

    /// What `init(row:)` reads from `tickets`: its columns, then the issue type's current name.
    static let columns = columns(qualifiedBy: nil)

    /// The select list with each column qualified by `alias` (`t` in the list's joins), or by the table's name.
    ///
    /// The issue type's name is a scalar subquery (a rowid lookup, nothing for a ticket without a type)
    /// rather than a join, so every list statement keeps its shape and its plan.
    static func columns(qualifiedBy alias: String?) -> String {
        let prefix = alias.map { $0 + "." } ?? ""
        let own = ownColumns.split(separator: ",").map { prefix + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        return own + ", (SELECT name FROM issue_types WHERE issue_types.id = \(alias ?? "tickets").issue_type_id)"
            + ", \(prefix)affected, \(prefix)merged_into"
    }

    /// `category_source` as stored: a category from an issue type is stored as `staff` (migration 7:
    /// the column's CHECK predates `issue_type`), and read back as `issue_type` by `init(row:)`.
    var storedCategorySource: String { categorySource == .issueType ? CategorySource.staff.rawValue : categorySource.rawValue }

    init(row s: Statement, offset o: Int32 = 0) throws(SQLiteError) {
        self.init(
            id: TicketID(s.int64(at: o)),
            description: s.text(at: o + 1),
            location: s.optionalText(at: o + 2),
            reporter: s.optionalText(at: o + 3),
            category: try decodeEnum(Category.self, s, o + 4),
            categorySource: try decodeEnum(CategorySource.self, s, o + 5),
            categoryConfidence: s.optionalDouble(at: o + 6),
            status: try decodeEnum(Status.self, s, o + 7),
            openedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: o + 8)),
            modifiedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: o + 9)),
            closedAt: s.optionalInt64(at: o + 10).map(Timestamp.init(millisecondsSinceEpoch:)),
            customerID: s.optionalInt64(at: o + 11).map(UserID.init),
            assigneeID: s.optionalInt64(at: o + 12).map(UserID.init),
            severity: s.isNull(at: o + 13) ? nil : try decodeEnum(Severity.self, s, o + 13),
            severitySource: s.isNull(at: o + 14) ? nil : try decodeEnum(CategorySource.self, s, o + 14),
            impact: try decodeEnum(Impact.self, s, o + 15),
            priority: s.isNull(at: o + 16) ? nil : try decodeEnum(Priority.self, s, o + 16),
            prioritySource: s.isNull(at: o + 17) ? nil : try decodeEnum(CategorySource.self, s, o + 17),
            contactEmail: s.optionalText(at: o + 18), contactPhone: s.optionalText(at: o + 19),
            preferredContactTime: s.optionalText(at: o + 20),
            issueTypeID: s.optionalInt64(at: o + 21).map(IssueTypeID.init), issueTypeName: s.optionalText(at: o + 31),
            sla: try TicketSLA(row: s, offset: o + 22),
            affected: Int(s.int64(at: o + 32)), mergedInto: s.optionalInt64(at: o + 33).map(TicketID.init))
        if issueTypeID != nil { categorySource = .issueType }
    }
}

extension User {
    /// The columns `init(row:)` reads, in order (never `password_hash`: only `TicketReader.account(email:)` reads it).
    static let columns = "id, name, email, phone, location, role, active, created_at"

    /// The same columns prefixed `u.`, for queries that join `users` as `u`.
    static let prefixedColumns = columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    init(row s: Statement, offset o: Int32 = 0) throws(SQLiteError) {
        self.init(
            id: UserID(s.int64(at: o)), name: s.text(at: o + 1), email: s.text(at: o + 2),
            phone: s.optionalText(at: o + 3), location: s.optionalText(at: o + 4),
            role: try decodeEnum(Role.self, s, o + 5), active: s.int64(at: o + 6) != 0,
            createdAt: Timestamp(millisecondsSinceEpoch: s.int64(at: o + 7)))
    }
}

extension Message {
    static let columns = "id, ticket_id, author_role, author_name, body, sent_at"

    init(row s: Statement) throws(SQLiteError) {
        self.init(
            id: MessageID(s.int64(at: 0)), ticketID: TicketID(s.int64(at: 1)),
            authorRole: try decodeEnum(Role.self, s, 2), authorName: s.optionalText(at: 3),
            body: s.text(at: 4), sentAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 5)))
    }
}

extension ChangeEvent {
    static let columns = """
        seq, type, ticket_id, occurred_at, before_category, before_status, before_opened_at, before_closed_at, \
        after_category, after_status, after_opened_at, after_closed_at, before_sla, after_sla
        """

    init(row s: Statement) throws(SQLiteError) {
        var before: TicketFacts?
        if !s.isNull(at: 4) {
            let sla = try SLAFactsText.decode(s.optionalText(at: 12))
            before = TicketFacts(
                category: try decodeEnum(Category.self, s, 4), status: try decodeEnum(Status.self, s, 5),
                openedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 6)),
                closedAt: s.optionalInt64(at: 7).map(Timestamp.init(millisecondsSinceEpoch:)),
                sla: sla?.sla, priority: sla?.priority, assigneeID: sla?.assigneeID)
        }
        let afterSLA = try SLAFactsText.decode(s.optionalText(at: 13))
        self.init(
            seq: SequenceNumber(s.int64(at: 0)), type: try decodeEnum(ChangeEventType.self, s, 1),
            ticketID: TicketID(s.int64(at: 2)), occurredAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 3)),
            before: before,
            after: TicketFacts(
                category: try decodeEnum(Category.self, s, 8), status: try decodeEnum(Status.self, s, 9),
                openedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 10)),
                closedAt: s.optionalInt64(at: 11).map(Timestamp.init(millisecondsSinceEpoch:)),
                sla: afterSLA?.sla, priority: afterSLA?.priority, assigneeID: afterSLA?.assigneeID))
    }
}

func decodeEnum<E: RawRepresentable>(_ type: E.Type, _ s: Statement, _ index: Int32) throws(SQLiteError) -> E where E.RawValue == String {
    let text = s.text(at: index)
    guard let value = E(rawValue: text) else {
        throw SQLiteError(.corrupt, message: "unexpected \(E.self) value in column \(index)", sql: s.sql)
    }
    return value
}
