import Foundation
import Testing
@testable import Domain

/// docs/roles.md prints the permission table; this keeps the page and `Permissions.row` the same.
@Suite struct RolesDocTests {
    static var page: String {
        get throws {
            let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/roles.md")
            return try String(contentsOf: docs, encoding: .utf8)
        }
    }

    @Test("every permission has one row in docs/roles.md with the reach of each role, in the column order of Role.allCases")
    func rolesPage_PrintsThePermissionTable() throws {
        let lines = try Self.page.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("| permission |") })
        let columns = header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(columns[1...5]) == Role.allCases.map(\.rawValue))
        for permission in Permission.allCases {
            let rows = lines.filter { $0.hasPrefix("| `\(permission.rawValue)` |") }
            #expect(rows.count == 1, "\(permission.rawValue)")
            guard let row = rows.first else { continue }
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            for (i, role) in Role.allCases.enumerated() {
                #expect(cells[1 + i] == Permissions.row(permission)[role].rawValue, "\(permission.rawValue) for \(role.rawValue)")
            }
        }
    }
}
