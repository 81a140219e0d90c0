import Foundation
import NATSBroker
import SpoolBroker
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// An analytics worker that misses an event on NATS asks the ticket worker for a replay, and
    /// the replay reaches it even though its events were first sent a moment before (inside the
    /// streams' two-minute duplicate window, where a replay under the same `Nats-Msg-Id` was
    /// dropped: docs/nats.md, "Replays dropped as duplicates").
    @Suite(.enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    struct NATSReplayEndToEndTests {
        @Test("on NATS: an event lost before an analytics worker read it is replayed to it, and its panel agrees with tickets.db")
        func lostEventIsReplayed() async throws {
            let store = try TemporaryDirectory("nats-replay")
            defer { store.remove() }
            let server = try NATSServerProcess(storeDirectory: store.path("jetstream"))
            let system = try CampusDeskSystem(environment: ["CAMPUSDESK_BROKER": server.url])
            try await system.start(within: .seconds(120))
            defer { system.stop() }
            try await system.processes.waitForHTTP("/readyz", status: 200, within: .seconds(120))
            let api = RawHTTPClient(port: system.port)
            defer { api.close() }
            func report(_ n: Int) throws {
                let r = try api.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                        text: #"{"description":"the projector in room \#(n) flickers","location":"Room \#(n)"}"#)
                #expect(r.status == 201, "\(r.text)")
            }
            try report(0)
            try await system.waitForAnalyticsToAgree(within: .seconds(60))

            // The open-tickets worker stopped: the next events wait in its stream.
            let queue = try QueueName("events.open-tickets")
            let stream = NATSNames.stream(queue)
            #expect(system.signal("open-tickets", SIGSTOP) != nil)
            var resumed = false
            defer { if !resumed { _ = system.signal("open-tickets", SIGCONT) } }
            for n in 1...5 { try report(n) }
            let connection = try NATSConnection(options: NATSConnectionOptions(servers: try NATSServerAddress.list(server.url), name: "test"))
            defer { connection.close() }
            func streamState() throws -> (messages: Int, last: Int) {
                let reply = try connection.request("$JS.API.STREAM.INFO.\(stream)", payload: [], timeout: .seconds(10))
                let info = try #require((try JSONSerialization.jsonObject(with: Data(reply.payload))) as? [String: Any])
                let state = try #require(info["state"] as? [String: Any])
                return (state["messages"] as? Int ?? 0, state["last_seq"] as? Int ?? 0)
            }
            try await eventually("the five reports' events to wait in \(stream)") { lastSeen in
                let s = try streamState()
                lastSeen = "\(s)"
                return s.messages >= 5
            }
            // Lost: the one before the last (the stopped worker's own pull holds at most the first).
            let lost = try streamState().last - 1
            let deleted = try connection.request("$JS.API.STREAM.MSG.DELETE.\(stream)", payload: Array(#"{"seq":\#(lost)}"#.utf8), timeout: .seconds(10))
            #expect(String(decoding: deleted.payload, as: UTF8.self).contains("\"success\":true"), "\(String(decoding: deleted.payload, as: UTF8.self))")

            #expect(system.signal("open-tickets", SIGCONT) != nil)
            resumed = true
            // The worker sees the gap, asks for a replay from it, and the replay is delivered.
            try await system.waitForAnalyticsToAgree(within: .seconds(90))
            let gaps = system.log.split(separator: "\n").filter { $0.contains("event gap") && $0.contains("open-tickets") }
            #expect(!gaps.isEmpty, "the worker never saw the gap: the test did not test the replay")
        }
    }
}
