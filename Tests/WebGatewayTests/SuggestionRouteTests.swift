import Domain
import Foundation
import HTTPServer
import Classifier
import TicketStore
import Testing
@testable import WebGateway

/// The model in the loop, with the real `TriageModel`: a report is filed and given a suggested
/// severity, staff see the suggestion (API and page) and accept or override it, and an override
/// changes the next suggestion for a similar report, without a restart.
@Suite struct SuggestionRouteTests {
    /// A model trained from the bundled corpora with nothing learned: each test teaches its own
    /// (`TriageModel.standard()` is shared by the process).
    static func fresh() throws -> TriageModel {
        TriageModel(categoryTraining: try ClassifierCorpus.bundled().training, severityTraining: try SeverityCorpus.bundled().training)
    }

    @Test("a report gets the model's category and severity; staff read the suggestion, customers get 403")
    func suggestionAPI() async throws {
        let world = try AccountsWorld(triage: try Self.fresh())
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let t = try await world.ticket(by: cy, "Someone is stuck in the lift between floors 3 and 4 and the alarm is ringing")
        #expect(t.severity != nil && t.severitySource == .auto && t.priority != nil)
        let agent = try await APIClient.signedIn(world.gateway, ada)
        let r = await agent.call("GET", "/api/tickets/\(t.id)/ai-suggestions")
        #expect(r.status == .ok, "\(r.text)")
        let category = try #require(r.json?["category"] as? [String: Any]), severity = try #require(r.json?["severity"] as? [String: Any])
        #expect(category["value"] as? String == t.category.rawValue && (category["words"] as? [String])?.isEmpty == false)
        #expect(severity["value"] as? String == t.severity?.rawValue)
        #expect((severity["confidence"] as? Double).map { (0...1).contains($0) } == true)
        #expect(await (try await APIClient.signedIn(world.gateway, cy)).call("GET", "/api/tickets/\(t.id)/ai-suggestions").status == .forbidden)
        #expect(await agent.call("GET", "/api/tickets/99999/ai-suggestions").status == .notFound)
    }

    @Test("the page shows staff the suggestion with accept buttons; accepting makes the value staff's")
    func acceptOnPage() async throws {
        let world = try AccountsWorld(triage: try Self.fresh())
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let t = try await world.ticket(by: cy, "The wifi in the library keeps dropping every few minutes")
        var b = await Browser.signedIn(world, ada)
        let page = await b.get("/tickets/\(t.id)")
        #expect(page.text.contains("<h3>Suggested</h3>") && page.text.contains("Accept category") && page.text.contains("Accept severity"))
        let sev = try #require(t.severity)
        #expect(await b.post("/tickets/\(t.id)/triage", [("severity", sev.rawValue), ("request_id", "acc1")]).status == .seeOther)
        let after = try #require(try await world.reader.detail(t.id)?.ticket)
        #expect(after.severity == sev && after.severitySource == .staff)
        // Accepting is not an override: nothing to learn from.
        #expect(try await world.worker.store.trainingExamples().isEmpty)
    }

    @Test("an override is kept as an example and changes the next suggestion for a similar report, without a restart")
    func overrideTeaches() async throws {
        let model = try Self.fresh()
        let world = try AccountsWorld(triage: model)
        let cy = try await world.account("Cy", .customer), ada = try await world.account("Ada", .agent)
        let text = "The zorblax panel beside the quad keeps glitching"
        let first = try await world.ticket(by: cy, text)
        let target = Category.allCases.first { $0 != first.category }!
        let agent = try await APIClient.signedIn(world.gateway, ada)
        #expect(await agent.call("PUT", "/api/tickets/\(first.id)/category", json: #"{"category": "\#(target.rawValue)"}"#).status == .ok)
        let examples = try await world.worker.store.trainingExamples()
        #expect(examples == [Domain.LabelledExample(text: text, category: target)])
        let second = try await world.ticket(by: cy, "The zorblax panel beside the quad keeps glitching again")
        #expect(second.category == target, "the override moved the next similar report to \(target)")
        // A restart (a new store on the same file and a fresh model) learns the same from the kept example.
        let fresh = try Self.fresh()
        #expect(fresh.classify(text).category == first.category)
        _ = try TicketStore(path: world.directory.appendingPathComponent("tickets.db").path, classifier: fresh, clock: world.clock, triage: fresh)
        #expect(fresh.classify(text).category == target)
    }
}
