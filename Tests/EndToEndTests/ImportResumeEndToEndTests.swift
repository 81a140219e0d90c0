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
    /// `campusdesk import` killed with SIGKILL mid-run and run again: every good row is one ticket.
    @Suite(.serialized) struct ImportResumeEndToEndTests {
        static let rows = 3_000
        /// Every 100th row is closed without a closing time (rejected by the CSV checks).
        static func isBad(_ i: Int) -> Bool { i % 100 == 0 }

        /// Row i is on line i + 1 (the header is line 1); its description names it.
        static var csv: String {
            var text = "description,location,reporter,status,opened_at,closed_at,category\r\n"
            for i in 1...rows {
                text += "Resume row \(i),Hall \(i % 6),user\(i % 97)@campus.example,\(isBad(i) ? "closed" : "open"),2025-03-01T10:00:00Z,,\r\n"
            }
            return text
        }

        @Test("kill -9 mid-import, run it again: each good row is one ticket, each bad row one line of the rejects file")
        func killedImportResumesWithoutDuplicates() async throws {
            let system = try CampusDeskProcesses()
            try system.start("worker", ["ticket-worker"])
            let file = system.root.appendingPathComponent("history.csv")
            try Self.csv.write(to: file, atomically: false, encoding: .utf8)
            let statePath = file.path + ".import-state"
            let db = system.data.appendingPathComponent("tickets.db").path

            // Windows of 100 rows: a checkpoint every 100 lines.
            try system.start("import", ["import", file.path, "--window", "100"])
            try await eventually("the import to settle two windows", within: .seconds(60)) { lastSeen in
                let text = try? String(contentsOfFile: statePath, encoding: .utf8)
                let state = text.flatMap(ImportCheckpoint.init(text:))
                lastSeen = state.map { "settled line \($0.settledLine)" } ?? "no state file"
                return (state?.settledLine ?? 0) >= 201
            }
            // Freeze the worker so the import cannot finish meanwhile, kill the import, let the worker go on
            // (it applies what the killed run had queued).
            try await system.freeze("worker")
            system.kill9("import")
            system.signal("worker", SIGCONT)
            let left = try #require(ImportCheckpoint(text: try String(contentsOfFile: statePath, encoding: .utf8)))
            #expect(left.settledLine < Self.rows + 1)

            let good = (1...Self.rows).filter { !Self.isBad($0) }.count
            let again = try system.run(["import", file.path, "--window", "100"])
            #expect(again.status == 1)
            #expect(again.stdout == "imported \(good), rejected \(Self.rows - good)\n")
            #expect(again.stderr.contains("resuming the import stopped after line \(left.settledLine)"))
            #expect(!FileManager.default.fileExists(atPath: statePath))

            // Each good row exactly once.
            let descriptions = try await allDescriptions(db)
            #expect(descriptions.count == good)
            #expect(Set(descriptions) == Set((1...Self.rows).filter { !Self.isBad($0) }.map { "Resume row \($0)" }))

            // Each bad row exactly once in the rejects file, in line order, with its reason and fields.
            let rejects = try CSVReader.parse(String(contentsOfFile: file.path + ".rejected", encoding: .utf8))
            #expect(rejects.first?.fields.prefix(3) == ["rejected_line", "rejected_reason", "description"])
            let badLines = (1...Self.rows).filter(Self.isBad).map { $0 + 1 }
            #expect(rejects.dropFirst().map { Int($0.fields[0]) } == badLines)
            #expect(rejects.dropFirst().allSatisfy { $0.fields[1] == "closed_at: required when status is closed" })
            #expect(rejects.last?.fields[2] == "Resume row \(Self.rows)")

            // `export --output` writes the same tickets into a file (renamed into place at the end).
            let exported = system.root.appendingPathComponent("out.csv").path
            let export = try system.run(["export", "--output", exported])
            #expect(export.status == 0 && export.stdout.isEmpty && export.stderr.contains("\(good) tickets"))
            #expect(!FileManager.default.fileExists(atPath: exported + ".tmp"))
            let back = try CSVReader.parse(String(contentsOfFile: exported, encoding: .utf8))
            #expect(back.first?.fields == TicketCSV.columns)
            #expect(Set(back.dropFirst().map { $0.fields[1] }) == Set(descriptions))
        }
    }
}
