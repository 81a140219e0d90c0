/// A text's normalised words and its adjacent word pairs ("lift stuck" for "lift", "stuck"), built
/// once per text: `TriageModel.suggest` scores and explains it with two models, and building the
/// pair strings anew for each look-up was a third of a suggestion's cost (perf, 2026-12-03).
struct TokenizedText: Sendable {
    let words: [String]
    /// `pairs[i]` is `words[i] + " " + words[i + 1]`.
    let pairs: [String]

    init(words: [String]) {
        self.words = words
        var pairs: [String] = []
        pairs.reserveCapacity(max(0, words.count - 1))
        for i in words.indices.dropFirst() { pairs.append(words[i - 1] + " " + words[i]) }
        self.pairs = pairs
    }
}
