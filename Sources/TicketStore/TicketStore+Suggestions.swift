import Foundation
import Domain
import SQLiteKit

/// The model's suggestions and what it learns from staff (docs/classification.md, "In the worker").
///
/// With a ``TicketTriaging`` model the store files each new or re-described ticket by the model's
/// suggestion (category and severity, each with confidence and words) and keeps the suggestion
/// beside the ticket for staff. When staff set a category or severity other than the suggested
/// one, the description and their value are kept in `training_examples`, and after the batch
/// commits the model refits from all of them: the next similar report is filed their way. At
/// start the model refits from the examples already kept, so learning survives a restart.
extension TicketStore {
    /// The suggestion for `description`, or nil without a triage model.
    func suggest(_ description: String) -> TriageSuggestion? { triage?.suggest(description) }

    func storeSuggestion(_ s: TriageSuggestion?, ticket: TicketID) throws {
        try db.cachedStatement("UPDATE tickets SET suggestion = ? WHERE id = ?").execute([.optionalText(s.map(SuggestionText.encode)), .integer(ticket.rawValue)])
    }

    func loadSuggestion(_ ticket: TicketID) throws -> TriageSuggestion? { try SuggestionText.load(db, ticket: ticket) }

    /// Keeps a staff value that differs from the suggestion as a labelled example (an override).
    func noteOverride(of ticket: Ticket, category: Category? = nil, severity: Severity? = nil, at time: Timestamp) throws {
        guard triage != nil, let suggestion = try loadSuggestion(ticket.id) else { return }
        let cat = category.flatMap { $0 == suggestion.category.value ? nil : $0 }
        let sev = severity.flatMap { $0 == suggestion.severity.value ? nil : $0 }
        guard cat != nil || sev != nil else { return }
        try db.cachedStatement("INSERT INTO training_examples (ticket_id, text, category, severity, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute([.integer(ticket.id.rawValue), .text(ticket.description), .optionalText(cat?.rawValue), .optionalText(sev?.rawValue),
                      .integer(time.millisecondsSinceEpoch)])
        examplesChanged = true
    }

    /// Every kept override, oldest first.
    public func trainingExamples() throws -> [LabelledExample] { try Self.trainingExamples(db) }

    static func trainingExamples(_ db: Connection) throws -> [LabelledExample] {
        try db.cachedStatement("SELECT text, category, severity FROM training_examples ORDER BY id").query([]) { s in
            LabelledExample(text: s.text(at: 0), category: s.optionalText(at: 1).flatMap(Category.init(rawValue:)),
                            severity: s.optionalText(at: 2).flatMap(Severity.init(rawValue:)))
        }
    }

    /// Refits the model from the kept overrides when a batch added some (after its commit).
    func refitIfLearned() throws {
        guard examplesChanged, let triage else { return }
        examplesChanged = false
        triage.learn(try trainingExamples())
    }
}
