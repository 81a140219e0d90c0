import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Domain
@testable import Logging
@testable import SpoolBroker
import NATSBroker

/// The implementations of `MessageBroker` the conformance suite holds to one behaviour.
///
/// `nats` is a real `nats-server -js` of the test's own (Debian's nats-server, which .ci/install
/// adds); where it is not installed the NATS cases are left out and `natsServerInstalled` says why.
enum BrokerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case spool
    case memory
    case nats

    var testDescription: String { rawValue }

    /// The kinds that can run here.
    static let available: [BrokerKind] = allCases.filter { $0 != .nats || NATSServerProcess.missingReason == nil }
}

/// A broker of one kind with a hand-moved clock; the spool in its own temp directory.
///
/// The NATS server keeps time by its own clock: there, backoffs and the lease are real time,
/// scaled down by `timeUnit` (a policy of "10 units" waits 10 × 50 ms), and `waitUntilDue`
/// polls instead of moving the clock. The checks that something has *not yet* come back are
/// made on the hand-moved clocks only (on real time they would be timed assertions).
struct BrokerUnderTest {
    let broker: any MessageBroker
    let clock = TestClock()
    let kind: BrokerKind
    private let dir: TemporaryDirectory?
    private let server: NATSServerProcess?

    /// One second of the tests' policies and leases: 1 s on the hand-moved clocks, 50 ms on NATS.
    var timeUnit: Duration { kind == .nats ? .milliseconds(50) : .seconds(1) }
    /// Whether the broker's time is the test's hand-moved clock (spool, memory) rather than real time.
    var clockIsHandMoved: Bool { kind != .nats }

    init(_ kind: BrokerKind, lease: Duration = .seconds(300)) throws {
        self.kind = kind
        switch kind {
        case .spool:
            let dir = try TemporaryDirectory("queue")
            var limits = SpoolLimits()
            limits.lease = lease
            limits.pollInterval = .milliseconds(20)
            broker = SpoolMessageBroker(spool: try Spool(root: dir.path, clock: clock, limits: limits,
                                                         logger: Logger(component: "spool", minimumLevel: .error)))
            self.dir = dir
            server = nil
        case .memory:
            broker = InMemoryBroker(clock: clock, lease: lease)
            dir = nil
            server = nil
        case .nats:
            let dir = try TemporaryDirectory("nats")
            let server = try NATSServerProcess(storeDirectory: dir.path("store"))
            var configuration = try NATSBrokerConfiguration(url: server.url, name: "conformance")
            // The lease in the tests' units (30 s → 1.5 s of real time); the default one otherwise.
            if lease < .seconds(300) { configuration.lease = lease / 20 }
            configuration.connection.requestTimeout = TestTime.scaled(.seconds(5))
            broker = try NATSMessageBroker(configuration: configuration)
            self.dir = dir
            self.server = server
        }
    }

    func remove() {
        (broker as? NATSMessageBroker)?.close()
        server?.stop()
        dir?.remove()
    }

    /// Lets `duration` pass (the hand-moved clock) and claims one message, which must then be due;
    /// on NATS, waits in real time for the server to deliver it again.
    func claimWhenDue(_ consumer: any MessageConsumer, after duration: Duration) async throws -> Delivery? {
        if clockIsHandMoved {
            clock.advance(by: duration)
            return try consumer.claim(max: 1).first
        }
        var got: Delivery?
        try await eventually("the message to come back") {
            got = try consumer.claim(max: 1).first
            return got != nil
        }
        return got
    }

    func client(_ name: String, groupCommit: Bool = false) throws -> RequestClient {
        try RequestClient(broker: broker, processName: name, options: .init(groupCommit: groupCommit), clock: clock,
                          logger: Logger(component: "client", minimumLevel: .error))
    }
}

/// Answers every request on `queue` with `{"n": 2n}` from a thread of its own until stopped.
final class DoublingResponder: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(broker: any MessageBroker, queue: QueueName) throws {
        let service = try broker.consumer(of: queue)
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                guard service.waitForMessages(timeout: .milliseconds(20)), let got = try? service.claim(max: 64) else { continue }
                for d in got {
                    let n = (try? d.envelope.decodeBody(QueueTestBody.self).n) ?? -1
                    try? broker.reply(to: d.envelope, type: "answer", body: QueueTestBody(n: n * 2))
                    try? service.ack(d)
                }
            }
        }
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}

