import Domain
import Foundation
import HTTPServer
import Logging
import ServiceLifecycle
import Testing
import TestSupport
import TicketStore
import WebGateway

/// A read stopped at the reader's time limit (scaling finding 8) answers 503 "took too long" with
/// `Retry-After`, as a page and as a problem, never 500; the gateway then answers the next request.
/// The search is slow by its data (3,000 matches) against a zero limit, which stops it at SQLite's
/// first clock check; nothing here is timed.
// On threads of its own: it blocks one for seconds (imports, long statements, thousands of parses),
// which on the two-thread cooperative pool starved other suites' deadlines (a CI run lost 60 s).
@Suite(.onDedicatedThreads) struct SlowReadTests {
    @Test("a search past the limit: 503 with Retry-After and the narrowing advice, page and API; then short pages answer")
    func interruptedSearchAnswers503() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tickets.db")
        let store = try TicketStore(path: path, classifier: TunableClassifier(), clock: SystemClock(), synchronous: .normal)
        let base = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        _ = try await store.apply((0..<3_000).map { i in
            Command(role: .agent, action: .importTicket(ImportTicket(
                description: "Projector \(i) flickers in lecture hall \(i % 40)", location: "Hall \(i % 40)", status: .open,
                openedAt: base.adding(milliseconds: Int64(i) * 1_000), closedAt: nil)))
        })
        // Imports wait for the background full-text pass; run it so the search finds them all.
        _ = try await store.indexSearchBacklog(limit: 10_000)
        let reader = try TicketReader(path: path, queryTimeLimit: .zero)
        let handler = StartingUpTests.gateway(reader)

        let api = await handler(HTTPRequest(method: .get, target: "/api/tickets?q=projector",
                                            headers: HTTPHeaders([("Host", "x"), ("X-CampusDesk-Role", "staff")]), body: []))
        let apiText = String(decoding: api.body, as: UTF8.self)
        #expect(api.status == .serviceUnavailable, "\(apiText.prefix(300))")
        #expect(api.headers["Retry-After"] == "10")
        #expect(api.headers["Content-Type"]?.hasPrefix("application/problem+json") == true)
        #expect(apiText.contains("took too long; narrow it with a status, category or more words"))

        let page = await handler(HTTPRequest(method: .get, target: "/tickets?q=projector",
                                             headers: HTTPHeaders([("Host", "x"), ("Cookie", "cd_role=staff; cd_browser=\(String(repeating: "0123456789abcdef", count: 2))")]), body: []))
        let pageText = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == .serviceUnavailable, "\(pageText.prefix(300))")
        #expect(page.headers["Retry-After"] == "10")
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(pageText.contains("took too long; narrow it with a status, category or more words"))

        // The connections went back to the pool: a short read (under SQLite's first check) answers.
        #expect(try await reader.counts()[.open] == 3_000)
        #expect((await handler(HTTPRequest(method: .get, target: "/healthz", headers: HTTPHeaders([("Host", "x")]), body: []))).status == .ok)
    }

    @Test("CAMPUSDESK_QUERY_TIME_LIMIT_MS: 5000 by default, 0 for none, anything else out of range refused")
    func queryTimeLimitConfiguration() throws {
        #expect(try Configuration.fromEnvironment([:]).queryTimeLimit == .milliseconds(5_000))
        #expect(try Configuration.fromEnvironment(["CAMPUSDESK_QUERY_TIME_LIMIT_MS": "1500"]).queryTimeLimit == .milliseconds(1_500))
        #expect(try Configuration.fromEnvironment(["CAMPUSDESK_QUERY_TIME_LIMIT_MS": "0"]).queryTimeLimit == nil)
        for bad in ["-1", "2s", "3600001"] {
            #expect(throws: ConfigurationError.invalid("CAMPUSDESK_QUERY_TIME_LIMIT_MS", bad)) {
                try Configuration.fromEnvironment(["CAMPUSDESK_QUERY_TIME_LIMIT_MS": bad])
            }
        }
    }
}
