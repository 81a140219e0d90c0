import Domain
import SpoolBroker
import TicketStore
import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// `campusdesk import` against a real `campusdesk ticket-worker` process on a temp spool and data dir.
    @Suite struct ImportEndToEndTests {
        static let csv = """
            description,location,reporter,status,opened_at,closed_at,category\r
            Printer jam in the library,B1,ann@campus.example,closed,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,it\r
            Broken window,Hall C,bob@campus.example,open,2025-03-02T10:00:00Z,,\r
            No closing time,,x,closed,2025-03-02T10:00:00Z,,\r
            Heating off in room 3,Hall A,,active,2025-03-03T08:00:00Z,,facility\r

            """

        @Test("import sends the good rows, lists the bad ones by line, and returns after every reply")
        func importsGoodRowsAndReportsBadLines() async throws {
            let system = try CampusDeskProcesses()
            try system.start("worker", ["ticket-worker"])
            let file = system.root.appendingPathComponent("in.csv")
            try Self.csv.write(to: file, atomically: false, encoding: .utf8)

            let result = try system.run(["import", file.path])
            #expect(result.status == 1)
            #expect(result.stdout == "imported 3, rejected 1\n")
            #expect(result.stderr.contains("line 4: closed_at: required when status is closed"))

            // The command returned after the replies, so the tickets are readable at once.
            let reader = try TicketReader(path: system.data.appendingPathComponent("tickets.db").path)
            let page = try await reader.list(TicketFilter(limit: 10))
            #expect(page.tickets.map(\.description).sorted() == ["Broken window", "Heating off in room 3", "Printer jam in the library"])
            let printer = try #require(page.tickets.first { $0.description.hasPrefix("Printer") })
            #expect(printer.status == .closed && printer.category == .it && printer.location == "B1")
            #expect(try await reader.counts() == [.open: 1, .active: 1, .closed: 1])

            let clean = try system.run(["import", file.path.replacingOccurrences(of: "in.csv", with: "missing.csv")])
            #expect(clean.status == 1)
            #expect(clean.stderr.contains("cannot read"))
            #expect(try system.run(["import"]).status == 64)
        }

        @Test("without a worker, import gives up, says the rows stay queued, and a later worker applies them")
        func rowsStayQueuedWhenNoWorkerAnswers() async throws {
            let system = try CampusDeskProcesses()
            let file = system.root.appendingPathComponent("in.csv")
            try Self.csv.write(to: file, atomically: false, encoding: .utf8)
            let result = try system.run(["import", file.path, "--wait", "1"])
            #expect(result.status == 1)
            #expect(result.stdout == "imported 0, rejected 1, unconfirmed 3\n")
            #expect(result.stderr.contains("3 rows are not confirmed"))

            try system.start("worker", ["ticket-worker"])
            let db = system.data.appendingPathComponent("tickets.db").path
            try await waitForTicketCount(db, reaches: 3)

            // Run again: the same command ids (FILE.import-state), so the queued rows are answered, not imported twice.
            let again = try system.run(["import", file.path])
            #expect(again.stdout == "imported 3, rejected 1\n")
            #expect(again.stderr.contains("resuming the import stopped after line 1"))
            let reader = try TicketReader(path: db)
            #expect(try await reader.counts().values.reduce(0, +) == 3)
        }
    }
}

/// Waits (deadline 30 s) until the ticket database at `path` holds `expected` tickets.
func waitForTicketCount(_ path: String, reaches expected: Int) async throws {
    try await eventually("\(path) to hold \(expected) tickets", within: .seconds(30)) { lastSeen in
        guard FileManager.default.fileExists(atPath: path), let reader = try? TicketReader(path: path),
              let counts = try? await reader.counts() else {
            lastSeen = "no readable tickets.db"
            return false
        }
        lastSeen = "\(counts)"
        return counts.values.reduce(0, +) == expected
    }
}

/// Every ticket's description in the ticket database at `path`, read page by page (newest first).
func allDescriptions(_ path: String) async throws -> [String] {
    let reader = try TicketReader(path: path)
    var descriptions: [String] = []
    var filter = TicketFilter(limit: TicketFilter.maxLimit)
    while true {
        let page = try await reader.list(filter)
        descriptions += page.tickets.map(\.description)
        guard let next = page.nextCursor else { break }
        filter.cursor = next
    }
    return descriptions
}
