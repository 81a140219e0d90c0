import Foundation
import TestSupport
import Testing

extension SystemTests {
    /// The whole product on NATS JetStream (`CAMPUSDESK_BROKER=nats://...`): the gateway, the
    /// ticket worker and the four analytics workers talk through a real `nats-server -js`, and
    /// the spool directory stays empty.
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct NATSEndToEndTests {
        @Test("on NATS: a reported problem is stored by the worker, read back, and counted by the analytics")
        func reportAndCount() async throws {
            let store = try TemporaryDirectory("nats-e2e")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let system = try await GatewaySystem(environment: ["CAMPUSDESK_BROKER": server.url])
            let api = RawHTTPClient(port: system.port)
            let created = try api.request("POST", "/api/tickets", headers: [
                ("Content-Type", "application/json"), ("X-CampusDesk-Reporter-Key", "7b0c2f4e-58d1-4c1e-9a63-2f1b9d0e4a77"),
            ], text: "{\"description\": \"Printer on floor 2 jams\"}")
            #expect(created.status == 201, "\(created.text)")
            let list = try api.request("GET", "/api/tickets")
            #expect(list.text.contains("Printer on floor 2 jams"))
            try await eventually("the open-tickets worker to count the ticket from the events on NATS") {
                let r = try api.request("GET", "/api/analytics/open-tickets?hours=24", headers: [("X-CampusDesk-Role", "staff")])
                return r.status == 200 && r.text.contains("\"count\":1")
            }
            let queues = (try? FileManager.default.contentsOfDirectory(atPath: system.processes.spool.path + "/queues")) ?? []
            #expect(queues.isEmpty, "nothing went through the spool: \(queues)")
        }
    }
}
