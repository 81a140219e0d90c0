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
        @Test("an export imported into a fresh system exports the same tickets again, triage, assignee and contact included")
        func exportImportRoundTrip() async throws {
            let first = try CampusDeskProcesses()
            try first.start("worker", ["ticket-worker"])
            // The engineer tickets are assigned to: account 1 in both systems.
            let engineer = ["users", "add", "--role", "engineer", "--email", "eli@campus.example", "--name", "Eli <Engineer>", "--no-password"]
            #expect(try first.run(engineer).status == 0)
            let demo = try first.run(["demo", "--count", "150", "--seed", "7"])
            #expect(demo.status == 0, "\(demo.stderr)")
            // Text that CSV injection neutralising must carry through unchanged, every triage, assignee
            // and contact column (a pinned priority, one the matrix gives, none), and an issue type
            // named without a category (found by name, any case) that the export then names again.
            let tricky = first.root.appendingPathComponent("tricky.csv")
            try ("description,location,reporter,status,opened_at,closed_at,severity,impact,priority,assignee_id,contact_email,contact_phone,preferred_contact_time,issue_type\r\n"
                + "\"=SUM(A1:A2), \"\"quoted\"\"\nline two\",'@lab,-x,open,2025-05-01T09:00:00Z,,high,many,P1,1,Ana@Example.org,+44 20 7946 0000,Mon-Fri 9:00 to 12:00,printing\r\n"
                + "Printer low on toner,Hall,Bo,active,2025-05-02T09:00:00Z,,low,one,P2,,,-(030) 1234,,\r\n"
                + "Old heating fault,Hall,Bo,closed,2025-05-03T09:00:00Z,2025-05-04T09:00:00Z,critical,several,,1,,,daily 22:00-06:00,\r\n")
                .write(to: tricky, atomically: false, encoding: .utf8)
            #expect(try first.run(["import", tricky.path]).stdout == "imported 3, rejected 0\n")
            let exported = try first.run(["export"])
            #expect(exported.status == 0)
            #expect(exported.stderr.contains("153 tickets"))
            // Stored in canonical form and exported so: lower-cased address, neutralised phone, the window's canonical text.
            #expect(exported.stdout.contains(",high,many,P1,1,ana@example.org,'+44 20 7946 0000,weekdays 09:00-12:00,Printing\r\n"))
            #expect(exported.stdout.contains(",low,one,P2,,,'-(030) 1234,,\r\n"))
            #expect(exported.stdout.contains(",critical,several,P1,1,,,daily 22:00-06:00,\r\n"))

            let second = try CampusDeskProcesses()
            try second.start("worker", ["ticket-worker"])
            #expect(try second.run(engineer).status == 0)
            let file = second.root.appendingPathComponent("export.csv")
            try exported.stdout.write(to: file, atomically: false, encoding: .utf8)
            let imported = try second.run(["import", file.path])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout == "imported 153, rejected 0\n")
            let again = try second.run(["export"])
            #expect(again.status == 0)

            // Ticket numbers are the new system's own; every other column comes back the same.
            #expect(Self.withoutIDs(again.stdout) == Self.withoutIDs(exported.stdout))
            #expect(Self.withoutIDs(again.stdout).count == 154)
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