/// One suite, run against every `MessageBroker`: what the services rely on, whatever the broker.
/// On dedicated threads: the NATS cases block their thread on socket round trips.
@Suite("MessageBroker conformance", .onDedicatedThreads)
struct BrokerConformanceTests {
    static let work = QueueName.commands
    static func body(_ d: Delivery) -> Int { (try? d.envelope.decodeBody(QueueTestBody.self).n) ?? -1 }

    @Test("send, claim in send order, ack: nothing is delivered twice", arguments: BrokerKind.available)
    func sendClaimAck(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        for n in 1...3 { try world.broker.send(try testEnvelope(n, at: world.clock), to: Self.work) }
        let consumer = try world.broker.consumer(of: Self.work)
        let got = try consumer.claim(max: 10)
        #expect(got.map(Self.body) == [1, 2, 3])
        #expect(try consumer.claim(max: 10).isEmpty, "claimed messages are held by their consumer")
        #expect(try consumer.stats().claimed == 3)
        for d in got { try consumer.ack(d) }
        let stats = try consumer.stats()
        #expect(stats.waiting == 0 && stats.claimed == 0 && stats.dead == 0)
        #expect(try consumer.claim(max: 10).isEmpty)
    }

    @Test("the same envelope sent again later (a replay) is delivered again, whether the first copy was settled or not",
          arguments: BrokerKind.available)
    func sentAgain(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let event = try testEnvelope(1, at: world.clock)
        let other = try testEnvelope(2, at: world.clock)
        try world.broker.send([event, other], to: Self.work)
        let consumer = try world.broker.consumer(of: Self.work)
        let first = try consumer.claim(max: 10)
        #expect(first.map(\.envelope.id) == [event.id, other.id])
        try consumer.ack(first[0])
        // The ticket worker's replays send the events again under their ids (`event-<seq>`); on
        // NATS they were dropped as duplicates of the first send within the stream's window.
        try world.broker.send([event, other], to: Self.work)
        let again = try consumer.claim(max: 10)
        #expect(again.map(\.envelope.id) == [event.id, other.id])
        for d in again + first.dropFirst() { try consumer.ack(d) }
        let stats = try consumer.stats()
        #expect(stats.waiting == 0 && stats.claimed == 0 && stats.dead == 0)
    }

    @Test("a batch is sent in one call and claimed in order, in as many claims as asked", arguments: BrokerKind.available)
    func batch(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        try world.broker.send(try (1...5).map { try testEnvelope($0, at: world.clock) }, to: Self.work)
        let consumer = try world.broker.consumer(of: Self.work)
        let first = try consumer.claim(max: 2)
        let rest = try consumer.claim(max: 10)
        #expect(first.map(Self.body) == [1, 2])
        #expect(rest.map(Self.body) == [3, 4, 5])
        for d in first + rest { try consumer.ack(d) }
        #expect(try consumer.stats().claimed == 0)
    }

