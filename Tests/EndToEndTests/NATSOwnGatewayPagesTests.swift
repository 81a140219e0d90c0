import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// Issue 19: "a gateway started with its own data directory on a NATS deployment serves every
    /// page and API call, including read-your-writes after a change and the dashboards, without
    /// opening tickets.db". Two gateways on one real `nats-server -js` and the real processes: one on
    /// the worker's data directory (`shared`), one with its own (`own`); every GET page and API list
    /// answers the same on both, after changes made through the other gateway have reached the replica.
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct NATSOwnGatewayPagesTests {
        static let key = "3d2a9c1e-6b47-4f0a-8e15-c0ffee000019"
        static let staffAPI = [("X-CampusDesk-Role", "staff")]
        static let staffPage = [("Cookie", "cd_role=staff; cd_browser=\(String(repeating: "0123456789abcdef", count: 2))")]

        /// The API's GETs whose body is the store's answer alone (the analytics answers are checked by status: each is computed when asked).
        static let sameBody = [
            "/api/tickets", "/api/tickets?status=open", "/api/tickets?status=closed", "/api/tickets?sort=priority",
            "/api/tickets?q=projector", "/api/tickets/1", "/api/tickets/2/history", "/api/tickets/1/attachments",
            "/api/tickets/unassigned", "/api/categories", "/api/tickets/similar?text=projector%20flickers",
        ]
        static let sameStatus = [
            "/api/analytics/open-tickets", "/api/analytics/resolution-time", "/api/analytics/category-load",
            "/api/analytics/service-levels", "/api/tickets/1/ai-suggestions",
        ]
        static let pages = [
            "/", "/tickets", "/tickets?status=closed", "/tickets?q=projector", "/tickets/1", "/tickets/2", "/tickets/new",
            "/dashboard", "/dashboard/open-tickets.csv", "/dashboard/service-levels", "/notifications",
        ]

        @Test("own files on NATS: every page, API list and dashboard answers as on the worker's files; a change made through the other gateway shows once replicated")
        func everyPage_AsOnTheWorkersFiles() async throws {
            let store = try TemporaryDirectory("nats-own-pages")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let processes = try CampusDeskProcesses(environment: ["CAMPUSDESK_BROKER": server.url])
            let ownData = processes.root.appendingPathComponent("own-data").path
            let ownPort = RawHTTPClient.freePort()
            try processes.start("ticket-worker", ["ticket-worker"])
            for s in GatewaySystem.services { try processes.start(s, ["analytics", s]) }
            try processes.start("notifier", ["notifier"])
            try processes.start("gateway", ["gateway"])
            let own = try processes.start("own-gateway", ["gateway"], overrides: ["CAMPUSDESK_DATA": ownData, "CAMPUSDESK_GATEWAY_FILES": "own", "PORT": String(ownPort)])
            let shared = RawHTTPClient(port: processes.port, timeout: .seconds(30))
            let mine = RawHTTPClient(port: ownPort, timeout: .seconds(30))
            for (name, client) in [("shared", shared), ("own", mine)] {
                try await eventually("the \(name) gateway to be ready", within: .seconds(60)) { lastSeen in
                    let status = (try? client.request("GET", "/readyz").status) ?? 0
                    lastSeen = "status \(status)\n\(processes.log(name == "own" ? "own-gateway" : "gateway").suffix(1500))"
                    return status == 200
                }
            }

            // Changes through the shared gateway: reports, a move to active, one closed, a message.
            let json = [("Content-Type", "application/json")]
            for text in ["Projector in hall B flickers", "Wifi down in the library", "Cold soup in the canteen", "Projector remote missing"] {
                let r = try shared.request("POST", "/api/tickets", headers: json + [("X-CampusDesk-Reporter-Key", Self.key)], text: "{\"description\": \"\(text)\"}")
                #expect(r.status == 201, "\(r.status) \(r.text.prefix(300))")
            }
            #expect(try shared.request("PUT", "/api/tickets/1/status", headers: json + Self.staffAPI, text: #"{"status": "active"}"#).status == 200)
            #expect(try shared.request("PUT", "/api/tickets/2/status", headers: json + Self.staffAPI, text: #"{"status": "active"}"#).status == 200)
            #expect(try shared.request("PUT", "/api/tickets/2/status", headers: json + Self.staffAPI, text: #"{"status": "closed"}"#).status == 200)
            // Read-your-writes on the own gateway itself: its answer waited for its replica.
            let made = try mine.request("POST", "/api/tickets", headers: json + [("X-CampusDesk-Reporter-Key", Self.key)], text: #"{"description": "Broken chair in room 12"}"#)
            #expect(made.status == 201, "\(made.status) \(made.text.prefix(300))")
            #expect(try mine.request("GET", "/api/tickets/5", headers: Self.staffAPI).text.contains("Broken chair in room 12"))

            // The changes through the other gateway reach the replica (no read-your-writes promise across gateways).
            try await eventually("the own gateway's replica to have ticket 2 closed", within: .seconds(30)) {
                try mine.request("GET", "/api/tickets?status=closed", headers: Self.staffAPI).text.contains("Wifi down in the library")
            }
            for path in Self.sameBody {
                let (a, b) = (try shared.request("GET", path, headers: Self.staffAPI), try mine.request("GET", path, headers: Self.staffAPI))
                #expect(a.status == 200 && b.status == a.status && b.text == a.text, "\(path): shared \(a.status), own \(b.status)\n\(b.text.prefix(300))")
            }
            for path in Self.sameStatus {
                let (a, b) = (try shared.request("GET", path, headers: Self.staffAPI), try mine.request("GET", path, headers: Self.staffAPI))
                #expect(a.status == 200 && b.status == a.status, "\(path): shared \(a.status), own \(b.status)\n\(b.text.prefix(300))")
            }
            for path in Self.pages {
                let (a, b) = (try shared.request("GET", path, headers: Self.staffPage), try mine.request("GET", path, headers: Self.staffPage))
                #expect(a.status < 500 && b.status == a.status, "\(path): shared \(a.status), own \(b.status)\n\(b.text.prefix(300))")
            }
            // The reporter's own list (the campus desk knows a reporter by the browser's key).
            let reporter = [("Cookie", "cd_browser=\(Self.key.replacingOccurrences(of: "-", with: ""))")]
            let (a, b) = (try shared.request("GET", "/api/tickets/my-tickets", headers: reporter), try mine.request("GET", "/api/tickets/my-tickets", headers: reporter))
            #expect(a.status < 500 && b.status == a.status && b.text == a.text, "my-tickets: shared \(a.status) \(a.text.prefix(200)), own \(b.status)")

            // The own gateway never had a file of the worker's data directory open.
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(own.processIdentifier)/fd")
                .compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(own.processIdentifier)/fd/\($0)") }
            #expect(open.contains { $0.hasPrefix(ownData) })
            #expect(!open.contains { $0.hasPrefix(processes.data.path) }, "\(open)")
        }
    }
}
