import Foundation
import HTTPServer
import SpoolBroker
import Analytics
import Supervisor
#if canImport(Glibc)
import Glibc
#endif

/// One blocking keep-alive HTTP/1.1 connection for the benchmarks, used by one thread at a time.
///
/// Why hand-made: a bench must add as little as possible to what it measures, and the gateway
/// always answers with `Content-Length` (no chunked responses), so reading the head and that many
/// body bytes is the whole protocol needed.
final class BenchHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Socket
    private let host: String
    /// The server answered `Connection: close`; open a new client for the next request.
    private(set) var closed = false
    private var buffer: [UInt8] = []
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)

    init(host: String = "127.0.0.1", port: UInt16) throws {
        socket = try Socket.connect(host: host, port: port)
        try? socket.setNoDelay()
        self.host = "\(host):\(port)"
    }

    deinit { chunk.deallocate() }

    func close() { socket.close() }

    /// Sends one request and reads its whole answer.
    /// - Parameter headers: extra header lines, each ending in CRLF.
    func request(_ method: String, _ path: String, headers: String = "", body: [UInt8] = []) throws -> (status: Int, body: [UInt8]) {
        var request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)".utf8)
        if !body.isEmpty { request += Array("Content-Length: \(body.count)\r\n".utf8) }
        request += [13, 10] + body
        var offset = 0
        while offset < request.count {
            let n = try request.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if n == 0 { _ = try socket.poll(Int16(POLLOUT), milliseconds: 1_000) }
            offset += n
        }
        var head: (status: Int, length: Int, close: Bool)?
        while true {
            if head == nil { head = try parseHead() }
            if let h = head, buffer.count >= h.length {
                let answer = Array(buffer[0..<h.length])
                buffer.removeFirst(h.length)
                if h.close { closed = true }
                return (h.status, answer)
            }
            guard try socket.poll(Int16(POLLIN), milliseconds: 30_000) else { throw Failure(description: "no answer within 30 s") }
            switch try socket.receive(into: chunk) {
            case .bytes(let n): buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            case .wouldBlock: continue
            case .closed: throw Failure(description: "connection closed by the gateway")
            }
        }
    }

    /// When the head is buffered: removes it and returns the status, the body length and `Connection: close`.
    private func parseHead() throws -> (Int, Int, Bool)? {
        guard buffer.count >= 4, let at = (0...(buffer.count - 4)).first(where: {
            buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
        }) else { return nil }
        let lines = String(decoding: buffer[0..<at], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first.map(String.init) ?? ""
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw Failure(description: "bad status line: \(statusLine.prefix(80))")
        }
        var length = 0
        var close = false
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0 }
            if lower.hasPrefix("connection:") && lower.contains("close") { close = true }
        }
        buffer.removeFirst(at + 4)
        return (status, length, close)
    }
}