    @Test("a message over the size limit is refused at send and nothing of its batch is queued", arguments: BrokerKind.available)
    func tooLarge(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let big = try Envelope(type: "t", body: QueueTestBody(n: 2, text: String(repeating: "x", count: world.broker.maxMessageBytes)),
                               sentAt: world.clock.now())
        #expect { try world.broker.send([try testEnvelope(1, at: world.clock), big], to: Self.work) } throws: {
            ($0 as? SpoolError)?.kind == .tooLarge
        }
        #expect(try world.broker.consumer(of: Self.work).stats().waiting == 0)
    }

    @Test("publishing puts one copy into every bound queue and none elsewhere", arguments: BrokerKind.available)
    func fanOut(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let (a, b, c) = (QueueName.events(.openTickets), QueueName.events(.categoryLoad), QueueName.events(.resolutionTime))
        try world.broker.bind(a, to: .events)
        try world.broker.bind(b, to: .events)
        try world.broker.bind(b, to: .events)
        let unbound = try world.broker.consumer(of: c)
        #expect(try world.broker.bindings(of: .events) == [b, a])
        let written = try world.broker.publish(try [testEnvelope(1, at: world.clock), testEnvelope(2, at: world.clock)], to: .events)
        #expect(written == [b, a])
        for q in [a, b] { #expect(try world.broker.consumer(of: q).claim(max: 10).map(Self.body) == [1, 2]) }
        #expect(try unbound.claim(max: 10).isEmpty)
    }

    @Test("retry defers by the policy's backoff on the injected clock, counts attempts, then dead-letters",
          arguments: BrokerKind.available)
    func retryWithBackoff(kind: BrokerKind) async throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let unit = world.timeUnit
        let consumer = try world.broker.consumer(of: Self.work)
        let policy = RetryPolicy(maxAttempts: 3, base: unit * 10, cap: unit * 60, random: { 0 })
        try world.broker.send(try testEnvelope(1, at: world.clock), to: Self.work)
        var d = try #require(try consumer.claim(max: 1).first)
        try consumer.retry(d, policy: policy)
        #expect(try consumer.stats().waiting == 1)
        if world.clockIsHandMoved {
            #expect(try consumer.claim(max: 1).isEmpty, "not due yet")
            world.clock.advance(by: .milliseconds(4_999))
            #expect(try consumer.claim(max: 1).isEmpty, "half of 10 s with zero jitter is 5 s")
        }
        d = try #require(try await world.claimWhenDue(consumer, after: .milliseconds(1)))
        #expect(d.envelope.attempts == 1)
        try consumer.retry(d, policy: policy)
        d = try #require(try await world.claimWhenDue(consumer, after: .milliseconds(10_000)))
        #expect(d.envelope.attempts == 2)
        try consumer.retry(d, policy: policy, reason: "db locked")
        world.clock.advance(by: .milliseconds(120_000))
        #expect(try consumer.claim(max: 1).isEmpty)
        let dead = try consumer.deadLetters()
        #expect(dead.map(\.reason) == ["gave up after 3 attempts: db locked"])
        #expect(dead.first?.id == d.envelope.id)
        #expect(try consumer.stats().dead == 1)
    }

    @Test("reject and unknown types go to the dead letters with their reasons", arguments: BrokerKind.available)
    func deadLetters(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let consumer = try world.broker.consumer(of: Self.work)
        try world.broker.send(try testEnvelope(1, type: "known", at: world.clock), to: Self.work)
        try world.broker.send(try testEnvelope(2, type: "stranger", at: world.clock), to: Self.work)
        let got = try consumer.claim(max: 10, knownTypes: ["known"])
        #expect(got.map(Self.body) == [1])
        try consumer.reject(try #require(got.first), reason: "bad body")
        let dead = try consumer.deadLetters()
        #expect(Set(dead.map(\.reason)) == ["bad body", "unknown type \"stranger\""])
        #expect(Set(dead.compactMap(\.type)) == ["known", "stranger"])
        let stats = try consumer.stats()
        #expect(stats.dead == 2 && stats.waiting == 0 && stats.claimed == 0)
    }

    @Test("an unacked claim comes back to another consumer after the lease, not before", arguments: BrokerKind.available)
    func redelivery(kind: BrokerKind) async throws {
        let world = try BrokerUnderTest(kind, lease: .seconds(30))
        defer { world.remove() }
        try world.broker.send(try testEnvelope(7, at: world.clock), to: Self.work)
        let crashed = try world.broker.consumer(of: Self.work)
        let held = try #require(try crashed.claim(max: 1).first)
        let next = try world.broker.consumer(of: Self.work)
        let again: Delivery
        if world.clockIsHandMoved {
            #expect(try next.recoverClaims() == 0, "a live claim within the lease stays")
            #expect(try next.claim(max: 1).isEmpty)
            world.clock.advance(by: .milliseconds(30_000))
            #expect(try next.recoverClaims() == 1)
            again = try #require(try next.claim(max: 1).first)
        } else {
            // JetStream gives the claim back by itself once the ack wait (the lease) passes.
            again = try #require(try await world.claimWhenDue(next, after: .milliseconds(30_000)))
        }
        #expect(again.envelope.id == held.envelope.id)
        try next.ack(again)
        let stats = try next.stats()
        #expect(stats.waiting == 0 && stats.claimed == 0)
        withExtendedLifetime(crashed) {}
    }

    @Test("replies to a vanished reply queue are dropped and do not create it", arguments: BrokerKind.available)
    func repliesToAGoneQueue(kind: BrokerKind) throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let gone = try QueueName("reply.gone.1")
        _ = try world.broker.consumer(of: gone)
        world.broker.removeQueue(gone)
        #expect(!world.broker.queueExists(gone))
        let request = Envelope(type: "q", sentAt: world.clock.now(), replyTo: gone, correlationID: "c", rawBody: Data("{}".utf8))
        try world.broker.reply(to: request, type: "a", body: QueueTestBody(n: 1))
        #expect(!world.broker.queueExists(gone))
    }

    // MARK: - Request/reply through the one client

    @Test("request/reply: each reply reaches its caller; the reply queue goes with close()", arguments: BrokerKind.available)
    func requestReply(kind: BrokerKind) async throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let service = try QueueName("svc")
        let responder = try DoublingResponder(broker: world.broker, queue: service)
        defer { responder.stop() }
        let client = try world.client("conformance")
        #expect(client.replyQueue.rawValue == "reply.conformance.\(getpid())")
        for i in 1...3 {
            let reply = try await client.request(try testEnvelope(i, at: world.clock), to: service, timeout: TestTime.scaled(.seconds(20)), durability: .volatile)
            #expect(try reply.decodeBody(QueueTestBody.self).n == i * 2)
        }
        #expect(world.broker.queueExists(client.replyQueue))
        client.close()
        #expect(!world.broker.queueExists(client.replyQueue))
    }

    @Test("group commit: concurrent durable requests each get their own reply", arguments: BrokerKind.available)
    func groupCommit(kind: BrokerKind) async throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let service = try QueueName("svc")
        let client = try world.client("grouped", groupCommit: true)
        defer { client.close() }
        let responder = try DoublingResponder(broker: world.broker, queue: service)
        defer { responder.stop() }
        let clock = world.clock
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<24 {
                group.addTask {
                    let reply = try await client.request(try testEnvelope(i, at: clock), to: service, timeout: TestTime.scaled(.seconds(30)))
                    return (i, try reply.decodeBody(QueueTestBody.self).n)
                }
            }
            var all: [Int: Int] = [:]
            for try await (i, n) in group { all[i] = n }
            return all
        }
        #expect(answers.count == 24)
        #expect(answers.allSatisfy { $0.value == $0.key * 2 })
    }

    @Test("no reply in time is .timedOut; the request stays queued and its late reply is discarded", arguments: BrokerKind.available)
    func timeoutAndLateReply(kind: BrokerKind) async throws {
        let world = try BrokerUnderTest(kind)
        defer { world.remove() }
        let service = try world.broker.consumer(of: try QueueName("slow"))
        let client = try world.client("late")
        defer { client.close() }
        await #expect(throws: RequestError.timedOut) {
            _ = try await client.request(try testEnvelope(1, at: world.clock), to: service.name, timeout: .milliseconds(30))
        }
        let d = try #require(try service.claim(max: 1).first, "the request is queued")
        try world.broker.reply(to: d.envelope, type: "answer", body: QueueTestBody(n: 0))
        try service.ack(d)
        try await eventually("the late reply to be discarded") { client.discardedReplies > 0 }
        #expect(client.discardedReplies == 1, "the late reply arrived and was dropped")
    }

    @Test("the NATS cases run where nats-server is installed", .enabled(if: NATSServerProcess.missingReason == nil,
          "nats-server is not installed: the conformance suite ran on the spool and in memory only"))
    func natsServerInstalled() {
        #expect(BrokerKind.available.contains(.nats))
    }
}
