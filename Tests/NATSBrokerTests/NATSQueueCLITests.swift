import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// `campusdesk queue …` on a real nats-server: what the operator sees and repairs.
@Suite("campusdesk queue on NATS", .serialized, .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSQueueCLITests {
    static let work = QueueName.commands

    @Test("list, peek, dead, retry and purge read and repair JetStream")
    func listPeekDeadRetryPurge() async throws {
        let dir = try TemporaryDirectory("nats-cli")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let broker = try NATSMessageBroker(url: server.url, name: "cli-test")
        defer { broker.close() }

        var listed = NATSQueueCLI.run(["list"], url: server.url)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("(no queues)"))

        let sent = try (1...5).map { try Envelope(type: "t", body: ["n": $0], sentAt: SystemClock().now()) }
        try broker.send(sent, to: Self.work)
        let consumer = try broker.consumer(of: Self.work)
        let claimed = try consumer.claim(max: 3)
        #expect(claimed.count == 3)
        try consumer.reject(claimed[0], reason: "bad input\nsecond line")  // a header: the newline becomes a space
        try consumer.reject(claimed[1], reason: "also bad")

        listed = NATSQueueCLI.run(["--json", "list"], url: server.url)
        #expect(listed.status == 0)
        #expect(listed.stdout == "[{\"queue\":\"\(Self.work)\",\"waiting\":2,\"claimed\":1,\"dead\":2,\"oldest_age_seconds\":null}]\n")

        // peek: the two never delivered, not the claimed one.
        let peeked = NATSQueueCLI.run(["peek", Self.work.rawValue], url: server.url)
        #expect(peeked.status == 0)
        #expect(peeked.stdout.contains(sent[3].id.rawValue) && peeked.stdout.contains(sent[4].id.rawValue))
        #expect(!peeked.stdout.contains(sent[2].id.rawValue))

        let dead = NATSQueueCLI.run(["dead", Self.work.rawValue], url: server.url)
        #expect(dead.status == 0)
        #expect(dead.stdout.contains(claimed[0].envelope.id.rawValue) && dead.stdout.contains("  reason: bad input second line\n"))
        #expect(dead.stdout.contains(claimed[1].envelope.id.rawValue) && dead.stdout.contains("  reason: also bad\n"))

        // retry one by envelope id: back on the queue, gone from the dead stream.
        let retried = NATSQueueCLI.run(["retry", Self.work.rawValue, claimed[0].envelope.id.rawValue], url: server.url)
        #expect(retried.status == 0 && retried.stdout == "retried 1 from \(Self.work)\n")
        #expect(try consumer.deadLetters().map(\.id) == [claimed[1].envelope.id])
        let missing = NATSQueueCLI.run(["retry", Self.work.rawValue, "no-such-id"], url: server.url)
        #expect(missing.status == 1)

        var seen: [EnvelopeID] = []
        try await eventually("the retried message and the two waiting to be claimed", within: .seconds(30)) {
            for d in try consumer.claim(max: 10) {
                seen.append(d.envelope.id)
                try consumer.ack(d)
            }
            return seen.count >= 3
        }
        #expect(Set(seen) == [claimed[0].envelope.id, sent[3].id, sent[4].id])

        let purged = NATSQueueCLI.run(["purge", Self.work.rawValue, "--dead"], url: server.url)
        #expect(purged.status == 0 && purged.stdout == "purged 1 from \(Self.work)\n")
        #expect(try consumer.deadLetters().isEmpty)
        try consumer.ack(claimed[2])
        listed = NATSQueueCLI.run(["--json", "list"], url: server.url)
        #expect(listed.stdout == "[{\"queue\":\"\(Self.work)\",\"waiting\":0,\"claimed\":0,\"dead\":0,\"oldest_age_seconds\":null}]\n")

        // Inspection creates nothing; usage errors stay usage errors.
        let unknown = NATSQueueCLI.run(["dead", "nosuchqueue"], url: server.url)
        #expect(unknown.status == 1 && unknown.stderr.contains("no queue nosuchqueue"))
        #expect(!broker.queueExists(try QueueName("nosuchqueue")))
        #expect(NATSQueueCLI.run(["peek"], url: server.url).status == 64)
    }

    @Test("bindings and retry --all")
    func bindingsAndRetryAll() async throws {
        let dir = try TemporaryDirectory("nats-cli")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let broker = try NATSMessageBroker(url: server.url, name: "cli-test")
        defer { broker.close() }
        let exchange = try ExchangeName("events")
        let q = try QueueName("events.open-tickets")
        try broker.bind(q, to: exchange)
        #expect(NATSQueueCLI.run(["bindings"], url: server.url).stdout == "events -> events.open-tickets\n")

        try broker.publish(try (1...3).map { try Envelope(type: "t", body: ["n": $0], sentAt: SystemClock().now()) }, to: exchange)
        let consumer = try broker.consumer(of: q)
        for d in try consumer.claim(max: 3) { try consumer.reject(d, reason: "no") }
        #expect(try consumer.deadLetters().count == 3)
        let retried = NATSQueueCLI.run(["--json", "retry", q.rawValue, "--all"], url: server.url)
        #expect(retried.stdout == "{\"queue\":\"events.open-tickets\",\"retried\":3}\n")
        #expect(try consumer.deadLetters().isEmpty)
        #expect(try consumer.stats().waiting == 3)
    }
}
