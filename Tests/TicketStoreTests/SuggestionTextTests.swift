import Testing
import Domain
@testable import TicketStore

@Suite("SuggestionText: the kept suggestion's two lines")
struct SuggestionTextTests {
    @Test("confidences are written with four decimals, clamped to 0...1")
    func confidenceDigits() {
        func text(_ c: Double) -> String {
            var out = ""
            SuggestionText.appendConfidence(c, to: &out)
            return out
        }
        #expect(text(0) == "0.0000")
        #expect(text(0.5) == "0.5000")
        #expect(text(0.93751) == "0.9375")
        #expect(text(0.000049) == "0.0000")
        #expect(text(0.00005) == "0.0001")
        #expect(text(0.99996) == "1")
        #expect(text(1) == "1")
        #expect(text(1.7) == "1")
        #expect(text(-0.2) == "0.0000")
        #expect(text(.nan) == "0.0000")
    }

    @Test("a suggestion reads back with its values, words and confidences to four decimals")
    func roundTrip() throws {
        let s = TriageSuggestion(
            category: Suggested(value: .facility, confidence: 0.987654, words: ["lift", "stuck"]),
            severity: Suggested(value: .critical, confidence: 0.4, words: []))
        let text = SuggestionText.encode(s)
        #expect(text == "facility 0.9877 lift stuck\ncritical 0.4000")
        let back = try #require(SuggestionText.decode(text))
        #expect(back.category.value == .facility && back.category.words == ["lift", "stuck"])
        #expect(abs(back.category.confidence - 0.9877) < 1e-12)
        #expect(back.severity.value == .critical && back.severity.words.isEmpty && back.severity.confidence == 0.4)
        #expect(SuggestionText.decode("facility 0.9 a") == nil)
        #expect(SuggestionText.decode("facility 1.5\ncritical 0.4") == nil)
    }
}
