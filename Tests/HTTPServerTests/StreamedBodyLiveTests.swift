import Foundation
import HTTPServer
import Synchronization
import Testing
import TestSupport

/// What a test sink saw, shared with the test (the sink itself lives on the event loop thread).
final class SinkLedger: Sendable {
    struct State {
        var bytes = 0
        var largestChunk = 0
        var finished = 0
        var abandoned = 0
    }
    let state = Mutex(State())
    var snapshot: State { state.withLock { $0 } }
}

/// Counts the body; refuses with 413 once more than `refuseAfter` bytes came.
final class CountingSink: RequestBodySink {
    let ledger: SinkLedger
    let refuseAfter: Int
    var count = 0

    init(ledger: SinkLedger, refuseAfter: Int) {
        self.ledger = ledger
        self.refuseAfter = refuseAfter
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(BodyRefusal) {
        count += bytes.count
        ledger.state.withLock { s in
            s.bytes += bytes.count
            s.largestChunk = max(s.largestChunk, bytes.count)
        }
        if count > refuseAfter { throw BodyRefusal(HTTPResponse(status: .contentTooLarge, contentType: "text/plain", body: "too big")) }
    }

    func finish() throws(BodyRefusal) -> any Sendable {
        ledger.state.withLock { $0.finished += 1 }
        return count
    }

    func abandon() { ledger.state.withLock { $0.abandoned += 1 } }
}

/// Streamed bodies through a live server: larger bodies on the streaming route only, fed to the
/// sink in chunks as they arrive, refused early without reading the rest.
@Suite("Streamed bodies (live, port 0)", .onDedicatedThreads)
struct StreamedBodyLiveTests {
    static let limit = 8 * 1024 * 1024

    func withServer(refuseAfter: Int = Int.max, _ body: (UInt16, SinkLedger) async throws -> Void) async throws {
        let ledger = SinkLedger()
        var router = Router()
        router.post("/upload") { r in
            let n = r.streamedBody?.value as? Int ?? -1
            return HTTPResponse(status: .ok, contentType: "text/plain", body: "got \(n) in memory \(r.body.count)")
        }
        router.post("/echo") { r in HTTPResponse(status: .ok, contentType: "text/plain", body: "\(r.body.count)") }
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, limits: HTTPParserLimits(maxBodyBytes: 4096))
        configuration.streamingBody = { head in
            guard head.method == .post, head.path == "/upload" else { return nil }
            return StreamingBody(maxBodyBytes: Self.limit) { _ in CountingSink(ledger: ledger, refuseAfter: refuseAfter) }
        }
        let server = try Server(configuration: configuration, handler: router.handler)
        async let running: Void = server.run()
        do {
            try await body(server.port, ledger)
        } catch {
            server.shutdown()
            await running
            throw error
        }
        server.shutdown()
        await running
    }

    @Test("a 3 MB body streams into the sink in chunks; the handler gets the sink's value and an empty body")
    func streamedRoute_TakesLargeBodyInChunks() async throws {
        try await withServer { port, ledger in
            let client = try RawHTTPClient.connected(port: port)
            let body = [UInt8](repeating: 0x61, count: 3 * 1024 * 1024)
            let response = try client.request("POST", "/upload", headers: [("Content-Type", "application/octet-stream")], body: body)
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "got \(body.count) in memory 0")
            let seen = ledger.snapshot
            #expect(seen.bytes == body.count && seen.finished == 1 && seen.abandoned == 0)
            // Never more than one read of the loop (64 KiB) at a time.
            #expect(seen.largestChunk <= 64 * 1024)
            // The keep-alive connection serves the next request.
            #expect(try client.request("POST", "/echo", body: [1, 2, 3]).status == 200)
        }
    }

    @Test("other routes keep their limit; a Content-Length over the streaming limit is 413 before any body byte")
    func limits_PerRoute() async throws {
        try await withServer { port, ledger in
            let other = try RawHTTPClient.connected(port: port)
            #expect(try other.request("POST", "/echo", body: [UInt8](repeating: 1, count: 5000)).status == 413)
            let big = try RawHTTPClient.connected(port: port)
            try big.sendRaw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.limit + 1)\r\n\r\n")
            #expect(try big.readResponse().status == 413)
            #expect(ledger.snapshot.bytes == 0)
        }
    }

    @Test("a sink's refusal is answered at once: 413 arrives while most of the body is still unsent, and the sink is abandoned")
    func refusal_AnsweredBeforeTheBodyEnds() async throws {
        try await withServer(refuseAfter: 1024 * 1024) { port, ledger in
            let client = try RawHTTPClient.connected(port: port)
            let total = 7 * 1024 * 1024
            try client.sendRaw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(total)\r\n\r\n")
            // 1.5 MB of 7 MB: the server must answer now, with 5.5 MB never sent.
            try client.sendRaw([UInt8](repeating: 0x62, count: 1536 * 1024), toleratingClose: true)
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection")?.lowercased() == "close")
            let seen = ledger.snapshot
            #expect(seen.bytes < total && seen.finished == 0 && seen.abandoned == 1)
        }
    }

    @Test("a client that hangs up mid-body leaves the sink abandoned, not finished")
    func peerGone_Abandons() async throws {
        try await withServer { port, ledger in
            let client = try RawHTTPClient.connected(port: port)
            try client.sendRaw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            try client.sendRaw([UInt8](repeating: 0x63, count: 50_000))
            client.close()
            try await eventually("the sink is abandoned") { ledger.snapshot.abandoned == 1 }
            #expect(ledger.snapshot.finished == 0)
        }
    }
}
