import Foundation
import Testing
@testable import Supervisor

@Suite struct NATSServerEntryTests {
    @Test func theServerLineComesFirstWithJetStreamOnLoopback() throws {
        let entry = NATSServerEntry(executable: "/usr/sbin/nats-server", port: 4333, storeDirectory: "/var/lib/my desk/nats")
        #expect(entry.url == "nats://127.0.0.1:4333")
        #expect(entry.procfileEntry.command == "/usr/sbin/nats-server -js -a 127.0.0.1 -p 4333 -sd '/var/lib/my desk/nats'")
        let procfile = try entry.prepended(to: Procfile.parse("web: campusdesk gateway\nworker: campusdesk ticket-worker\n"))
        #expect(procfile.entries.map(\.name) == ["nats", "web", "worker"])
        #expect(throws: ProcfileError(line: 2, reason: "process name 'nats' is taken by --broker nats")) {
            try entry.prepended(to: Procfile.parse("web: a\nnats: b\n"))
        }
    }

    @Test func locatesTheServerOnPathOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nats-entry-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.createFile(atPath: dir + "/nats-server", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(NATSServerEntry.locate(path: "/nonexistent:\(dir)") == dir + "/nats-server")
        #expect(NATSServerEntry.freePort() != nil)
    }
}
