import Foundation
import HTTPServer
import Synchronization
import Testing

/// Lets the test hold a handler in flight and release it later.
final class Gate: Sendable {
    private struct State {
        var open = false
        var entered = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var entered: Int { state.withLock { $0.entered } }

    func pass() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s in
                s.entered += 1
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}

@Suite("Server (live, port 0)")
struct ServerLiveTests {
    @Test func liveServer_KeepAlivePipeliningHostileDeadlineCapAndGracefulShutdown() async throws {
        let gate = Gate()
        let logs = LogSink()
        var router = Router()
        router.get("/hello") { _ in HTTPResponse(status: .ok, contentType: "text/plain", body: "hello") }
        router.post("/echo") { r in HTTPResponse(status: .ok, contentType: "text/plain", body: String(decoding: r.body, as: UTF8.self)) }
        router.get("/slow") { _ in
            await gate.pass()
            return HTTPResponse(status: .ok, contentType: "text/plain", body: "slow done")
        }
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, headerTimeout: .milliseconds(300), idleTimeout: .seconds(60),
            maxConnections: 4, shutdownGrace: .seconds(30), log: logs.handler)
        let server = try Server(configuration: configuration, handler: router.handler)
        #expect(server.port != 0)
        async let running: Void = server.run()
        do {
            try await exercise(server, gate: gate)
        } catch {
            gate.open()
            server.shutdown()
            await running
            throw error
        }
        await running
        #expect(server.connectionCount == 0)
        #expect(logs.lines.contains { $0.hasPrefix("info server shutting down") })
    }

    private func exercise(_ server: Server, gate: Gate) async throws {
        let port = server.port

        // Keep-alive: two requests on one connection.
        let a = try TestClient(port: port)
        try await a.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try await a.readResponse()
        #expect(first.status == 200)
        #expect(first.body == "hello")
        #expect(first.header("Date") != nil)
        #expect(first.header("Connection") == nil)
        try await a.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping")
        #expect(try await a.readResponse().body == "ping")

        // Pipelining: three requests in one write, answered in order.
        try await a.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ntwoHEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await a.readResponse().body == "hello")
        #expect(try await a.readResponse().body == "two")
        let head = try await a.readResponse(bodyless: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "5")
        // The next bytes must be the 404's status line, proving HEAD sent no body.
        let notFound = try await a.readResponse()
        #expect(notFound.status == 404)

        // A hostile request on the keep-alive connection: 400, Connection: close, then closed.
        try await a.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        let refused = try await a.readResponse()
        #expect(refused.status == 400)
        #expect(refused.header("Connection") == "close")
        #expect(try await a.waitForClose())

        // Every hostile case of the parser table, each on its own connection.
        for c in hostileCases {
            let client = try TestClient(port: port)
            try await client.send(c.bytes)
            let response = try await client.readResponse()
            #expect(response.status == c.status, "\(c.name)")
            #expect(response.header("Connection") == (c.closes ? "close" : nil), "\(c.name)")
            #expect(try await client.waitForClose() == c.closes, "\(c.name)")
        }

        // Header deadline: a request head that never completes gets 408 and is closed.
        let slowloris = try TestClient(port: port)
        try await slowloris.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
        let timedOut = try await slowloris.readResponse()
        #expect(timedOut.status == 408)
        #expect(try await slowloris.waitForClose())

        // Connection cap (4): four held connections, the fifth is answered 503 and closed.
        try await eventually("connections to drain") { server.connectionCount == 0 }
        var held: [TestClient] = []
        for _ in 0..<4 {
            let client = try TestClient(port: port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
            held.append(client)
        }
        let extra = try TestClient(port: port)
        #expect(try await extra.readResponse().status == 503)
        #expect(try await extra.waitForClose())
        held.removeAll()
        try await eventually("held connections to close") { server.connectionCount == 0 }

        // Graceful shutdown with a slow handler in flight and an idle keep-alive connection.
        let idle = try TestClient(port: port)
        try await idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await idle.readResponse().status == 200)
        let slow = try TestClient(port: port)
        try await slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        try await eventually("the slow handler to start") { gate.entered == 1 }
        server.shutdown()
        #expect(try await idle.waitForClose())
        try await eventually("the listener to close") {
            do {
                _ = try TestClient(port: port)
                return false
            } catch let error as SocketError {
                return error.errno == ECONNREFUSED
            }
        }
        gate.open()
        let finished = try await slow.readResponse()
        #expect(finished.status == 200)
        #expect(finished.body == "slow done")
        #expect(finished.header("Connection") == "close")
        #expect(try await slow.waitForClose())
    }
}
