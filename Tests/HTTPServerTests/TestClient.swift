import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A response as the client saw it on the wire.
struct WireResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// A raw-socket HTTP client for the live test. Waits by polling with a deadline, yielding
/// between attempts so the cooperative pool stays free for the server's handlers.
final class TestClient {
    let socket: Socket
    private var buffer: [UInt8] = []
    private(set) var sawEOF = false

    init(port: UInt16) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port)
    }

    deinit { socket.close() }

    /// Sends everything; stops quietly if the server already closed (it may answer early).
    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws {
        var offset = 0
        let deadline = Date().addingTimeInterval(10)
        while offset < bytes.count {
            let n: Int
            do {
                n = try bytes.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            } catch let error as SocketError where error.errno == EPIPE || error.errno == ECONNRESET {
                return
            }
            offset += n
            if n == 0 {
                guard Date() < deadline else { throw TestTimeout(what: "send") }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// Reads until one complete response is buffered and returns it.
    func readResponse(within seconds: Double = 60, bodyless: Bool = false) async throws -> WireResponse {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let response = takeResponse(bodyless: bodyless) { return response }
            guard try await fill(until: deadline) else { throw TestTimeout(what: "a response (EOF after \(buffer.count) bytes)") }
        }
    }

    /// Waits until the server closes the connection; true if it did (with no further bytes).
    func waitForClose(within seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !sawEOF {
            _ = try await fill(until: deadline)
        }
        return buffer.isEmpty
    }

    /// Reads some bytes; false on EOF.
    private func fill(until deadline: Date) async throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let result: SocketReceive
            do {
                result = try chunk.withUnsafeMutableBytes { try socket.receive(into: $0) }
            } catch let error as SocketError where error.errno == ECONNRESET {
                sawEOF = true
                return false
            }
            switch result {
            case .bytes(let n):
                buffer += chunk[0..<n]
                return true
            case .closed:
                sawEOF = true
                return false
            case .wouldBlock:
                guard Date() < deadline else { throw TestTimeout(what: "bytes from the server") }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    private func takeResponse(bodyless: Bool) -> WireResponse? {
        let crlf2: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<($0 + 4)]) == crlf2 }) else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let length = bodyless ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        return WireResponse(status: Int(statusLine[1]) ?? 0, headers: headers, body: body)
    }
}

/// Polls `condition` until it holds or the deadline passes.
func eventually(_ what: String, within seconds: Double = 60, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw TestTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}
