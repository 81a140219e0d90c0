import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import TestSupport
@testable import NATSBroker

/// The client protocol against a real `nats-server`: publish, subscribe, request/reply, limits, reconnection.
@Suite("NATS connection", .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSConnectionTests {
    static func connect(_ servers: NATSServerProcess...) throws -> NATSConnection {
        try NATSConnection(options: NATSConnectionOptions(servers: servers.map { NATSServerAddress(host: "127.0.0.1", port: $0.port) },
                                                          requestTimeout: TestTime.scaled(.seconds(5))))
    }

    @Test("request/reply through the one inbox: each reply reaches its request")
    func requestReply() throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let responder = try Self.connect(server)
        let client = try Self.connect(server)
        defer { responder.close(); client.close() }
        _ = try responder.subscribe("svc.double") { m in
            let n = Int(String(decoding: m.payload, as: UTF8.self)) ?? -1
            if let reply = m.replyTo { try? responder.publish(reply, payload: Array("\(n * 2)".utf8)) }
        }
        try responder.flush()
        for i in 1...20 {
            let reply = try client.request("svc.double", payload: Array("\(i)".utf8))
            #expect(String(decoding: reply.payload, as: UTF8.self) == "\(i * 2)")
        }
        #expect(client.maxPayload == 1_048_576, "max_payload comes from INFO")
    }

    @Test("a request nobody listens to is .noResponders; an oversized publish is .tooLarge")
    func noRespondersAndTooLarge() throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let client = try Self.connect(server)
        defer { client.close() }
        #expect { _ = try client.request("nobody.here", payload: []) } throws: { ($0 as? NATSError)?.kind == .noResponders }
        #expect { try client.publish("x", payload: [UInt8](repeating: 1, count: client.maxPayload + 1)) } throws: {
            ($0 as? NATSError)?.kind == .tooLarge
        }
    }

    @Test("no server of the list answers: a clear error, not a hang")
    func nothingListening() throws {
        let port = try NATSServerProcess.freePort()
        #expect { _ = try NATSConnection(options: NATSConnectionOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: port)],
                                                                        connectTimeout: .milliseconds(300))) } throws: {
            ($0 as? NATSError)?.kind == .connectionFailed
        }
    }

    @Test("a server that accepts the connection and says nothing (stopped, not dead): the next of the list is tried after the connect timeout")
    func silentServerIsPassedOver() throws {
        // A listening socket nobody accepts from: the kernel completes the TCP handshake, no INFO comes.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(silent >= 0)
        defer { Glibc.close(silent) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, len) == 0 && getsockname(silent, $0, &len) == 0 }
        } && listen(silent, 8) == 0
        #expect(listening)
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        // Before the handshake honoured its deadline, the reader thread waited in recv on the
        // silent server for good and the connection failed without trying the second server.
        let client = try NATSConnection(options: NATSConnectionOptions(
            servers: [NATSServerAddress(host: "127.0.0.1", port: UInt16(bigEndian: addr.sin_port)), NATSServerAddress(host: "127.0.0.1", port: server.port)],
            connectTimeout: TestTime.scaled(.seconds(1))))
        defer { client.close() }
        #expect(client.connectedServer?.port == server.port)
    }

    @Test("the server goes: the connection moves to the next of the list and subscribes again")
    func reconnectAndResubscribe() async throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let first = try NATSServerProcess(storeDirectory: dir.path("a"))
        let second = try NATSServerProcess(storeDirectory: dir.path("b"))
        let client = try Self.connect(first, second)
        defer { client.close() }
        let got = Mutex<[String]>([])
        _ = try client.subscribe("news") { m in got.withLock { $0.append(String(decoding: m.payload, as: UTF8.self)) } }
        try client.flush()
        #expect(client.connectedServer?.port == first.port)
        first.stop(kill9: true)
        try await eventually("the client to reconnect to the second server") { client.connectedServer?.port == second.port }
        try client.flush()
        let publisher = try Self.connect(second)
        defer { publisher.close() }
        try publisher.publish("news", payload: Array("after".utf8))
        try await eventually("the resubscribed handler to get the message") { got.withLock { $0 } == ["after"] }
        #expect(client.reconnects == 1)
    }
}
