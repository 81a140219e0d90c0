import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker

@Suite struct QueueCLITests {
    private func run(_ args: [String], _ dir: TemporaryDirectory, clock: any WallClock = SystemClock()) -> QueueCLI.Output {
        QueueCLI.run(args, environment: ["CAMPUSDESK_SPOOL": dir.path], clock: clock)
    }

    @Test("list prints every queue with waiting, claimed, dead and oldest age, as text and JSON")
    func list() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let clock = TestClock(Timestamp(Date()))
        let spool = try Spool(root: dir.path, clock: clock)
        let a = try spool.queue(try QueueName("alpha"))
        try a.send(batch: try (0..<3).map { try testEnvelope($0) })
        _ = try spool.queue(try QueueName("beta"))
        clock.advance(by: .milliseconds(75_000))
        let text = run(["list"], dir, clock: clock)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("QUEUE"))
        #expect(lines[1].hasPrefix("alpha") && lines[1].contains("  3  ") && (lines[1].hasSuffix("  1m15s") || lines[1].hasSuffix("  1m14s")))
        #expect(lines[2].hasPrefix("beta") && lines[2].hasSuffix("  -"))
        let json = run(["--json", "list"], dir, clock: clock)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["queue"] as? String == "alpha")
        #expect(rows[0]["waiting"] as? Int == 3)
        #expect(rows[0]["claimed"] as? Int == 0)
        #expect(rows[0]["dead"] as? Int == 0)
        #expect((rows[0]["oldest_age_seconds"] as? Double ?? 0) >= 74)
        #expect(rows[1]["oldest_age_seconds"] is NSNull)
    }

    @Test("a spool that does not exist is reported, not created")
    func missingSpool() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let missing = dir.path + "/no-such-spool"
        let out = QueueCLI.run(["list"], environment: ["CAMPUSDESK_SPOOL": missing])
        #expect(out.status == 1)
        #expect(out.stderr == "campusdesk queue: no spool at \(missing) (set CAMPUSDESK_SPOOL or pass --spool DIR; `campusdesk up` creates it)\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
        // A directory that is not a spool gets the same answer and stays as it was.
        let plain = QueueCLI.run(["list", "--spool", dir.path], environment: [:])
        #expect(plain.status == 1 && plain.stderr.hasPrefix("campusdesk queue: no spool at \(dir.path) "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("peek shows waiting messages without claiming them")
    func peek() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("p"))
        let envs = try (0..<5).map { try testEnvelope($0) }
        try q.send(batch: envs)
        let out = run(["peek", "p", "2"], dir)
        #expect(out.status == 0)
        #expect(out.stdout.contains(envs[0].id.rawValue) && out.stdout.contains(envs[1].id.rawValue))
        #expect(!out.stdout.contains(envs[2].id.rawValue))
        #expect(out.stdout.contains("\"n\":1"))
        let json = run(["peek", "p", "--json"], dir)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 5)
        #expect(try q.stats().waiting == 5, "peek claimed nothing")
    }

    @Test("dead lists reasons; retry moves a dead letter back by id; purge deletes them")
    func deadRetryPurge() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("d"))
        let e1 = try testEnvelope(1)
        let e2 = try testEnvelope(2)
        try q.send(e1)
        try q.send(e2)
        for d in try q.claim(max: 2) { try q.reject(d, reason: "no ticket \(try d.envelope.decodeBody(QueueTestBody.self).n)") }
        let dead = run(["dead", "d"], dir)
        #expect(dead.stdout.contains("reason: no ticket 1") && dead.stdout.contains("reason: no ticket 2"))
        #expect(dead.stdout.contains(e1.id.rawValue))
        let json = run(["dead", "d", "--json"], dir)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["reason"] as? String } == ["no ticket 1", "no ticket 2"])
        #expect(run(["retry", "d", e1.id.rawValue], dir) == QueueCLI.Output(status: 0, stdout: "retried 1 from d\n", stderr: ""))
        #expect(try q.claim(max: 5).map(\.envelope.id) == [e1.id])
        #expect(run(["retry", "d", "nope"], dir).status == 1)
        #expect(run(["purge", "d", "--dead"], dir) == QueueCLI.Output(status: 0, stdout: "purged 1 from d\n", stderr: ""))
        #expect(run(["dead", "d"], dir).stdout == "(d has no dead letters)\n")
    }

    @Test("bindings lists exchanges and their queues")
    func bindings() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        #expect(run(["bindings"], dir).stdout == "(no bindings)\n")
        try spool.exchange(.events).bind(.events(.openTickets))
        try spool.exchange(.events).bind(.events(.categoryLoad))
        #expect(run(["bindings"], dir).stdout == "events -> events.category-load\nevents -> events.open-tickets\n")
        #expect(run(["bindings", "--json"], dir).stdout
            == #"[{"exchange":"events","queue":"events.category-load"},{"exchange":"events","queue":"events.open-tickets"}]"# + "\n")
    }

    static let exitCases: [([String], Int32)] = [
        (["peek"], 64), (["frobnicate"], 64), ([], 64), (["peek", "../x"], 64), (["peek", "q", "zero"], 64),
        (["purge", "q"], 64), (["peek", "missing"], 1), (["list", "extra"], 64),
    ]

    @Test("usage errors exit 64, runtime errors exit 1", arguments: exitCases)
    func exitCodes(args: [String], status: Int32) throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let out = run(args, dir)
        #expect(out.status == status)
        #expect(!out.stderr.isEmpty)
        #expect(out.stdout.isEmpty)
    }

    @Test("--spool DIR wins over CAMPUSDESK_SPOOL")
    func spoolOption() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        _ = try Spool(root: dir.path + "/other").queue(try QueueName("only-here"))
        let out = QueueCLI.run(["--spool", dir.path + "/other", "list"], environment: ["CAMPUSDESK_SPOOL": dir.path])
        #expect(out.stdout.contains("only-here"))
    }
}
