import Foundation
import Synchronization
import Domain
import SpoolBroker

extension BrokerBenchmark {
    /// The same measures through `any MessageBroker` only (durable single sends, batched
    /// producer→consumer, request/reply round trips), for a broker other than the spool: NATS.
    public static func runOnBroker(_ broker: any MessageBroker, label: String, settings: Settings) async throws -> String {
        var out = "\(label)\n"
        let clock = SystemClock()
        let single = try QueueName("bench.single")
        let text = String(repeating: "x", count: 100)
        var start = ContinuousClock.now
        for i in 0..<settings.singleSends {
            try broker.send(try Envelope(type: "bench", body: BenchBody(n: i, text: text), sentAt: clock.now()), to: single)
        }
        out += line("durable single sends", Double(settings.singleSends) / seconds(ContinuousClock.now - start), "msgs/s")

        let batched = try QueueName("bench.batched")
        let consumer = try broker.consumer(of: batched)
        let total = settings.batchedMessages
        let failure = Mutex<String?>(nil)
        start = ContinuousClock.now
        let producer = Thread {
            do {
                var n = 0
                while n < total {
                    let count = min(settings.batchSize, total - n)
                    try broker.send(try (n..<(n + count)).map { try Envelope(type: "bench", body: BenchBody(n: $0, text: text), sentAt: clock.now()) },
                                    to: batched)
                    n += count
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        producer.start()
        var received = 0
        while received < total, failure.withLock({ $0 }) == nil {
            let got = try consumer.claim(max: settings.batchSize)
            if got.isEmpty {
                _ = consumer.waitForMessages(timeout: .milliseconds(100))
                continue
            }
            for d in got {
                _ = try d.envelope.decodeBody(BenchBody.self)
                try consumer.ack(d)
            }
            received += got.count
        }
        if let f = failure.withLock({ $0 }) { throw SpoolError(kind: .io, operation: "bench producer", path: "-", detail: f) }
        out += line("batched producer->consumer (batch \(settings.batchSize))", Double(total) / seconds(ContinuousClock.now - start), "msgs/s")

        let service = try broker.consumer(of: try QueueName("bench.rpc"))
        let requester = try RequestClient(broker: broker, processName: "bench")
        defer { requester.close() }
        let stop = Atomic<Bool>(false)
        let responder = Thread {
            while !stop.load(ordering: .relaxed) {
                guard service.waitForMessages(timeout: .milliseconds(50)), let got = try? service.claim(max: 32) else { continue }
                for d in got {
                    try? broker.reply(to: d.envelope, type: "bench.reply", body: BenchBody(n: 0, text: "ok"), sentAt: clock.now())
                    try? service.ack(d)
                }
            }
        }
        responder.start()
        defer { stop.store(true, ordering: .relaxed) }
        var latencies: [Double] = []
        for i in 0..<(settings.roundTrips + 10) {
            let env = try Envelope(type: "bench", body: BenchBody(n: i, text: "q"), sentAt: clock.now())
            let t0 = ContinuousClock.now
            _ = try await requester.request(env, to: service.name, timeout: .seconds(10), durability: .durable)
            if i >= 10 { latencies.append(seconds(ContinuousClock.now - t0) * 1000) }
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2]
        let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        out += pad("request/reply round trip (durable request)") + String(format: " p50 %.2f ms  p99 %.2f ms\n", p50, p99)
        return out
    }
}
