import CSV
import Domain
import TicketStore
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// `campusdesk import` keeps two windows in flight: killed or stopped with both unanswered, it
    /// resumes from the last window whose every row was answered, and loses and duplicates nothing.
    @Suite(.serialized) struct ImportPipelineEndToEndTests {
        static let rows = 1_000
        static let window = 100
        /// Every 50th row is closed without a closing time (rejected by the CSV checks).
        static func isBad(_ i: Int) -> Bool { i % 50 == 0 }
        static var good: Int { (1...rows).filter { !isBad($0) }.count }

        /// Row i is on line i + 1 (the header is line 1); its description names it.
        static var csv: String {
            var text = "description,location,reporter,status,opened_at,closed_at,category\r\n"
            for i in 1...rows {
                text += "Pipelined row \(i),Hall \(i % 6),user\(i % 97)@campus.example,\(isBad(i) ? "closed" : "open"),2025-03-01T10:00:00Z,,\r\n"
            }
            return text
        }

        /// Lines whose command (`import-<run>-<line>`) sits in the `commands` queue (waiting or claimed).
        static func queuedLines(spool: URL, run: String) -> Set<Int> {
            let pattern = "import-\(run)-"
            var lines = Set<Int>()
            for stage in ["new", "cur"] {
                let dir = spool.appendingPathComponent("queues/commands/\(stage)")
                guard let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
                for case let url as URL in files {
                    guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                    var rest = text[...]
                    while let hit = rest.range(of: pattern) {
                        let digits = rest[hit.upperBound...].prefix { $0.isNumber }
                        if let line = Int(digits) { lines.insert(line) }
                        rest = rest[hit.upperBound...]
                    }
                }
            }
            return lines
        }

        static func checkpoint(_ path: String) -> ImportCheckpoint? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(ImportCheckpoint.init(text:))
        }

        /// Every good row exactly once in `tickets.db`; every bad row exactly once, in line order, in the rejects file.
        static func expectEachRowOnce(db: String, rejectsPath: String) async throws {
            let descriptions = try await allDescriptions(db)
            #expect(descriptions.count == good)
            #expect(Set(descriptions) == Set((1...rows).filter { !isBad($0) }.map { "Pipelined row \($0)" }))
            let rejects = try CSVReader.parse(String(contentsOfFile: rejectsPath, encoding: .utf8))
            #expect(rejects.dropFirst().map { Int($0.fields[0]) } == (1...rows).filter(isBad).map { $0 + 1 })
        }

        @Test("kill -9 with two windows in flight and unanswered: the resumed run loses no row and duplicates none")
        func killWithTwoWindowsInFlightResumesExactlyOnce() async throws {
            let system = try CampusDeskProcesses()
            try system.start("worker", ["ticket-worker"])
            let file = system.root.appendingPathComponent("history.csv")
            try Self.csv.write(to: file, atomically: false, encoding: .utf8)
            let statePath = file.path + ".import-state"

            try system.start("import", ["import", file.path, "--window", String(Self.window)])
            try await eventually("the import to settle two windows", within: .seconds(60)) { lastSeen in
                let settled = Self.checkpoint(statePath)?.settledLine ?? 0
                lastSeen = "settled line \(settled)"
                return settled >= 201
            }
            // Freeze the worker: the import sends the next windows and waits for them. Once two whole
            // windows past the checkpoint are queued (and the checkpoint holds still), kill it.
            try await system.freeze("worker")
            var atKill: (settled: Int, queued: Int) = (0, 0)
            try await eventually("two windows past the checkpoint queued", within: .seconds(60)) { lastSeen in
                guard let state = Self.checkpoint(statePath) else { lastSeen = "no state file"; return false }
                let past = Self.queuedLines(spool: system.spool, run: state.run).filter { $0 > state.settledLine }
                lastSeen = "settled line \(state.settledLine), \(past.count) rows queued past it"
                atKill = (state.settledLine, past.count)
                return past.count >= 2 * Self.window - 4 && Self.checkpoint(statePath)?.settledLine == state.settledLine
            }
            system.kill9("import")
            system.signal("worker", SIGCONT)
            let left = try #require(Self.checkpoint(statePath))
            #expect(left.settledLine == atKill.settled)
            #expect(left.settledLine < Self.rows + 1)
            // Two windows of 100 rows (two bad ones each, never sent) past the checkpoint: both in flight.
            #expect(atKill.queued == 2 * (Self.window - 2))

            let again = try system.run(["import", file.path, "--window", String(Self.window)])
            #expect(again.status == 1)
            #expect(again.stdout == "imported \(Self.good), rejected \(Self.rows - Self.good)\n")
            #expect(again.stderr.contains("resuming the import stopped after line \(left.settledLine)"))
            #expect(!FileManager.default.fileExists(atPath: statePath))
            try await Self.expectEachRowOnce(db: system.data.appendingPathComponent("tickets.db").path, rejectsPath: file.path + ".rejected")
        }

        @Test("no worker: every window in flight gives up, the checkpoint stays before the first, a later run sends the rest once")
        func windowsInFlightStopTogetherAndResume() async throws {
            let system = try CampusDeskProcesses()
            let file = system.root.appendingPathComponent("history.csv")
            try Self.csv.write(to: file, atomically: false, encoding: .utf8)
            let statePath = file.path + ".import-state"

            let stopped = try system.run(["import", file.path, "--window", String(Self.window), "--wait", "1"])
            #expect(stopped.status == 1)
            // Two windows went out unanswered; their bad rows are counted but none is settled.
            #expect(stopped.stdout == "imported 0, rejected 4, unconfirmed \(2 * (Self.window - 2))\n")
            #expect(stopped.stderr.contains("stopped after line 1;"))
            let left = try #require(Self.checkpoint(statePath))
            #expect(left.settledLine == 1 && left.imported == 0 && left.rejected == 0)
            #expect(Self.queuedLines(spool: system.spool, run: left.run).count == 2 * (Self.window - 2))

            try system.start("worker", ["ticket-worker"])
            let again = try system.run(["import", file.path, "--window", String(Self.window)])
            #expect(again.status == 1)
            #expect(again.stdout == "imported \(Self.good), rejected \(Self.rows - Self.good)\n")
            #expect(again.stderr.contains("resuming the import stopped after line 1 (imported 0, rejected 0 so far)"))
            #expect(!FileManager.default.fileExists(atPath: statePath))
            try await Self.expectEachRowOnce(db: system.data.appendingPathComponent("tickets.db").path, rejectsPath: file.path + ".rejected")
        }
    }
}
