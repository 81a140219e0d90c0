import Domain
import TicketStore
import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// `campusdesk issue-types` against a real `campusdesk ticket-worker` on the campus desk, which
    /// has no admin account: the operator's way to change the list reporters pick from.
    @Suite struct IssueTypesEndToEndTests {
        @Test("issue-types list, add, rename and retire through the real worker; bad arguments exit 64, refusals 1")
        func operatorChangesTheList() async throws {
            let system = try CampusDeskProcesses()
            for args in [["issue-types"], ["issue-types", "delete", "1"], ["issue-types", "add", "plumbing", "Leak"],
                         ["issue-types", "add", "facility"], ["issue-types", "rename", "x", "A"], ["issue-types", "retire"],
                         ["issue-types", "list", "--everything"]] {
                #expect(try system.run(args).status == 64, "\(args)")
            }
            try system.start("worker", ["ticket-worker"])
            let added = try system.run(["issue-types", "add", "services", "Parking permits"])
            #expect(added.status == 0, "\(added.stderr)")
            let reader = try TicketReader(path: system.data.appendingPathComponent("tickets.db").path)
            let created = try #require(try await reader.issueTypes().first { $0.name == "Parking permits" })
            #expect(created.category == .services)
            #expect(added.stdout == "added issue type \(created.id.rawValue): services / Parking permits\n")

            let duplicate = try system.run(["issue-types", "add", "services", "parking PERMITS"])
            #expect(duplicate.status == 1 && duplicate.stderr.contains("refused by the ticket worker"), "\(duplicate.stderr)")

            let renamed = try system.run(["issue-types", "rename", String(created.id.rawValue), "Parking and permits"])
            #expect(renamed.status == 0, "\(renamed.stderr)")
            #expect(try await reader.issueType(created.id)?.name == "Parking and permits")

            let retired = try system.run(["issue-types", "retire", String(created.id.rawValue)])
            #expect(retired.status == 0, "\(retired.stderr)")
            #expect(try await reader.issueType(created.id)?.isRetired == true)
            let offered = try system.run(["issue-types", "list"])
            #expect(offered.status == 0 && offered.stdout.hasPrefix("ID") && !offered.stdout.contains("Parking and permits"))
            let all = try system.run(["issue-types", "list", "--all"]).stdout
            #expect(all.contains("Parking and permits") && all.contains("services"))
            #expect(try system.run(["issue-types", "retire", "999999"]).status == 1)
        }
    }
}
