import Foundation

/// One request example of a doc, as written: the request, the context it runs in, and the answer
/// it promises. `DocExampleTests` reads docs/api.md at test time and runs every one.
///
/// The grammar (docs/api.md, "Examples"): in a fenced block, a line starting with a method and a
/// path starts an example; the lines after it up to the next one continue it. `→` separates the
/// request (path, then a JSON or form body, `Name: value` headers, a `(context)`) from the answer
/// (a status, then a JSON object or `"key": value` pairs, `field NAME`, a refusal code, `Name:
/// value` headers, or `the same as PATH`, and free words). A `# context` line sets the context of
/// every example below it in the block; `# in order` runs the block's examples one after the other
/// in one world (else each in a fresh one), and a `(step)` line alone is a step between them.
struct DocExample: CustomStringConvertible {
    var line: Int
    var method: String
    var target: String
    var headers: [(String, String)] = []
    var body: String?
    /// The block's `#` lines, joined with "; ".
    var context: String
    /// The example's own `(...)`, read after the block's (so its caller wins).
    var ownContext = ""
    var answer: String
    /// The `(step)` lines just before this example, in an ordered block.
    var steps: [String] = []

    var description: String { "docs line \(line): \(method) \(target)" }
}

/// A fenced block's examples.
struct DocExampleBlock {
    var line: Int
    var ordered: Bool
    var examples: [DocExample]
}

enum DocExampleParser {
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

    /// The blocks of `markdown` that hold examples, and the problems that make a line untestable
    /// (an arrow outside any example, an example without an answer, text the grammar does not read).
    static func parse(_ markdown: String) -> (blocks: [DocExampleBlock], problems: [String]) {
        var blocks: [DocExampleBlock] = []
        var problems: [String] = []
        var inFence = false
        var fenceLines: [(Int, String)] = []
        for (i, line) in markdown.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("```") {
                if inFence {
                    let (block, found) = parseBlock(fenceLines, openedAt: fenceLines.first?.0 ?? i)
                    problems += found
                    if let block { blocks.append(block) }
                    fenceLines = []
                }
                inFence.toggle()
            } else if inFence {
                fenceLines.append((i + 1, line))
            } else if line.contains("→"), line.contains(/`(GET|HEAD|POST|PUT|PATCH|DELETE) \//) {
                problems.append("docs line \(i + 1): an example outside a fenced block (the runner reads only those)")
            }
        }
        return (blocks, problems)
    }

    static func startsExample(_ line: String) -> Bool {
        methods.contains { line.hasPrefix($0 + " ") } && line.drop { $0 != " " }.drop { $0 == " " }.hasPrefix("/")
    }

    static func parseBlock(_ lines: [(Int, String)], openedAt: Int) -> (DocExampleBlock?, [String]) {
        var problems: [String] = []
        var context: [String] = []
        var ordered = false
        var groups: [(line: Int, text: [String], steps: [String])] = []
        var pendingSteps: [String] = []
        for (number, line) in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("# ") {
                var words = String(trimmed.dropFirst(2))
                if words.hasPrefix("in order") {
                    ordered = true
                    words = String(words.dropFirst("in order".count)).trimmingCharacters(in: CharacterSet(charactersIn: ",; "))
                }
                if !words.isEmpty { context.append(words) }
            } else if startsExample(line) {
                groups.append((number, [line], pendingSteps))
                pendingSteps = []
            } else if trimmed.hasPrefix("("), trimmed.hasSuffix(")"), !trimmed.contains("→") {
                // A step between examples; only an ordered block has a "between".
                if ordered { pendingSteps.append(String(trimmed.dropFirst().dropLast())) } else {
                    problems.append("docs line \(number): a (step) line in a block without `# in order`")
                }
            } else if !groups.isEmpty {
                groups[groups.count - 1].text.append(line)
            } else if line.contains("→") {
                problems.append("docs line \(number): an answer outside any example")
            }
        }
        if !pendingSteps.isEmpty { problems.append("docs block at line \(openedAt): a step after the last example") }
        guard !groups.isEmpty else { return (nil, problems) }
        var examples: [DocExample] = []
        for group in groups {
            switch example(group.line, group.text, context: context, steps: group.steps) {
            case .success(let e): examples.append(e)
            case .failure(let p): problems.append(p.text)
            }
        }
        return (DocExampleBlock(line: openedAt, ordered: ordered, examples: examples), problems)
    }

    struct Problem: Error { var text: String }

    static func example(_ line: Int, _ text: [String], context: [String], steps: [String]) -> Result<DocExample, Problem> {
        let joined = text.joined(separator: "\n")
        guard let arrow = joined.firstIndex(of: "→") else { return .failure(Problem(text: "docs line \(line): an example without → and an answer")) }
        let request = joined[..<arrow]
        let answer = String(joined[joined.index(after: arrow)...]).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var scanner = Substring(request)
        let method = take(&scanner) { $0 != " " }
        skipSpace(&scanner)
        let target = take(&scanner) { !$0.isWhitespace }
        var e = DocExample(line: line, method: String(method), target: String(target), context: context.joined(separator: "; "), answer: answer, steps: steps)
        while true {
            skipSpace(&scanner)
            guard let c = scanner.first else { break }
            if c == "{" {
                guard let json = balanced(&scanner, open: "{", close: "}") else { return .failure(Problem(text: "docs line \(line): unbalanced JSON body")) }
                e.body = String(json)
            } else if c == "(" {
                guard let words = balanced(&scanner, open: "(", close: ")") else { return .failure(Problem(text: "docs line \(line): unbalanced (")) }
                e.ownContext = [e.ownContext, String(words.dropFirst().dropLast())].filter { !$0.isEmpty }.joined(separator: "; ")
            } else if let header = header(&scanner) {
                e.headers.append(header)
            } else {
                let word = take(&scanner) { !$0.isWhitespace }
                guard word.contains("=") else { return .failure(Problem(text: "docs line \(line): the request's \"\(word)\" is neither a body, a header nor a (context)")) }
                e.body = String(word)
            }
        }
        return .success(e)
    }

    /// `Name: value` (a capitalised header name; the value runs to the end of the line or to two spaces).
    static func header(_ s: inout Substring) -> (String, String)? {
        guard let first = s.first, first.isUppercase else { return nil }
        let name = s.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        let rest = s.dropFirst(name.count)
        guard rest.hasPrefix(": ") else { return nil }
        let after = rest.dropFirst(2)
        var end = after.firstIndex(of: "\n") ?? after.endIndex
        if let gap = after.range(of: "  "), gap.lowerBound < end { end = gap.lowerBound }
        s = after[end...]
        return (String(name), String(after[..<end]))
    }

    static func take(_ s: inout Substring, while keep: (Character) -> Bool) -> Substring {
        let part = s.prefix(while: keep)
        s = s.dropFirst(part.count)
        return part
    }

    static func skipSpace(_ s: inout Substring) { _ = take(&s) { $0.isWhitespace } }

    /// The bracketed text at the start of `s` (strings in quotes may hold brackets), consumed.
    static func balanced(_ s: inout Substring, open: Character, close: Character) -> Substring? {
        var depth = 0
        var inString = false
        var escaped = false
        for i in s.indices {
            let c = s[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true } else if c == open { depth += 1 } else if c == close {
                depth -= 1
                if depth == 0 {
                    let part = s[...i]
                    s = s[s.index(after: i)...]
                    return part
                }
            }
        }
        return nil
    }
}
