import SpoolBroker
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// Real child processes (`campusdesk-test-process`) against a real spool: SIGKILL, races, kernel I/O errors.
    @Suite struct BrokerCrashTests {
        /// The test-only process that consumes and sends (`Tests/TestProcesses`).
        static var binary: String { BuiltProduct.path("campusdesk-test-process") }

        struct World {
            let directory: TemporaryDirectory
            init() throws { directory = try TemporaryDirectory("broker-e2e") }
            var root: String { directory.path }
            var spool: String { root + "/spool" }
            func cleanup() { directory.remove() }
        }

        func spawn(_ args: [String]) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }

        func effects(_ path: String) -> [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        @Test("consumers killed with SIGKILL at random points lose nothing: the processed set equals the sent set")
        func crashRecovery() async throws {
            #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "run swift build first")
            let world = try World()
            defer { world.cleanup() }
            let spool = try Spool(root: world.spool)
            let name = try QueueName("crash")
            let q = try spool.queue(name)
            let effectsPath = world.root + "/effects"
            let consumerArgs = ["queue-consumer", "--spool", world.spool, "--queue", name.rawValue,
                                "--effects", effectsPath, "--batch", "8"]
            var consumers = try (0..<3).map { _ in try spawn(consumerArgs) }
            var sent = Set<String>()
            var rng = SystemRandomNumberGenerator()
            var kills = 0
            for round in 0..<250 {
                // Mostly batches (one fsync for many), some single sends, as a real producer mixes them.
                if round % 5 == 0 {
                    let e = try Envelope(type: "crash", body: ["n": round], sentAt: spool.clock.now())
                    try q.send(e)
                    sent.insert(e.id.rawValue)
                } else {
                    let batch = try (0..<15).map { try Envelope(type: "crash", body: ["n": round * 100 + $0], sentAt: spool.clock.now()) }
                    try q.send(batch: batch)
                    for e in batch { sent.insert(e.id.rawValue) }
                }
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    let victim = Int.random(in: 0..<consumers.count, using: &rng)
                    kill(consumers[victim].processIdentifier, SIGKILL)
                    try await consumers[victim].waitForExit()
                    consumers[victim] = try spawn(consumerArgs)
                    kills += 1
                }
            }
            #expect(sent.count > 3000)
            #expect(kills > 10)
            // Let the survivors drain: claims of killed pids come back via recovery.
            try await eventually("the survivors to drain the queue", within: .seconds(120)) { lastSeen in
                let s = try q.stats()
                lastSeen = "\(s.waiting) waiting, \(s.claimed) claimed"
                return s.waiting == 0 && s.claimed == 0
            }
            for c in consumers {
                kill(c.processIdentifier, SIGKILL)
                try await c.waitForExit()
            }
            let s = try q.stats()
            #expect(s.waiting == 0 && s.claimed == 0 && s.dead == 0)
            let done = Set(effects(effectsPath))
            #expect(done == sent, "missing \(sent.subtracting(done).count), unexpected \(done.subtracting(sent).count)")
        }

        @Test("two consumers racing: no message is held by both at once, and each is processed once")
        func twoConsumersRace() async throws {
            let world = try World()
            defer { world.cleanup() }
            let spool = try Spool(root: world.spool)
            let name = try QueueName("race")
            let q = try spool.queue(name)
            var sent = Set<String>()
            for round in 0..<40 {
                let batch = try (0..<10).map { try Envelope(type: "race", body: ["n": round * 10 + $0], sentAt: spool.clock.now()) }
                try q.send(batch: batch)
                for e in batch { sent.insert(e.id.rawValue) }
            }
            for i in 0..<200 {
                let e = try Envelope(type: "race", body: ["n": 10_000 + i], sentAt: spool.clock.now())
                try q.send(e)
                sent.insert(e.id.rawValue)
            }
            let markers = world.root + "/held"
            try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
            let effectsPath = world.root + "/effects"
            let args = ["queue-consumer", "--spool", world.spool, "--queue", name.rawValue, "--effects", effectsPath,
                        "--exclusive", markers, "--idle-exit", "700", "--batch", "3"]
            let a = try spawn(args)
            let b = try spawn(args)
            // Each exits once the queue has been idle for 700 ms.
            try await a.waitForExit(within: .seconds(120))
            try await b.waitForExit(within: .seconds(120))
            #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
            let lines = effects(effectsPath)
            #expect(!lines.contains { $0.hasPrefix("VIOLATION") })
            #expect(lines.count == sent.count, "each processed exactly once")
            #expect(Set(lines) == sent)
        }

        @Test("a kernel write error at send (EFBIG via RLIMIT_FSIZE) reaches the sender and leaves nothing in new/ or tmp/")
        func ioErrorAtSend() async throws {
            let world = try World()
            defer { world.cleanup() }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = ["queue-send", "--spool", world.spool, "--queue", "io", "--bytes", "100000", "--fsize-limit", "4096"]
            let err = Pipe()
            p.standardError = err
            try p.run()
            try await p.waitForExit(within: .seconds(60))
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 1)
            #expect(text.contains("errno \(EFBIG)"), "\(text)")
            let q = world.spool + "/queues/io"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: q + "/new")) ?? ["?"]).isEmpty)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: q + "/tmp")) ?? ["?"]).isEmpty)
        }
    }
}
