/// How bad a problem is, from the description: suggested by the classifier, set by agents and managers.
///
/// A gas smell or a person stuck in a lift is `critical`; a whole building without network is
/// `high`; a room's broken projector `medium`; one printer out of toner `low`.
public enum Severity: String, Sendable, Codable, CaseIterable, Hashable {
    case critical, high, medium, low
}

/// How soon staff work a ticket: `P1` first. Follows from severity and ``Impact`` (``PriorityMatrix``)
/// unless an agent or manager sets it by hand.
public enum Priority: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"

    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
}

/// How many people a problem affects, the other axis of the priority matrix.
public enum Impact: String, Sendable, Codable, CaseIterable, Hashable {
    /// One person (their laptop, their account).
    case one
    /// A group: a room, a class, a floor, a team.
    case several
    /// A building, a whole service, everyone.
    case many
}

/// Severity × impact → priority, the one place that says it (like ITIL's urgency × impact).
///
/// |          | many | several | one |
/// |----------|------|---------|-----|
/// | critical | P1   | P1      | P2  |
/// | high     | P1   | P2      | P3  |
/// | medium   | P2   | P3      | P3  |
/// | low      | P3   | P4      | P4  |
public enum PriorityMatrix {
    /// How many affected people (the reporter and the followers) make a crowd: from here on the
    /// matrix reads impact one step higher (`one` → `several` → `many`; `many` stays `many`).
    ///
    /// Why 5: one broken lift reported by five people is a floor's problem, not one person's; a
    /// pair of colleagues following each other's report is not. One step, not more: twenty "me too"s
    /// on a one-person problem make a group's problem, and staff set `many` when it is more.
    public static let crowd = 5

    /// The impact the matrix reads for a ticket with this stored impact and this many affected people.
    public static func impact(_ stored: Impact, affected: Int) -> Impact {
        guard affected >= crowd else { return stored }
        switch stored {
        case .one: return .several
        case .several, .many: return .many
        }
    }

    public static func priority(severity: Severity, impact: Impact) -> Priority {
        switch (severity, impact) {
        case (.critical, .many), (.critical, .several), (.high, .many): .p1
        case (.critical, .one), (.high, .several), (.medium, .many): .p2
        case (.high, .one), (.medium, .several), (.medium, .one), (.low, .many): .p3
        case (.low, .several), (.low, .one): .p4
        }
    }
}

/// One suggested value with how sure the model is and the words that weighed most for it.
public struct Suggested<Value: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
    public var value: Value
    /// A calibrated probability in 0...1.
    public var confidence: Double
    /// The description's words that pushed most towards `value`, strongest first (normalised forms).
    public var words: [String]
    public init(value: Value, confidence: Double, words: [String]) {
        self.value = value
        self.confidence = confidence
        self.words = words
    }
}

/// What the model suggests for a description: shown to staff, never to customers; staff accept or override.
public struct TriageSuggestion: Sendable, Equatable, Codable {
    public var category: Suggested<Category>
    public var severity: Suggested<Severity>
    public init(category: Suggested<Category>, severity: Suggested<Severity>) {
        self.category = category
        self.severity = severity
    }
}

/// A description with the values staff confirmed or chose (an override): what the model learns from.
public struct LabelledExample: Sendable, Equatable, Codable {
    public var text: String
    public var category: Category?
    public var severity: Severity?
    public init(text: String, category: Category? = nil, severity: Severity? = nil) {
        self.text = text
        self.category = category
        self.severity = severity
    }
}

/// Suggests category and severity, and refits from staff's labelled examples without a restart.
public protocol TicketTriaging: TicketClassifier {
    func suggest(_ description: String) -> TriageSuggestion
    /// Refits from the built-in corpus plus `examples` (all overrides so far); later suggestions use the new fit.
    func learn(_ examples: [LabelledExample])
}
