import Supervisor
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// `campusdesk demo` and `campusdesk up --demo` with a real ticket worker process.
    @Suite struct DemoEndToEndTests {
        @Test("demo imports the seeded history and prints plain progress lines when stderr is not a terminal")
        func demoImportsTheHistory() async throws {
            let system = try CampusDeskProcesses()
            try system.start("worker", ["ticket-worker"])
            let result = try system.run(["demo", "--count", "200", "--seed", "11"])
            #expect(result.status == 0)
            #expect(result.stdout == "imported 200 demo tickets (seed 11)\n")
            #expect(result.stderr.contains("demo: 200/200  100%"))
            #expect(!result.stderr.contains("\r"))
            try await waitForTicketCount(system.data.appendingPathComponent("tickets.db").path, reaches: 200)
            #expect(try system.run(["demo", "--count", "zero"]).status == 64)
        }

        @Test("up --demo fills an empty tickets.db once the worker runs, and leaves a filled one alone")
        func upDemoSeedsAnEmptyDatabaseOnly() async throws {
            let system = try CampusDeskProcesses()
            try "ticket-worker: campusdesk ticket-worker\n".write(to: system.root.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
            let up = try RunningCommand(["up", "--demo-count", "120"], in: system.root, environment: system.environment)
            defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
            try await up.stdoutLine(containing: "system        | demo: imported 120 demo tickets", within: .seconds(60))
            try await waitForTicketCount(system.data.appendingPathComponent("tickets.db").path, reaches: 120)
            kill(up.process.processIdentifier, SIGTERM)
            try await up.process.waitForExit(within: .seconds(30))

            let again = try RunningCommand(["up", "--demo"], in: system.root, environment: system.environment)
            defer { if again.process.isRunning { kill(again.process.processIdentifier, SIGKILL) } }
            try await again.stdoutLine(containing: "demo: tickets.db already has 120 tickets; demo history not imported", within: .seconds(60))
            kill(again.process.processIdentifier, SIGTERM)
            try await again.process.waitForExit(within: .seconds(30))
            #expect(again.process.terminationStatus == 0)
        }
    }
}
