import Domain

/// A deterministic classifier for tests: keywords pick the category; no keyword means low confidence.
public struct KeywordClassifier: TicketClassifier {
    public init() {}

    public func classify(_ description: String) -> Classification {
        let text = description.lowercased()
        if text.contains("wifi") || text.contains("printer") { return Classification(category: .it, confidence: 0.9) }
        if text.contains("canteen") || text.contains("library") { return Classification(category: .services, confidence: 0.8) }
        return Classification(category: .facility, confidence: 0.4)
    }
}
