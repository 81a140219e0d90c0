import Foundation
import Testing
import TestSupport
@testable import NATSBroker

/// The `CAMPUSDESK-CHANGES` stream as a replica reads it (docs/nats.md, "Gateways on other machines").
@Suite("NATS change stream", .serialized, .onDedicatedThreads, .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct NATSChangeStreamTests {
    @Test("a reader that starts after the last publish learns of the newest stored batch; later publishes are heard")
    func readerStartedLateHearsTheNewestBatch() throws {
        let dir = try TemporaryDirectory("nats-changes")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"))
        let workerBroker = try NATSMessageBroker(url: server.url, name: "worker")
        defer { workerBroker.close() }
        let writer = try NATSChangeStream(broker: workerBroker)
        for seq in Int64(1)...3 { try writer.publish(seq: seq, bytes: Array("batch \(seq)".utf8)) }

        let gatewayBroker = try NATSMessageBroker(url: server.url, name: "gateway")
        defer { gatewayBroker.close() }
        let reader = try NATSChangeStream(broker: gatewayBroker)
        // Before: nothing was heard, because the publishes came before the reader listened, so a
        // replica stopped at a missing batch 2 waited for a later publish that might never come.
        #expect(try reader.waitForNews(timeout: .milliseconds(200)) == 3)
        #expect(try reader.waitForNews(timeout: .milliseconds(200)) == nil)
        try writer.publish(seq: 4, bytes: Array("batch 4".utf8))
        #expect(try reader.waitForNews(timeout: TestTime.scaled(.seconds(5))) == 4)
        #expect(try reader.batch(2).map { String(decoding: $0, as: UTF8.self) } == "batch 2")
    }
}
