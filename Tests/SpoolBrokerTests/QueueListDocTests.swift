import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker

/// docs/operations.md's `campusdesk queue ... list` examples, run (issue 20, finding 9): each block
/// is read at test time, a spool holding the queues, counts and ages it shows is built, and the
/// real `QueueCLI` must print exactly the block's lines (`...` stands for more rows; `| head -N`
/// keeps N lines; `--json` output is compared as JSON).
@Suite struct QueueListDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Example {
        var line: Int
        var command: String
        var output: [String]
    }

    /// Every fenced block of operations.md that starts with `$ campusdesk queue` and lists.
    static func examples() throws -> [Example] {
        let lines = try String(contentsOf: root.appendingPathComponent("docs/operations.md"), encoding: .utf8).components(separatedBy: "\n")
        var out: [Example] = []
        var i = 0
        while i < lines.count {
            if lines[i].hasPrefix("```"), i + 1 < lines.count, lines[i + 1].hasPrefix("$ campusdesk queue"), lines[i + 1].contains(" list") {
                let body = lines[(i + 2)...].prefix { !$0.hasPrefix("```") }
                // The output ends where the block's next command starts.
                out.append(Example(line: i + 2, command: String(lines[i + 1].dropFirst(2)), output: Array(body.prefix { !$0.hasPrefix("$ ") })))
                i += body.count + 2
            } else {
                i += 1
            }
        }
        return out
    }

    /// "3s", "1m15s", "-" → seconds (nil for "-").
    static func age(_ text: String) -> Int? {
        guard text != "-" else { return nil }
        var total = 0, number = 0
        for c in text {
            if let d = c.wholeNumberValue { number = number * 10 + d; continue }
            total += number * (c == "h" ? 3600 : c == "m" ? 60 : 1)
            number = 0
        }
        return total
    }

    @Test("operations.md holds the queue list examples this test runs")
    func examplesFound() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 4, "\(examples.map(\.command))")
    }

    @Test("each `campusdesk queue list` example of operations.md is what the command prints", arguments: try! Self.examples().map(\.line))
    func listAsDocumented(_ line: Int) throws {
        let example = try #require(try Self.examples().first { $0.line == line })
        let json = example.command.contains("--json")
        // The rows the doc shows: (queue, waiting, claimed, dead, age).
        var rows: [(String, Int, Int, Int, Int?)] = []
        if json {
            let array = try #require(try JSONSerialization.jsonObject(with: Data(example.output.joined().utf8)) as? [[String: Any]])
            for r in array {
                rows.append((r["queue"] as! String, r["waiting"] as! Int, r["claimed"] as! Int, r["dead"] as! Int,
                             (r["oldest_age_seconds"] as? Double).map { Int($0) }))
            }
        } else {
            for text in example.output.dropFirst() where text != "..." {
                let f = text.split(separator: " ").map(String.init)
                try #require(f.count == 5, "docs line \(line): a row of five columns: \(text)")
                rows.append((f[0], Int(f[1])!, Int(f[2])!, Int(f[3])!, Self.age(f[4])))
            }
        }
        let dir = try TemporaryDirectory("queue-doc")
        defer { dir.remove() }
        let clock = TestClock()
        let start = clock.now()
        let spool = try Spool(root: dir.path, clock: clock)
        let oldest = rows.compactMap(\.4).max() ?? 0
        // Oldest first, so each queue's waiting messages are as old as the doc says when it runs.
        for (name, waiting, claimed, dead, age) in rows.sorted(by: { ($0.4 ?? -1) > ($1.4 ?? -1) }) {
            let sentAt = start.millisecondsSinceEpoch + Int64(oldest - (age ?? oldest)) * 1000
            clock.set(Timestamp(millisecondsSinceEpoch: sentAt))
            let queue = try spool.queue(try QueueName(name))
            if dead > 0 {
                try queue.send(batch: try (0..<dead).map { try testEnvelope($0, at: clock) }, durability: .volatile)
                for delivery in try queue.claim(max: dead, knownTypes: nil) { try queue.reject(delivery, reason: "a dead letter of the doc") }
            }
            if claimed > 0 {
                try queue.send(batch: try (0..<claimed).map { try testEnvelope($0, at: clock) }, durability: .volatile)
                #expect(try queue.claim(max: claimed, knownTypes: nil).count == claimed)
            }
            if waiting > 0 { try queue.send(batch: try (0..<waiting).map { try testEnvelope($0, at: clock) }, durability: .volatile) }
            // The age is the file's: written at the doc's instant, whatever the real clock did meanwhile.
            let new = dir.path + "/queues/\(name)/new"
            for file in files(in: new) {
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(sentAt) / 1000)], ofItemAtPath: new + "/" + file)
            }
        }
        clock.set(Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + Int64(oldest) * 1000))

        // The command as written, on this spool: `--spool PATH` is this one, `| head -N` keeps N lines.
        var words = example.command.components(separatedBy: " | ")[0].split(separator: " ").map(String.init).dropFirst(2)
        if let at = words.firstIndex(of: "--spool") { words.removeSubrange(at...(at + 1)) }
        let run = QueueCLI.run(Array(words), environment: ["CAMPUSDESK_SPOOL": dir.path], clock: clock)
        #expect(run.status == 0, "\(run.stderr)")
        var printed = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if printed.last == "" { printed.removeLast() }
        if let head = example.command.firstMatch(of: /\| head -(\d+)/) { printed = Array(printed.prefix(Int(head.1)!)) }
        if json {
            let got = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
            let want = try JSONSerialization.jsonObject(with: Data(example.output.joined().utf8)) as? [[String: Any]]
            #expect(got.map { NSArray(array: $0) } == want.map { NSArray(array: $0) }, "docs line \(line): \(run.stdout)")
        } else if example.output.last == "..." {
            let shown = Array(example.output.dropLast())
            #expect(Array(printed.prefix(shown.count)) == shown, "docs line \(line) shows\n\(shown.joined(separator: "\n"))\nthe command prints\n\(printed.joined(separator: "\n"))")
        } else {
            #expect(printed == example.output, "docs line \(line) shows\n\(example.output.joined(separator: "\n"))\nthe command prints\n\(printed.joined(separator: "\n"))")
        }
    }
}
