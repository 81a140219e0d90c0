import Domain
import SpoolBroker
import TicketStore
import Foundation
import HTTPServer
import Testing
import Logging
import ServiceLifecycle
import WebGateway

/// The 503 the gateway answers while `tickets.db` cannot be read, on real files.
@Suite struct StartingUpTests {
    struct NoCommands: CommandSending {
        func send(_ command: Command, timeout: Duration) async -> CommandOutcome { .unavailable(reason: "test") }
    }

    /// A gateway over a reader that opens `path` lazily.
    static func gateway(_ tickets: TicketReader) -> Handler {
        Gateway(configuration: Configuration(timeZoneIdentifier: "UTC"), tickets: tickets, commands: NoCommands(), analytics: FixedAnalytics(),
                readiness: FixedReadiness(checks: [ReadinessCheck(name: "ticket-worker", ready: true)]), csrfSecret: Array("secret".utf8),
                logger: Logger(component: "test", minimumLevel: .error)).handler
    }

    func get(_ handler: Handler, _ path: String) async -> HTTPResponse {
        await handler(HTTPRequest(method: .get, target: path, headers: HTTPHeaders([(name: "Host", value: "x")]), body: []))
    }

    @Test("no database yet: 503 starting with Retry-After; then the pages once the worker has made it")
    func startingThenServing() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-starting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tickets.db").path
        let tickets = TicketReader(openingLazily: path)
        let handler = Self.gateway(tickets)
        #expect(tickets.unavailability == .starting)

        let api = await get(handler, "/api/tickets")
        #expect(api.status == .serviceUnavailable)
        #expect(api.headers["Retry-After"] == "5")
        #expect(String(decoding: api.body, as: UTF8.self).contains("CampusDesk is starting"))
        let page = await get(handler, "/tickets")
        #expect(page.status == .serviceUnavailable && page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect((await get(handler, "/healthz")).status == .ok)
        #expect(page.headers["Content-Security-Policy"] == SecurityHeaders.contentSecurityPolicy)

        _ = try TicketStore(path: path, classifier: TunableClassifier(), clock: SystemClock(), synchronous: .normal)
        #expect(tickets.unavailability == nil)
        #expect((await get(handler, "/api/tickets")).status == .ok)
    }

    @Test("a file that is not a database: 503 that says damaged, no Retry-After")
    func damaged() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tickets.db").path
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
        let tickets = TicketReader(openingLazily: path)
        let handler = Self.gateway(tickets)
        #expect(tickets.unavailability == .damaged)
        let api = await get(handler, "/api/tickets")
        #expect(api.status == .serviceUnavailable)
        #expect(api.headers["Retry-After"] == nil)
        #expect(String(decoding: api.body, as: UTF8.self).contains("damaged"))
        let page = await get(handler, "/")
        #expect(page.status == .serviceUnavailable)
        #expect(String(decoding: page.body, as: UTF8.self).contains("restore it from a backup"))
        #expect((await get(handler, "/readyz")).status == .ok)
    }
}
