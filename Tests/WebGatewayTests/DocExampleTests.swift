import Domain
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

/// Every request example of docs/api.md, read from the file at test time and run against a real
/// gateway and store on the desks it names (issue 20, finding 9): the status, the refusal code,
/// `field`, the headers and the JSON the example shows must be what the product answers. An
/// example is either run or listed in ``notRun`` with a reason, so a new one cannot go untested.
@Suite struct DocExampleTests {
    /// Examples that are not run, by their first line (trimmed), with the reason. Keep it short.
    static let notRun: [String: String] = [
        "GET /api/tickets/7/ai-suggestions": "the model's confidences and words change with every training round (docs/classification.md); SuggestionRouteTests runs the real model",
    ]

    static let text = (try? String(contentsOf: APIDocumentDriftTests.root.appendingPathComponent("docs/api.md"), encoding: .utf8)) ?? ""

    static func examples() -> (blocks: [DocExampleBlock], problems: [String]) { DocExampleParser.parse(text) }

    /// An example's first line, trimmed: its name in ``notRun``.
    static func key(_ e: DocExample) -> String {
        text.components(separatedBy: "\n")[e.line - 1].trimmingCharacters(in: .whitespaces)
    }

    @Test("every arrow in api.md's fenced blocks belongs to an example the runner reads, and the not-run list is current")
    func everyExampleIsRead() throws {
        let (blocks, problems) = Self.examples()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let all = blocks.flatMap(\.examples)
        #expect(all.count >= 50, "found \(all.count) examples")
        let keys = Set(all.map(Self.key))
        for stale in Self.notRun.keys where !keys.contains(stale) { Issue.record("notRun lists \"\(stale)\", which api.md no longer holds") }
        for block in blocks where block.ordered {
            for e in block.examples where (try? DocContext.parse(e.ownContext).get())?.desks != nil {
                Issue.record("\(e): an example of an ordered block runs on the block's desk; name the desk in its `#` line")
            }
        }
        for e in all {
            if case .failure(let p) = DocContext.parse(e.context, e.ownContext) { Issue.record("\(e): \(p.text)") }
            for step in e.steps { if case .failure(let p) = DocContext.parse(step) { Issue.record("\(e): \(p.text)") } }
            if case .failure(let p) = DocAnswer.parse(e.answer) { Issue.record("\(e): \(p.text)") }
        }
    }

    @Test("every example of docs/api.md answers as the doc says", arguments: Self.examples().blocks.map(\.line))
    func examplesAnswerAsDocumented(_ blockLine: Int) async throws {
        let block = try #require(Self.examples().blocks.first { $0.line == blockLine })
        let examples = block.examples.filter { Self.notRun[Self.key($0)] == nil }
        if block.ordered {
            let context = try DocContext.parse(examples.first?.context ?? "").get()
            for desk in context.runDesks {
                let world = try await DocWorld(desk)
                for step in context.steps { try await world.apply(step) }
                for e in examples { try await Self.run(e, in: world, ordered: true) }
            }
        } else {
            for e in examples {
                for desk in try DocContext.parse(e.context, e.ownContext).get().runDesks { try await Self.run(e, in: try await DocWorld(desk)) }
            }
        }
    }

