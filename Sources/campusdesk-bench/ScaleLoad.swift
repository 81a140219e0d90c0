import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP side of `campusdesk-bench scale`: closed-loop load on one path over several keep-alive
/// connections (each on its own thread, as the other benches drive the gateway), and a batch of
/// requests sent once each (commands, uploads).
enum ScaleLoad {
    struct Result: Sendable {
        var p50: Double
        var p99: Double
        var perSecond: Double
        var requests: Int
        /// The first answer that was not the expected status, or a transport error.
        var failure: String?

        var figures: [Double] { [p50, p99, perSecond] }
    }

    /// Each connection sends `GET path` again as soon as the answer arrives, for a 0.3 s warm-up and
    /// then `seconds`; latency is request to last byte. A page slower than the whole window has no
    /// request inside it: then the warm-up's answers are the samples (a 2 s page is 2 s, not 0).
    static func drive(port: UInt16, path: String, headers: String, connections: Int, seconds: Double) async -> Result {
        let warmUp: UInt64 = 300_000_000
        let start = BenchAnalyticsRoundTripCommand.nanos()
        let measureFrom = start + warmUp
        let end = measureFrom + UInt64(seconds * 1e9)
        let samples = Mutex<[UInt64]>([])
        let early = Mutex<[UInt64]>([])
        let failure = Mutex<String?>(nil)
        let finished = Atomic<Int>(0)
        let threads = (0..<connections).map { _ in
            Thread {
                var mine: [UInt64] = []
                var warm: [UInt64] = []
                var client: BenchHTTPClient?
                while true {
                    let t = BenchAnalyticsRoundTripCommand.nanos()
                    guard t < end else { break }
                    do {
                        if client == nil { client = try BenchHTTPClient(port: port) }
                        guard let c = client else { break }
                        let r = try c.request("GET", path, headers: headers)
                        let done = BenchAnalyticsRoundTripCommand.nanos()
                        if r.status != 200 {
                            failure.withLock { if $0 == nil { $0 = "HTTP \(r.status)" } }
                            FileHandle.standardError.write(Data("bench scale: GET \(path) answered \(r.status): \(String(decoding: r.body.prefix(200), as: UTF8.self))\n".utf8))
                            break
                        }
                        if t >= measureFrom { mine.append(done - t) } else { warm.append(done - t) }
                        if c.closed { client = nil }
                    } catch {
                        let timedOut = "\(error)".contains("no answer within")
                        failure.withLock { if $0 == nil { $0 = timedOut ? "timeout" : "error" } }
                        FileHandle.standardError.write(Data("bench scale: GET \(path): \(error)\n".utf8))
                        client?.close()
                        break
                    }
                }
                client?.close()
                samples.withLock { $0 += mine }
                early.withLock { $0 += warm }
                finished.add(1, ordering: .releasing)
            }
        }
        for t in threads {
            t.stackSize = 512 * 1024
            t.start()
        }
        while finished.load(ordering: .acquiring) < threads.count { try? await Task.sleep(for: .milliseconds(10)) }
        let elapsed = Double(BenchAnalyticsRoundTripCommand.nanos() - measureFrom) / 1e9
        let all = samples.withLock { $0 }
        guard !all.isEmpty else {
            // Slower than the window: the warm-up's answers over the whole time the threads ran.
            let slow = early.withLock { $0 }
            return summarize(slow, seconds: Double(BenchAnalyticsRoundTripCommand.nanos() - start) / 1e9, failure: failure.withLock { $0 })
        }
        return summarize(all, seconds: min(max(elapsed, 0.001), seconds), failure: failure.withLock { $0 })
    }

    /// Sends `requests[k]` once each, `connections` at a time; `perSecond` is requests over the
    /// whole wall time. `accept` decides which statuses count as success; `answers` gets each body.
    static func batch(port: UInt16, requests: [(method: String, path: String, headers: String, body: [UInt8])], connections: Int,
                      freshConnection: Bool = false, accept: @escaping @Sendable (Int) -> Bool) async -> (Result, [Int: [UInt8]]) {
        let next = Atomic<Int>(0), finished = Atomic<Int>(0)
        let samples = Mutex<[UInt64]>([])
        let bodies = Mutex<[Int: [UInt8]]>([:])
        let failure = Mutex<String?>(nil)
        let total = requests.count
        let start = BenchAnalyticsRoundTripCommand.nanos()
        let threads = (0..<connections).map { _ in
            Thread {
                var mine: [UInt64] = []
                var client: BenchHTTPClient?
                while true {
                    let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard k < total else { break }
                    let q = requests[k]
                    do {
                        if client == nil { client = try BenchHTTPClient(port: port) }
                        guard let c = client else { break }
                        let t = BenchAnalyticsRoundTripCommand.nanos()
                        let r = try c.request(q.method, q.path, headers: q.headers, body: q.body)
                        mine.append(BenchAnalyticsRoundTripCommand.nanos() - t)
                        if accept(r.status) {
                            bodies.withLock { $0[k] = r.body }
                        } else {
                            failure.withLock { if $0 == nil { $0 = "HTTP \(r.status)" } }
                            FileHandle.standardError.write(Data("bench scale: \(q.method) \(q.path) answered \(r.status): \(String(decoding: r.body.prefix(200), as: UTF8.self))\n".utf8))
                        }
                        if c.closed || freshConnection { c.close(); client = nil }
                    } catch {
                        failure.withLock { if $0 == nil { $0 = "error" } }
                        FileHandle.standardError.write(Data("bench scale: \(q.method) \(q.path): \(error)\n".utf8))
                        client?.close()
                        client = nil
                    }
                }
                client?.close()
                samples.withLock { $0 += mine }
                finished.add(1, ordering: .releasing)
            }
        }
        for t in threads {
            t.stackSize = 512 * 1024
            t.start()
        }
        while finished.load(ordering: .acquiring) < threads.count { try? await Task.sleep(for: .milliseconds(10)) }
        let seconds = Double(BenchAnalyticsRoundTripCommand.nanos() - start) / 1e9
        return (summarize(samples.withLock { $0 }, seconds: seconds, failure: failure.withLock { $0 }), bodies.withLock { $0 })
    }

    static func summarize(_ samples: [UInt64], seconds: Double, failure: String?) -> Result {
        let s = samples.sorted()
        func at(_ q: Double) -> Double {
            guard !s.isEmpty else { return 0 }
            return Double(s[min(s.count - 1, max(0, Int((Double(s.count) * q).rounded(.up)) - 1))]) / 1e6
        }
        return Result(p50: at(0.5), p99: at(0.99), perSecond: seconds > 0 ? Double(s.count) / seconds : 0, requests: s.count, failure: failure)
    }
}
