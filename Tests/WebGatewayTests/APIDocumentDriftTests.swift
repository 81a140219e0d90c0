import Foundation
import Testing
import HTTPServer
@testable import WebGateway

/// The OpenAPI document, docs/api.md's operation table and the router's routes name the same
/// operations: one of them changing alone fails here, so the three cannot drift apart.
@Suite struct APIDocumentDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
    }

    /// `paths:` of the document: `  /path:` lines, then `    get:` (and other method) lines under each.
    static func documentOperations() throws -> Set<Operation> {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/WebGateway/Resources/openapi.yaml"), encoding: .utf8)
        var operations = Set<Operation>()
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.dropFirst(4).dropLast())
                if methods.contains(key) { operations.insert(Operation(method: key.uppercased(), path: path)) }
            }
        }
        return operations
    }

    /// Rows of docs/api.md's operation table: "| `GET` | `/api/tickets` | ...".
    static func manualOperations() throws -> Set<Operation> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        var operations = Set<Operation>()
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("`"), cells[1].hasPrefix("`/") else { continue }
            operations.insert(Operation(method: cells[0].trimmingCharacters(in: ["`"]), path: cells[1].trimmingCharacters(in: ["`"])))
        }
        return operations
    }

    /// The gateway's routes under `/api`, the two probes and the attachment download, with `:id` written `{id}`.
    static func routedOperations() -> Set<Operation> {
        let gateway = World().gateway()
        return Set(gateway.routeTable.compactMap { route -> Operation? in
            guard route.pattern.hasPrefix("/api/") || ["/healthz", "/readyz", "/attachments/:id"].contains(route.pattern) else { return nil }
            let path = route.pattern.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return Operation(method: route.method.rawValue, path: path)
        })
    }

    @Test("the document and docs/api.md's table list the same operations")
    func documentMatchesManual() throws {
        let document = try Self.documentOperations(), manual = try Self.manualOperations()
        #expect(document.count >= 13)
        #expect(document.subtracting(manual).isEmpty, "in the document but not in docs/api.md: \(document.subtracting(manual))")
        #expect(manual.subtracting(document).isEmpty, "in docs/api.md but not in the document: \(manual.subtracting(document))")
    }

    @Test("every API route the router registers is in the document, and every documented operation is routed")
    func routerMatchesDocument() throws {
        let document = try Self.documentOperations(), routed = Self.routedOperations()
        #expect(routed.subtracting(document).isEmpty, "routed but undocumented: \(routed.subtracting(document))")
        #expect(document.subtracting(routed).isEmpty, "documented but not routed: \(document.subtracting(routed))")
    }
}
