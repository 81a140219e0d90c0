import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// Three `nats-server -js` nodes as one cluster, streams with three replicas, a node killed with
/// SIGKILL under load: what a producer was acknowledged for is delivered, and what a consumer
/// acknowledged does not come back.
@Suite("NATS three-node cluster", .serialized, .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSClusterTests {
    static let work = QueueName.commands

    @Test("replicas=N in the URL sets the replica count; other options are refused")
    func replicasFromURL() throws {
        #expect(try NATSBrokerConfiguration(url: "nats://a:1,b:2?replicas=3").replicas == 3)
        #expect(try NATSBrokerConfiguration(url: "nats://a:1,b:2?replicas=3").connection.servers.map(\.description) == ["a:1", "b:2"])
        #expect(try NATSBrokerConfiguration(url: "nats://a:1").replicas == 1)
        #expect(throws: NATSError.self) { try NATSBrokerConfiguration(url: "nats://a:1?replicas=9") }
        #expect(throws: NATSError.self) { try NATSBrokerConfiguration(url: "nats://a:1?tls=1") }
    }

    @Test("a node of three killed with SIGKILL under load: nothing acknowledged lost, nothing acked comes back")
    func nodeKilledUnderLoad() async throws {
        let binary = BuiltProduct.path("campusdesk-test-process")
        #expect(FileManager.default.isExecutableFile(atPath: binary), "run swift build --build-tests first")
        let dir = try TemporaryDirectory("nats-cluster")
        defer { dir.remove() }
        let nodes = try NATSServerProcess.cluster(3, directory: dir.path("nodes"))
        defer { for n in nodes { n.stop(kill9: true) } }
        let url = "nats://" + nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "?replicas=3"

        // JetStream answers once the nodes have elected a meta leader; the queue is made with 3 replicas.
        var sender: NATSMessageBroker?
        try await eventually("the cluster to elect a JetStream meta leader and make the queue", within: .seconds(60), poll: .milliseconds(250)) { lastSeen in
            do {
                var configuration = try NATSBrokerConfiguration(url: url, name: "sender")
                configuration.connection.requestTimeout = TestTime.scaled(.seconds(5))
                let broker = try NATSMessageBroker(configuration: configuration)
                _ = try broker.consumer(of: Self.work)
                sender = broker
                return true
            } catch {
                lastSeen = "\(error)"
                return false
            }
        }
        guard let sender else { return }
        defer { sender.close() }
        let info = try #require(try sender.api.streamInfo(NATSNames.stream(Self.work)))
        #expect(((info["config"] as? [String: Any])?["num_replicas"] as? Int) == 3)
        let leader = try #require(((info["cluster"] as? [String: Any])?["leader"] as? String))

        let effects = dir.path("effects")
        let args = ["queue-consumer", "--nats", url, "--queue", Self.work.rawValue, "--effects", effects,
                    "--batch", "8", "--lease-ms", "3000", "--record-acks", "1"]
        func spawn() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // Consumers exit on an error they cannot ride out (a claim during the election): restarted, as a supervisor would.
        var consumers = try (0..<2).map { _ in try spawn() }
        func respawnExited() throws {
            for i in consumers.indices where !consumers[i].isRunning { consumers[i] = try spawn() }
        }

        var sent = Set<String>()
        var failedSends = 0  // 2 in the runs of 2026-12-04 (the stream leader n3 killed; 0 to 2 messages applied twice, each after an ack that did not return)
        for round in 0..<60 {
            let batch = try (1...20).map { try Envelope(type: "t", body: ["n": round * 20 + $0], sentAt: SystemClock().now()) }
            // A send that throws is sent again with the same ids (the stream drops what it had), as callers do.
            while true {
                do {
                    try sender.send(batch, to: Self.work)
                    break
                } catch {
                    failedSends += 1
                    try await Task.sleep(for: .milliseconds(200))  // sleep-ok: a caller's backoff before re-sending while the cluster elects a leader
                }
            }
            sent.formUnion(batch.map(\.id.rawValue))
            if round == 20 {
                // The stream's leader: the node whose loss forces an election of the queue.
                let victim = try #require(nodes.indices.first { "n\($0 + 1)" == leader })
                nodes[victim].stop(kill9: true)
            }
            try respawnExited()
        }

        let reader = sender
        try await eventually("the consumers to drain the queue on the two nodes left", within: .seconds(120), poll: .milliseconds(200)) { lastSeen in
            try respawnExited()
            let s = try NATSConsumer.stats(broker: reader, queue: Self.work)
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
        var applied: [String: Int] = [:]
        for line in lines {
            if line.hasPrefix("acked ") {
                acked[String(line.dropFirst(6)), default: 0] += 1
            } else {
                if acked[line] != nil { appliedAfterAck.append(line) }
                applied[line, default: 0] += 1
            }
        }
        #expect(Set(applied.keys) == sent, "missing \(sent.subtracting(applied.keys).count), unexpected \(Set(applied.keys).subtracting(sent).count)")
        #expect(appliedAfterAck.isEmpty, "an acknowledged message came back: \(appliedAfterAck.prefix(3))")
        #expect(acked.values.allSatisfy { $0 == 1 }, "a message was acknowledged twice")
        // Applied twice only when the first ack did not return (a consumer that died in the election).
        #expect(applied.filter { $0.value > 1 }.keys.allSatisfy { acked[$0] == 1 })
        #expect(try NATSConsumer.stats(broker: sender, queue: Self.work).dead == 0)
    }
}