    /// Runs one example; in an ordered block the block's own steps ran once before the first.
    static func run(_ e: DocExample, in world: DocWorld, ordered: Bool = false) async throws {
        for s in e.steps { for step in try DocContext.parse(s).get().steps { try await world.apply(step) } }
        let context = try DocContext.parse(e.context, e.ownContext).get()
        let steps = ordered ? try DocContext.parse(e.ownContext).get().steps : context.steps
        for step in steps { try await world.apply(step) }
        let role: Role? = if case .role(let r) = context.caller { r } else { nil }
        let answer = try DocAnswer.parse(e.answer).get()
        let r = try await world.call(as: role, e.method, e.target, headers: e.headers, body: e.body)
        let note: Comment = "\(e) (\(world.desk) desk, as \(role?.rawValue ?? "anyone")): \(r.status.code) \(r.text.prefix(600))"
        #expect(r.status.code == answer.status, note)
        if let shape = answer.shape {
            let m = shape.mismatches(r.json ?? (try? JSONSerialization.jsonObject(with: Data(r.body))))
            #expect(m.isEmpty, "\(m.joined(separator: "; ")) — \(note)")
        }
        if let field = answer.field { #expect(r.json?["field"] as? String == field, note) }
        if let code = answer.code {
            let got = r.json?["code"] as? String ?? r.json?["error"] as? String
            #expect(got == code, note)
            if r.json?["code"] != nil { #expect(r.json?["type"] as? String == "/problems/\(code)", note) }
        }
        for (name, value) in answer.headers { #expect(r.headers[name] == value, "\(name) — \(note)") }
        if let (method, target) = answer.sameAs {
            let other = try await world.call(as: role, method, target, headers: e.headers, body: nil)
            #expect(other.status == r.status && other.body == r.body, "not the same as \(method) \(target): \(other.text.prefix(300)) — \(note)")
        }
    }
}

/// The answer an example promises, as far as the runner reads it.
struct DocAnswer {
    var status = 200
    var shape: DocJSONShape?
    var field: String?
    var code: String?
    var headers: [(String, String)] = []
    var sameAs: (String, String)?

    static let codes = RefusalCode.allCases.map(\.rawValue) + ["invalid_grant", "unsupported_grant_type", "invalid_request"]

    static func parse(_ text: String) -> Result<DocAnswer, DocExampleParser.Problem> {
        var a = DocAnswer()
        var rest = Substring(text)
        if let m = text.firstMatch(of: /^(\d{3})\b/) {
            a.status = Int(m.1)!
            rest = rest.dropFirst(3)
        }
        if let m = rest.firstMatch(of: /the same as (?:(GET|HEAD) )?(\/\S+)/) {
            a.sameAs = (String(m.1 ?? "GET"), String(m.2))
            rest.removeSubrange(m.range)
        }
        if let open = rest.firstIndex(of: "{") {
            var s = rest[open...]
            guard let json = DocExampleParser.balanced(&s, open: "{", close: "}"), let shape = DocJSONShape.parse(String(json)) else {
                return .failure(DocExampleParser.Problem(text: "the answer's JSON does not parse: \(rest[open...].prefix(80))"))
            }
            a.shape = shape
            rest = rest[..<open] + s
        } else {
            let pairs = rest.matches(of: /"(\w+)": ("(?:[^"\\]|\\.)*"|null|true|false|-?\d+(?:\.\d+)?)/)
            if !pairs.isEmpty {
                let json = "{" + pairs.map { "\"\($0.1)\": \($0.2)" }.joined(separator: ", ") + ", ...}"
                a.shape = DocJSONShape.parse(json)
                for m in pairs.reversed() { rest.removeSubrange(m.range) }
            }
        }
        if let m = rest.firstMatch(of: /\bfield (\w+)/) { a.field = String(m.1) }
        // A header's value: one word, then more methods (`GET, HEAD`) or parameters (`realm="CampusDesk"`).
        let header = /(?:^|[^"\w])([A-Z][A-Za-z]+(?:-[A-Z][A-Za-z]+)*): (\S+?(?:,? (?:[A-Z]+\b(?!:)|\w+="[^"]*"))*)(?=,?(?:\s|$))/
        for m in rest.matches(of: header) { a.headers.append((String(m.1), String(m.2))) }
        let words = rest.split { !($0.isLetter || $0 == "_") }.map(String.init)
        a.code = codes.first { words.contains($0) }
        return .success(a)
    }
}

extension DocExampleTests {
    /// The queues' table ("Queues": who gets what from each list), cell by cell on both desks.
    @Test("api.md's table of the queues holds for every role on both desks")
    func queueTable() async throws {
        let lines = Self.text.components(separatedBy: "\n")
        let head = try #require(lines.firstIndex { $0.hasPrefix("| |") && $0.contains("campus desk") })
        let columns = lines[head].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(columns == ["", "customer", "agent", "engineer", "manager", "admin", "campus desk"])
        let rows = lines[(head + 2)...].prefix { $0.hasPrefix("|") }
        #expect(rows.count == 4)
        let network = try await DocWorld(.network), campus = try await DocWorld(.campus)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            // `my-tickets` is /api/tickets/my-tickets, `?assigned_to=N` is /api/tickets?assigned_to=3.
            let targets = cells[0].matches(of: /`([^`]+)`/).map { m in
                let name = String(m.1).replacingOccurrences(of: "{assignee_id}", with: "3").replacingOccurrences(of: "=N", with: "=3")
                return name.hasPrefix("?") ? "/api/tickets" + name : "/api/tickets/" + name
            }
            #expect(!targets.isEmpty, "\(row)")
            func check(_ world: DocWorld, _ role: Role, _ cell: String) async throws {
                let status = try #require(cell.firstMatch(of: /\d{3}/).map { Int($0.0)! }, "\(row): \(cell)")
                for target in targets {
                    let r = try await world.call(as: role, "GET", target, headers: [], body: nil)
                    let note: Comment = "\(target) as \(role) on the \(world.desk) desk: \(r.status.code) \(r.text.prefix(200))"
                    #expect(r.status.code == status, note)
                    if cell.contains("(empty)") { #expect((r.json?["tickets"] as? [Any])?.isEmpty == true, note) }
                    if status == 404, cell.contains("about:blank") { #expect(r.json?["type"] as? String == "about:blank", note) }
                }
            }
            for (role, cell) in zip([Role.customer, .agent, .engineer, .manager, .admin], cells[1...5]) { try await check(network, role, cell) }
            let desk = cells[6]
            if desk.hasPrefix("agent") {
                let agent = try #require(desk.firstMatch(of: /agent (\d{3})/)), customer = try #require(desk.firstMatch(of: /customer (\d{3})/))
                try await check(campus, .agent, String(agent.1))
                try await check(campus, .customer, String(customer.1))
            } else {
                for role in [Role.customer, .agent] { try await check(campus, role, desk) }
            }
        }
    }
}
