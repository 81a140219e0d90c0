import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// A delivery lost on its way comes back after the short ack wait; a claim a live consumer
/// holds does not, until its lease (docs/nats.md, "Leases and lost deliveries").
/// On dedicated threads: every call blocks its thread on a socket round trip.
@Suite("NATS held claims", .serialized, .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSHeldClaimsTests {
    static let work = QueueName.commands

    static func broker(_ server: NATSServerProcess, name: String, lease: Duration, ackWait: Duration) throws -> NATSMessageBroker {
        var configuration = try NATSBrokerConfiguration(url: server.url, name: name)
        configuration.lease = lease
        configuration.ackWait = ackWait
        configuration.connection.requestTimeout = TestTime.scaled(.seconds(5))
        return try NATSMessageBroker(configuration: configuration)
    }

    @Test("a delivery the server sent to a connection that went away comes back after the ack wait, not the lease")
    func lostDeliveryComesBack() async throws {
        let dir = try TemporaryDirectory("nats-held")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        // A lease of an hour: before the ack wait was split from it, the message waited that long.
        let broker = try Self.broker(server, name: "held", lease: .seconds(3600), ackWait: .seconds(1))
        defer { broker.close() }
        let consumer = try broker.consumer(of: Self.work)
        let sent = try Envelope(type: "t", body: ["n": 1], sentAt: SystemClock().now())
        try broker.send([sent], to: Self.work)

        // A pull answered to an inbox nobody reads: what a node killed with the delivery in its
        // outgoing buffer leaves behind. The server counts the message delivered.
        let other = try NATSConnection(options: NATSConnectionOptions(servers: try NATSServerAddress.list(server.url), name: "lost"))
        // Pulled messages arrive under their stream subject, so they are caught by subscription.
        let mailbox = NATSMailbox()
        _ = try other.subscribe("_PULL.lost.*") { mailbox.deliver($0) }
        try other.publish("$JS.API.CONSUMER.MSG.NEXT.\(NATSNames.stream(Self.work)).\(NATSNames.durable)", replyTo: "_PULL.lost.1",
                          payload: Array(#"{"batch":1}"#.utf8))
        let lost = try #require(mailbox.next(timeout: .seconds(10)), "the pull was not answered")
        #expect(lost.payload == sent.encodedLine())
        other.dropSocket()
        other.close()

        var again: Delivery?
        try await eventually("the lost delivery to come back", within: .seconds(30)) {
            again = try consumer.claim(max: 1).first
            return again != nil
        }
        let delivery = try #require(again)
        #expect(delivery.envelope.id == sent.id)
        #expect(delivery.envelope.attempts == 1, "the second delivery counts one earlier attempt")
        try consumer.ack(delivery)
        let stats = try consumer.stats()
        #expect(stats.waiting == 0 && stats.claimed == 0 && stats.dead == 0)
    }

    @Test("a claim held by a live consumer is kept past several ack waits with progress acks, then comes back at its lease")
    func liveClaimIsKept() async throws {
        let dir = try TemporaryDirectory("nats-held")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let ackWait = Duration.seconds(2)
        let lease = Duration.seconds(10)
        let holderBroker = try Self.broker(server, name: "holder", lease: lease, ackWait: ackWait)
        defer { holderBroker.close() }
        let otherBroker = try Self.broker(server, name: "other", lease: lease, ackWait: ackWait)
        defer { otherBroker.close() }
        let sent = try Envelope(type: "t", body: ["n": 2], sentAt: SystemClock().now())
        try holderBroker.send([sent], to: Self.work)

        let holder = try holderBroker.consumer(of: Self.work)
        let claimed = ContinuousClock.now
        let held = try #require(try holder.claim(max: 1).first)
        let other = try otherBroker.consumer(of: Self.work)
        // Three ack waits: without progress acks the server would have handed it out again.
        var stolen: [Delivery] = []
        while ContinuousClock.now - claimed < ackWait * 3 {
            stolen += try other.claim(max: 1)
            try await Task.sleep(for: .milliseconds(200))  // sleep-ok: the pace of polling for something that must not happen within three ack waits
        }
        #expect(stolen.isEmpty, "a claim of a live consumer went to another one within its lease")
        #expect(try other.stats().claimed == 1)

        // Kept no longer than the lease, as on the spool: it comes back while still held.
        var again: Delivery?
        try await eventually("the held claim to come back after its lease", within: .seconds(60)) {
            again = try other.claim(max: 1).first
            return again != nil
        }
        #expect(ContinuousClock.now - claimed >= lease, "came back before the lease")
        #expect(again?.envelope.id == held.envelope.id)
        if let again { try other.ack(again) }
        withExtendedLifetime(holder) {}
    }
}

extension NATSHeldClaimsTests {
    @Test("a queue's consumer made with the lease as its ack wait (before 2026-12-05) is brought to the short ack wait")
    func olderConsumerIsUpdated() throws {
        let dir = try TemporaryDirectory("nats-held")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let before = try Self.broker(server, name: "before", lease: .seconds(300), ackWait: .seconds(300))
        _ = try before.consumer(of: Self.work)
        before.close()
        let now = try Self.broker(server, name: "now", lease: .seconds(300), ackWait: .seconds(30))
        defer { now.close() }
        _ = try now.consumer(of: Self.work)
        let info = try now.api.consumerInfo(stream: NATSNames.stream(Self.work), durable: NATSNames.durable)
        let ackWait = (info["config"] as? [String: Any])?["ack_wait"] as? Int
        #expect(ackWait == 30_000_000_000)
    }
}
