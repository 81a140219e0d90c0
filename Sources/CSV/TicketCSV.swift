import Foundation
import Domain

/// Tickets as CSV, for `campusdesk export` and `campusdesk import`: one mapping both ways, so an
/// export imports back to the same tickets.
///
/// Columns: `id, description, location, reporter, status, category, opened_at, modified_at,
/// closed_at, severity, impact, priority, assignee_id, contact_email, contact_phone,
/// preferred_contact_time, issue_type`. Times are ISO 8601 UTC with milliseconds. Every text cell goes through
/// `CSVInjection` on export and back on import. On import `id` is ignored (the ticket worker
/// numbers tickets), `modified_at` and `category` are optional (an empty category is assigned by
/// the classifier), and so is every column from `severity` on (empty or missing means none, and
/// one person for `impact`); columns may come in any order, names matched case-insensitively.
/// `assignee_id` is an engineer's account number in the importing system. An issue type is its
/// name, which the worker looks up in the row's category and refuses the row when there is none such.
public enum TicketCSV {
    /// The export columns, in order.
    public static let columns = ["id", "description", "location", "reporter", "status", "category", "opened_at", "modified_at", "closed_at",
                                 "severity", "impact", "priority", "assignee_id", "contact_email", "contact_phone", "preferred_contact_time",
                                 "issue_type"]
    /// Columns an import file must have.
    public static let requiredColumns = ["description", "location", "reporter", "status", "opened_at", "closed_at"]

    // MARK: - Export

    /// The header record.
    public static var header: String { CSVWriter.record(columns) }

    /// One ticket as a record.
    public static func record(_ t: Ticket) -> String {
        CSVWriter.record([
            String(t.id.rawValue), CSVInjection.neutralise(t.description), CSVInjection.neutralise(t.location ?? ""),
            CSVInjection.neutralise(t.reporter ?? ""), t.status.rawValue, t.category.rawValue, t.openedAt.iso8601,
            t.modifiedAt.iso8601, t.closedAt?.iso8601 ?? "",
            t.severity?.rawValue ?? "", t.impact.rawValue, t.priority?.rawValue ?? "", t.assigneeID.map { String($0.rawValue) } ?? "",
            CSVInjection.neutralise(t.contactEmail ?? ""), CSVInjection.neutralise(t.contactPhone ?? ""),
            CSVInjection.neutralise(t.preferredContactTime ?? ""), CSVInjection.neutralise(t.issueTypeName ?? ""),
        ])
    }

    // MARK: - Import

