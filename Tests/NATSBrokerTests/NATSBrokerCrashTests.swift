import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// What survives on NATS: a consumer that dies mid-batch, and the server itself restarting.
/// On dedicated threads: every call blocks its thread on a socket round trip (docs/reliability.md).
@Suite("NATS broker crashes", .serialized, .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
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
        try await eventually("every message to be applied", within: .seconds(60)) {
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

    @Test("consumer processes killed with SIGKILL mid-batch: every message applied, none after its ack, none acked twice")
    func consumerProcessesKilled() async throws {
        let binary = BuiltProduct.path("campusdesk-test-process")
        #expect(FileManager.default.isExecutableFile(atPath: binary), "run swift build --build-tests first")
        let dir = try TemporaryDirectory("nats")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let sender = try Self.broker(server, name: "sender")
        defer { sender.close() }
        _ = try sender.consumer(of: Self.work)  // the queue and its consumer, with the 1 s lease
        let effects = dir.path("effects")
        let args = ["queue-consumer", "--nats", server.url, "--queue", Self.work.rawValue, "--effects", effects,
                    "--batch", "8", "--lease-ms", "1000", "--record-acks", "1"]
        func spawn() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        var consumers = try (0..<3).map { _ in try spawn() }
        var sent = Set<String>()
        var kills = 0
        var random = SplitMix64(seed: 19)
        for round in 0..<60 {
            let batch = try Self.envelopes((round * 20 + 1)...(round * 20 + 20))
            try sender.send(batch, to: Self.work)
            sent.formUnion(batch.map(\.id.rawValue))
            if random.next() % 4 == 0 {
                let victim = Int(random.next() % 3)
                kill(consumers[victim].processIdentifier, SIGKILL)
                try await consumers[victim].waitForExit()
                consumers[victim] = try spawn()
                kills += 1
            }
        }
        #expect(kills > 5)
        let consumer = try sender.consumer(of: Self.work)
        try await eventually("the survivors to drain the queue", within: .seconds(60)) { lastSeen in
            let s = try consumer.stats()
            lastSeen = "\(s.waiting) waiting, \(s.claimed) claimed"
            return s.waiting == 0 && s.claimed == 0
        }
        for c in consumers {
            kill(c.processIdentifier, SIGKILL)
            try await c.waitForExit()
        }
        let lines = ((try? String(contentsOfFile: effects, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        var acked: [String: Int] = [:]
        var appliedAfterAck: [String] = []
        var applied = Set<String>()
        for line in lines {
            if line.hasPrefix("acked ") {
                acked[String(line.dropFirst(6)), default: 0] += 1
            } else {
                if acked[line] != nil { appliedAfterAck.append(line) }
                applied.insert(line)
            }
        }
        #expect(applied == sent, "missing \(sent.subtracting(applied).count), unexpected \(applied.subtracting(sent).count)")
        #expect(appliedAfterAck.isEmpty, "an acknowledged message came back: \(appliedAfterAck.prefix(3))")
        #expect(acked.values.allSatisfy { $0 == 1 }, "a message was acknowledged twice")
        #expect(try consumer.stats().dead == 0)
    }
}
