/// The category a classifier chose for a description, with how sure it is (0...1).
public struct Classification: Sendable, Equatable {
    public var category: Category
    public var confidence: Double
    public init(category: Category, confidence: Double) {
        self.category = category
        self.confidence = confidence
    }
    /// Below this confidence the staff ticket page flags the category for a check. The list's
    /// partial index `tickets_low_confidence_by_priority` (migration 21) has 0.6 written in its
    /// WHERE: a different threshold needs a migration that makes the index again.
    public static let lowConfidenceThreshold = 0.6
    public var isLowConfidence: Bool { confidence < Self.lowConfidenceThreshold }
}

/// Something that files a free-text description under a category.
public protocol TicketClassifier: Sendable {
    func classify(_ description: String) -> Classification
}
