/// One training text as the fitters see it: normalised words, class index, and how much it counts.
struct TrainingDocument: Sendable {
    var words: [String]
    var label: Int
    /// 1 for corpus lines; staff overrides count more (see `TriageModel.overrideWeight`).
    var weight: Double

    init(text: String, label: Int, weight: Double = 1, normalizer: TextNormalizer = TextNormalizer()) {
        self.init(words: normalizer.words(text), label: label, weight: weight)
    }

    init(words: [String], label: Int, weight: Double = 1) {
        self.words = words
        self.label = label
        self.weight = weight
    }
}
