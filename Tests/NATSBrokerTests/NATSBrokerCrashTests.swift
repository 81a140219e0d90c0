import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// What survives on NATS: a consumer that dies mid-batch, and the server itself restarting.
@Suite("NATS broker crashes", .serialized, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSBrokerCrashTests {
    static let work = QueueName.commands

    static func broker(_ server: NATSServerProcess, name: String, lease: Duration = .seconds(1)) throws -> NATSMessageBroker {
        var configuration = try NATSBrokerConfiguration(url: server.url, name: name)
        configuration.lease = lease
        configuration.connection.requestTimeout = TestTime.scaled(.seconds(5))
        return try NATSMessageBroker(configuration: configuration)
    }

    static func envelopes(_ range: ClosedRange<Int>) throws -> [Envelope] {
        try range.map { try Envelope(type: "t", body: ["n": $0], sentAt: SystemClock().now()) }
    }

    /// Applies what `consumer` claims (recording each id once, a second time as a duplicate) until `done`.
    static func drain(_ consumer: any MessageConsumer, into applied: inout [EnvelopeID: Int], until done: ([EnvelopeID: Int]) -> Bool) async throws {
        var seen = applied
        try await eventually("every message to be applied") {
            for d in try consumer.claim(max: 16) {
                seen[d.envelope.id, default: 0] += 1
                try consumer.ack(d)
            }
            return done(seen)
        }
        applied = seen
    }

    @Test("a consumer killed mid-batch: what it acked stays done, what it held comes back once")
    func consumerKilledMidBatch() async throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let sender = try Self.broker(server, name: "sender")
        defer { sender.close() }
        let sent = try Self.envelopes(1...100)
        try sender.send(sent, to: Self.work)

        let victim = try Self.broker(server, name: "victim")
        let doomed = try victim.consumer(of: Self.work)
        let batch = try doomed.claim(max: 30)
        #expect(batch.count == 30)
        var applied: [EnvelopeID: Int] = [:]
        for d in batch.prefix(10) {
            try doomed.ack(d)
            applied[d.envelope.id, default: 0] += 1
        }
        // Killed: the socket goes with no NAK, no ack, nothing more (what kill -9 leaves behind).
        victim.connection.dropSocket()
        victim.close()

        let survivor = try Self.broker(server, name: "survivor")
        defer { survivor.close() }
        let consumer = try survivor.consumer(of: Self.work)
        try await Self.drain(consumer, into: &applied) { $0.count == sent.count }
        #expect(Set(applied.keys) == Set(sent.map(\.id)), "nothing acknowledged or sent is lost")
        #expect(applied.values.allSatisfy { $0 == 1 }, "nothing is applied twice")
        let stats = try consumer.stats()
        #expect(stats.waiting == 0 && stats.claimed == 0 && stats.dead == 0)
        withExtendedLifetime(doomed) {}
    }

    @Test("nats-server restarts mid-run: PubAck'ed messages are delivered after it, the client reconnects",
          arguments: [false, true])
    func serverRestart(kill9: Bool) async throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let broker = try Self.broker(server, name: "restart", lease: .seconds(30))
        defer { broker.close() }
        let before = try Self.envelopes(1...50)
        try broker.send(before, to: Self.work)
        let consumer = try broker.consumer(of: Self.work)
        var applied: [EnvelopeID: Int] = [:]
        for d in try consumer.claim(max: 10) {
            try consumer.ack(d)
            applied[d.envelope.id, default: 0] += 1
        }

        server.stop(kill9: kill9)
        try server.start()
        // This send waits for the reconnection, then for its PubAcks.
        let after = try Self.envelopes(51...80)
        try broker.send(after, to: Self.work)
        try await Self.drain(consumer, into: &applied) { $0.count == before.count + after.count }
        #expect(Set(applied.keys) == Set((before + after).map(\.id)))
        #expect(applied.values.allSatisfy { $0 == 1 })
        #expect(broker.connection.reconnects >= 1)
    }

    @Test("a re-sent message with the same envelope id is stored once (Nats-Msg-Id)")
    func deduplication() throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let broker = try Self.broker(server, name: "dedup")
        defer { broker.close() }
        let one = try Self.envelopes(1...1)
        try broker.send(one, to: Self.work)
        try broker.send(one, to: Self.work)
        let consumer = try broker.consumer(of: Self.work)
        #expect(try consumer.stats().waiting == 1)
        #expect(try consumer.claim(max: 10).map(\.envelope.id) == one.map(\.id))
    }

    @Test("a message that is not an envelope is dead-lettered with its reason; stats count it")
    func undecodable() throws {
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let broker = try Self.broker(server, name: "garbage")
        defer { broker.close() }
        let consumer = try broker.consumer(of: Self.work)
        let reply = try broker.connection.request(NATSNames.subject(Self.work), payload: Array("not json".utf8))
        #expect(reply.headers.status == nil)
        #expect(try consumer.claim(max: 10).isEmpty)
        let dead = try consumer.deadLetters()
        #expect(dead.count == 1 && dead.first?.reason.hasPrefix("malformed JSON") == true)
        #expect(try consumer.stats().dead == 1)
    }
}
