import Domain
import SpoolBroker
import CSV
import TicketStore
import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// Export → import → export through two real systems (ticket worker processes, spools, SQLite files).
    @Suite struct ExportEndToEndTests {
        @Test("an export imported into a fresh system exports the same tickets again")
        func exportImportRoundTrip() async throws {
            let first = try CampusDeskProcesses()
            try first.start("worker", ["ticket-worker"])
            let demo = try first.run(["demo", "--count", "150", "--seed", "7"])
            #expect(demo.status == 0, "\(demo.stderr)")
            // Text that CSV injection neutralising must carry through unchanged, and an issue type
            // named without a category (found by name, any case) that the export then names again.
            let tricky = first.root.appendingPathComponent("tricky.csv")
            try "description,location,reporter,status,opened_at,closed_at,issue_type\r\n\"=SUM(A1:A2), \"\"quoted\"\"\nline two\",'@lab,-x,open,2025-05-01T09:00:00Z,,printing\r\n"
                .write(to: tricky, atomically: true, encoding: .utf8)
            #expect(try first.run(["import", tricky.path]).stdout == "imported 1, rejected 0\n")
            let exported = try first.run(["export"])
            #expect(exported.status == 0)
            #expect(exported.stderr.contains("151 tickets"))

            let second = try CampusDeskProcesses()
            try second.start("worker", ["ticket-worker"])
            let file = second.root.appendingPathComponent("export.csv")
            try exported.stdout.write(to: file, atomically: true, encoding: .utf8)
            let imported = try second.run(["import", file.path])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout == "imported 151, rejected 0\n")
            let again = try second.run(["export"])
            #expect(again.status == 0)

            // Ticket numbers are the new system's own; every other column comes back the same.
            #expect(Self.withoutIDs(again.stdout) == Self.withoutIDs(exported.stdout))
            #expect(Self.withoutIDs(again.stdout).count == 152)
            let reader = try TicketReader(path: second.data.appendingPathComponent("tickets.db").path)
            // Imported tickets are found by text once the worker's background full-text pass has run.
            var found = try await reader.list(TicketFilter(text: "quoted"))
            try await eventually("the imported ticket to be found by text", within: .seconds(30)) {
                found = try await reader.list(TicketFilter(text: "quoted"))
                return !found.tickets.isEmpty
            }
            #expect(found.tickets.first?.description == "=SUM(A1:A2), \"quoted\"\nline two")
            #expect(found.tickets.first?.location == "@lab")
            #expect(found.tickets.first?.issueTypeName == "Printing" && found.tickets.first?.category == .it)
            #expect(exported.stdout.contains(",Printing\r\n"))
        }

        /// The CSV records without their first (id) cell, sorted; parsed properly because cells hold newlines.
        static func withoutIDs(_ csv: String) -> [String] {
            guard let records = try? CSVReader.parse(csv) else { return [] }
            return records.map { $0.fields.dropFirst().joined(separator: "\u{1F}") }.sorted()
        }
    }
}