    /// A data row that became an import command.
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var ticket: ImportTicket
    }

    /// A data row that was refused, with every reason found.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reasons: [String]
        public var description: String { "line \(line): \(reasons.joined(separator: "; "))" }
    }

    /// What a file yields: the good rows, the rejected ones, and notes (ignored columns).
    public struct ImportBatch: Sendable, Equatable {
        public var rows: [Row]
        public var rejections: [Rejection]
        public var notes: [String]
    }

    /// Reads an import file. A broken file (no header, a missing column, an unterminated quote)
    /// throws; a bad row is only rejected, and the good rows still go in.
    ///
    /// - Parameter now: times after this are refused (history cannot be in the future).
    public static func parseImport(_ bytes: [UInt8], now: Timestamp) throws(CSVError) -> ImportBatch {
        let records = try CSVReader.parse(bytes: bytes)
        guard let first = records.first else { throw CSVError(line: 1, reason: "the file is empty; expected a header row") }
        let header = try ImportHeader(first)
        var batch = ImportBatch(rows: [], rejections: [], notes: header.notes)
        for record in records.dropFirst() {
            switch header.row(record, now: now) {
            case .success(let row): batch.rows.append(row)
            case .failure(let rejection): batch.rejections.append(rejection)
            }
        }
        return batch
    }

    /// The header row of an import file: where each known column is, and notes on unknown ones.
    /// Reading a file record by record (`CSVFileRecords`), each data record goes through `row`.
    public struct ImportHeader: Sendable {
        /// The header's fields as written.
        public var fields: [String]
        /// Column name (lowercased, trimmed) → position.
        var index: [String: Int]
        /// Columns that are not known and are ignored.
        public var notes: [String]

        /// Checks the header: no column twice, every required column present.
        public init(_ header: CSVRecord) throws(CSVError) {
            var index: [String: Int] = [:]
            var notes: [String] = []
            for (i, raw) in header.fields.enumerated() {
                let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
                guard index[name] == nil else { throw CSVError(line: header.line, reason: "column '\(name.prefix(40))' appears twice") }
                index[name] = i
                if !columns.contains(name) && !rejectColumns.contains(name) {
                    notes.append("column '\(name.prefix(40))' is not known and was ignored")
                }
            }
            let missing = requiredColumns.filter { index[$0] == nil }
            guard missing.isEmpty else {
                throw CSVError(line: header.line, reason: "missing column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
            }
            self.fields = header.fields
            self.index = index
            self.notes = notes
        }

        /// One data record as an import row, or its rejection with every reason found.
        public func row(_ record: CSVRecord, now: Timestamp) -> Result<Row, Rejection> {
            guard record.fields.count == fields.count else {
                return .failure(Rejection(line: record.line, reasons: ["expected \(fields.count) fields, found \(record.fields.count)"]))
            }
            switch ticket(from: record.fields, index: index, now: now) {
            case .success(let t): return .success(Row(line: record.line, ticket: t))
            case .failure(let reasons): return .failure(Rejection(line: record.line, reasons: reasons.reasons))
            }
        }
    }

    struct Reasons: Error { var reasons: [String] }

    /// Validates one row with the rules of `ImportTicket`, collecting every problem.
    static func ticket(from fields: [String], index: [String: Int], now: Timestamp) -> Result<ImportTicket, Reasons> {
        func cell(_ name: String) -> String { index[name].map { fields[$0] } ?? "" }
        func text(_ name: String) -> String { CSVInjection.restore(cell(name)) }
        var reasons: [String] = []
        func time(_ name: String) -> Timestamp? {
            let raw = cell(name).trimmingCharacters(in: .whitespaces)
            if raw.isEmpty { return nil }
            guard let t = Timestamp(iso8601: raw) else {
                reasons.append("\(name): '\(raw.prefix(40))' is not an ISO 8601 time with a zone (e.g. 2025-03-01T09:30:00Z)")
                return nil
            }
            if t > now { reasons.append("\(name): \(t.iso8601) is in the future") }
            return t
        }

        let description = text("description")
        let trimmed = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { reasons.append("description: must not be empty") }
        if trimmed.count > TextLimits.maxDescription { reasons.append("description: longer than \(TextLimits.maxDescription) characters") }
        let location = text("location"), reporter = text("reporter")
        let issueType = text("issue_type").trimmingCharacters(in: .whitespaces)
        if issueType.unicodeScalars.count > IssueTypeRules.maxName { reasons.append("issue_type: longer than \(IssueTypeRules.maxName) characters") }
        if location.count > TextLimits.maxShortField { reasons.append("location: longer than \(TextLimits.maxShortField) characters") }
        if reporter.count > TextLimits.maxShortField { reasons.append("reporter: longer than \(TextLimits.maxShortField) characters") }
        let statusText = cell("status").trimmingCharacters(in: .whitespaces).lowercased()
        let status = Status(rawValue: statusText)
        if status == nil { reasons.append("status: '\(statusText.prefix(20))' is not one of open, active, closed") }
        let categoryText = cell("category").trimmingCharacters(in: .whitespaces).lowercased()
        let category = Category(rawValue: categoryText)
        if !categoryText.isEmpty && category == nil { reasons.append("category: '\(categoryText.prefix(20))' is not one of facility, it, services (or empty)") }
        let openedAt = time("opened_at")
        if cell("opened_at").trimmingCharacters(in: .whitespaces).isEmpty { reasons.append("opened_at: required") }
        let closedAt = time("closed_at"), modifiedAt = time("modified_at")
        let closedGiven = !cell("closed_at").trimmingCharacters(in: .whitespaces).isEmpty
        if status == .closed && !closedGiven { reasons.append("closed_at: required when status is closed") }
        if let status, status != .closed && closedGiven { reasons.append("closed_at: must be empty when status is \(status.rawValue)") }
        if let o = openedAt, let c = closedAt, c < o { reasons.append("closed_at: before opened_at") }
        if let o = openedAt, let m = modifiedAt, m < o { reasons.append("modified_at: before opened_at") }
        if let c = closedAt, let m = modifiedAt, m < c { reasons.append("modified_at: before closed_at") }

        // Triage, assignee and contact: optional, checked by the rules the ticket worker applies too.
        func value<T: RawRepresentable<String>>(_ name: String, _: T.Type, _ raw: String, _ rule: String) -> T? {
            if raw.isEmpty { return nil }
            if let v = T(rawValue: raw) { return v }
            reasons.append("\(name): '\(raw.prefix(20))' is not one of \(rule) (or empty)")
            return nil
        }
        let severity = value("severity", Severity.self, cell("severity").trimmingCharacters(in: .whitespaces).lowercased(), "critical, high, medium, low")
        let impact = value("impact", Impact.self, cell("impact").trimmingCharacters(in: .whitespaces).lowercased(), "one, several, many")
        let priority = value("priority", Priority.self, cell("priority").trimmingCharacters(in: .whitespaces).uppercased(), "P1, P2, P3, P4")
        let assigneeText = cell("assignee_id").trimmingCharacters(in: .whitespaces)
        var assignee: UserID?
        if !assigneeText.isEmpty {
            if assigneeText.utf8.count <= 19, assigneeText.utf8.allSatisfy({ (48...57).contains($0) }), let n = Int64(assigneeText), n > 0 {
                assignee = UserID(n)
            } else {
                reasons.append("assignee_id: '\(assigneeText.prefix(20))' is not an account number")
            }
        }
        let email = text("contact_email"), phone = text("contact_phone"), window = text("preferred_contact_time")
        do { _ = try TicketRules.contactEmail(email) } catch { reasons.append("contact_email: \(error.reason)") }
        do { _ = try TicketRules.contactPhone(phone) } catch { reasons.append("contact_phone: \(error.reason)") }
        do { _ = try TicketRules.preferredContactTime(window) } catch { reasons.append("preferred_contact_time: \(error.reason)") }

        guard reasons.isEmpty, let status, let openedAt else { return .failure(Reasons(reasons: reasons)) }
        return .success(ImportTicket(
            description: description, location: location.isEmpty ? nil : location, reporter: reporter.isEmpty ? nil : reporter,
            category: category, status: status, openedAt: openedAt, modifiedAt: modifiedAt, closedAt: closedAt,
            severity: severity, impact: impact, priority: priority, assigneeID: assignee,
            contactEmail: email.isEmpty ? nil : email, contactPhone: phone.isEmpty ? nil : phone,
            preferredContactTime: window.isEmpty ? nil : window, issueType: issueType.isEmpty ? nil : issueType))
    }
}
