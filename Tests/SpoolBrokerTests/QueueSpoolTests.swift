import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
#if canImport(Glibc)
import Glibc
#endif

@Suite struct QueueSpoolTests {
    // MARK: - Send, claim, ack

    @Test("messages come out in send order and ack removes them")
    func fifoAndAck() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let q = try spool.queue(try QueueName("work"))
        for i in 0..<20 { try q.send(try testEnvelope(i)) }
        #expect(files(in: q.path + "/new").count == 20)
        #expect(files(in: q.path + "/tmp").isEmpty)
        var seen: [Int] = []
        while true {
            let got = try q.claim(max: 3)
            if got.isEmpty { break }
            for d in got {
                seen.append(try d.envelope.decodeBody(QueueTestBody.self).n)
                try q.ack(d)
            }
        }
        #expect(seen == Array(0..<20))
        #expect(files(in: q.path + "/new").isEmpty)
        #expect(files(in: q.path + "/cur").isEmpty)
    }

    @Test("a batch is one file; its deliveries are separate; the file goes when all are settled")
    func batchFile() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let q = try spool.queue(try QueueName("batch"))
        try q.send(batch: try (0..<10).map { try testEnvelope($0) })
        #expect(files(in: q.path + "/new").count == 1)
        let first = try q.claim(max: 4)
        #expect(first.map { try! $0.envelope.decodeBody(QueueTestBody.self).n } == [0, 1, 2, 3])
        let rest = try q.claim(max: 100)
        #expect(rest.count == 6)
        for d in first + rest.dropLast() { try q.ack(d) }
        #expect(files(in: q.path + "/cur").count == 1, "one unsettled message keeps the file")
        try q.ack(rest[rest.count - 1])
        #expect(files(in: q.path + "/cur").isEmpty)
    }

    @Test("a batch larger than the file limit is split into several files")
    func batchSplit() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        var limits = SpoolLimits()
        limits.maxFileBytes = 4096
        let spool = try Spool(root: dir.path, limits: limits)
        let q = try spool.queue(try QueueName("split"))
        try q.send(batch: try (0..<100).map { try testEnvelope($0) })
        #expect(files(in: q.path + "/new").count > 1)
        var n: [Int] = []
        for d in try q.claim(max: 1000) { n.append(try d.envelope.decodeBody(QueueTestBody.self).n); try q.ack(d) }
        #expect(n == Array(0..<100))
    }

    @Test("a message over the size limit is refused at send and leaves nothing behind")
    func sizeLimit() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let q = try spool.queue(try QueueName("big"))
        let big = try Envelope(type: "t", body: QueueTestBody(n: 1, text: String(repeating: "x", count: 1 << 20)), sentAt: Timestamp(millisecondsSinceEpoch: 0))
        #expect { try q.send(big) } throws: { ($0 as? SpoolError)?.kind == .tooLarge }
        #expect { try q.send(batch: [try testEnvelope(1), big]) } throws: { ($0 as? SpoolError)?.kind == .tooLarge }
        #expect(files(in: q.path + "/new").isEmpty)
        #expect(files(in: q.path + "/tmp").isEmpty)
    }

    @Test("a body that is not JSON is refused at send")
    func invalidBody() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("b"))
        let env = Envelope(type: "t", sentAt: Timestamp(millisecondsSinceEpoch: 0), rawBody: Data("{oops".utf8))
        #expect { try q.send(env) } throws: { ($0 as? SpoolError)?.kind == .encoding }
        #expect(files(in: q.path + "/new").isEmpty)
    }

    @Test("an I/O error at send reaches the sender and leaves nothing in new/")
    func ioErrorAtSend() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("io"))
        // Replace tmp/ by a file: creating the tmp file fails with ENOTDIR, a real errno from the kernel.
        try FileManager.default.removeItem(atPath: q.path + "/tmp")
        try writeRaw([], to: q.path + "/tmp")
        #expect { try q.send(try testEnvelope(1)) } throws: { ($0 as? SpoolError)?.errno == ENOTDIR }
        #expect(files(in: q.path + "/new").isEmpty)
    }

    // MARK: - Retry, reject

    @Test("retry waits for the backoff (injected clock), counts attempts, then dead-letters")
    func retryBackoff() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let clock = TestClock()
        let spool = try Spool(root: dir.path, clock: clock)
        let q = try spool.queue(try QueueName("retry"))
        let policy = RetryPolicy(maxAttempts: 3, base: .seconds(10), cap: .seconds(60), random: { 0 })
        try q.send(try testEnvelope(1, at: clock))
        var d = try #require(try q.claim(max: 1).first)
        #expect(d.envelope.attempts == 0)
        try q.retry(d, policy: policy)
        #expect(files(in: q.path + "/deferred").count == 1)
        #expect(try q.claim(max: 1).isEmpty, "not due yet")
        clock.advance(by: .milliseconds(4_999))
        #expect(try q.claim(max: 1).isEmpty, "half of 10 s with zero jitter is 5 s")
        clock.advance(by: .milliseconds(1))
        d = try #require(try q.claim(max: 1).first)
        #expect(d.envelope.attempts == 1)
        try q.retry(d, policy: policy)
        clock.advance(by: .milliseconds(9_999))
        #expect(try q.claim(max: 1).isEmpty)
        clock.advance(by: .milliseconds(1))
        d = try #require(try q.claim(max: 1).first)
        #expect(d.envelope.attempts == 2)
        try q.retry(d, policy: policy, reason: "db locked")
        #expect(files(in: q.path + "/deferred").isEmpty)
        let dead = files(in: q.path + "/dead")
        #expect(dead.count == 2)
        let reason = try String(contentsOfFile: q.path + "/dead/" + dead.first { $0.hasSuffix(".reason") }!, encoding: .utf8)
        #expect(reason == "gave up after 3 attempts: db locked\n")
        #expect(try q.stats().dead == 1)
    }

    @Test("reject moves the message to dead/ with its reason; a message from a batch gets its own dead file")
    func reject() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("rej"))
        try q.send(try testEnvelope(1))
        try q.send(batch: [try testEnvelope(2), try testEnvelope(3)])
        let got = try q.claim(max: 3)
        #expect(got.count == 3)
        try q.reject(got[0], reason: "no such ticket")
        try q.reject(got[1], reason: "bad")
        try q.ack(got[2])
        let dead = files(in: q.path + "/dead")
        #expect(dead.count == 4)
        #expect(files(in: q.path + "/cur").isEmpty)
        let single = dead.first { !$0.hasSuffix(".reason") && $0.hasSuffix(".json") }!
        #expect(try String(contentsOfFile: q.path + "/dead/\(single).reason", encoding: .utf8) == "no such ticket\n")
        let fromBatch = dead.first { $0.hasSuffix(".json.0") }!
        let bytes = try Data(contentsOf: URL(fileURLWithPath: q.path + "/dead/" + fromBatch))
        #expect(try Envelope.decode(line: bytes.dropLast()).decodeBody(QueueTestBody.self).n == 2)
    }

    /// A settle that the full disk refuses (the retry copy, the dead letter) must neither lose the
    /// message nor leave it claimed: the consumer keeps the claim, and its next claim (or wait, for a
    /// consumer that only claims when woken) writes the same settle once there is room. It used to
    /// stay counted in cur/ while the consumer lived (retry, reject of a batch line) or wait there
    /// for the 300 s lease (reject): the `FullDiskTests` flake.
    @Test("a retry or reject refused by a full disk keeps its claim and is written once space is freed, once",
          .enabled(if: Tmpfs.canMount, "mount(2) of a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)"),
          arguments: ["retry", "reject", "reject a line of a batch"])
    func settleOnFullDisk(_ kind: String) throws {
        let disk = try TemporaryDirectory("settle-full")
        try #require(mount("tmpfs", disk.path, "tmpfs", 0, "size=256k") == 0, "mount: errno \(errno)")
        defer {
            umount2(disk.path, Int32(MNT_DETACH))
            disk.remove()
        }
        let clock = TestClock()
        let spool = try Spool(root: disk.path("spool"), clock: clock)
        let q = try spool.queue(try QueueName("full"))
        let policy = RetryPolicy(maxAttempts: 5, base: .seconds(10), cap: .seconds(10), random: { 0 })
        if kind == "reject a line of a batch" {
            try q.send(batch: [try testEnvelope(1, at: clock), try testEnvelope(2, at: clock)])
        } else {
            try q.send(try testEnvelope(1, at: clock))
        }
        let got = try q.claim(max: 2)
        let filler = disk.path("filler")
        #expect(Tmpfs.fill(filler) > 0)
        func settle() throws {
            if kind == "retry" { try q.retry(got[0], policy: policy, reason: "busy") } else { try q.reject(got[0], reason: "poison") }
        }
        #expect { try settle() } throws: { ($0 as? SpoolError)?.errno == ENOSPC }
        #expect(files(in: q.path + "/cur").count == 1)
        #expect(files(in: q.path + "/deferred").isEmpty && files(in: q.path + "/dead").isEmpty)
        #expect(q.unsettledCount == 1)
        // Still full: trying again keeps it; no other consumer takes the live claim before the lease.
        #expect(try q.claim(max: 1).isEmpty)
        #expect(q.unsettledCount == 1)
        #expect(try spool.queue(try QueueName("full")).recoverClaims() == 0)

        try FileManager.default.removeItem(atPath: filler)
        if kind == "reject" {
            // A consumer that only waits (a reply listener) finishes it too.
            _ = q.waitForMessages(timeout: .zero)
        } else {
            #expect(try q.claim(max: 1).isEmpty)
        }
        #expect(q.unsettledCount == 0)
        switch kind {
        case "retry":
            #expect(files(in: q.path + "/cur").isEmpty)
            #expect(files(in: q.path + "/deferred").count == 1)
            clock.advance(by: .seconds(5))
            let again = try q.claim(max: 2)
            #expect(again.map(\.envelope.attempts) == [1])
            try q.ack(again[0])
        case "reject":
            #expect(files(in: q.path + "/cur").isEmpty)
            #expect(try q.deadLetters().map(\.reason) == ["poison"])
        default:
            // The bad line is dead; the file stays claimed for its other line until that one is settled.
            #expect(try q.deadLetters().map(\.reason) == ["poison"])
            #expect(files(in: q.path + "/cur").count == 1)
            try q.ack(got[1])
        }
        #expect(files(in: q.path + "/cur").isEmpty && files(in: q.path + "/new").isEmpty && files(in: q.path + "/deferred").isEmpty)
        #expect(try q.claim(max: 2).isEmpty, "delivered once")
    }

    // MARK: - Bad input in new/

    /// Drops `bytes` into new/ under a name sorting before a good message, then claims.
    private func claimAfterPlanting(_ plant: (String) throws -> Void, knownTypes: Set<String>? = nil)
        throws -> (q: SpoolQueue, got: [Int], dir: TemporaryDirectory) {
        let dir = try TemporaryDirectory("queue")
        let q = try Spool(root: dir.path).queue(try QueueName("bad"))
        try plant(q.path + "/new/0000000000001-bad.json")
        try q.send(try testEnvelope(42))
        var got: [Int] = []
        for d in try q.claim(max: 10, knownTypes: knownTypes) {
            got.append(try d.envelope.decodeBody(QueueTestBody.self).n)
            try q.ack(d)
        }
        return (q, got, dir)
    }

    @Test("undecodable files go to dead/ byte for byte with a reason; the next good message is processed",
          arguments: [
            ("empty file", [UInt8]()),
            ("truncated", Array(#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{"#.utf8)),
            ("invalid UTF-8", Array(#"{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":""#.utf8) + [0xFF, 0xFE] + Array("\"}".utf8)),
            ("array", Array(#"[{"v":1,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{}}]"#.utf8)),
            ("unknown version", Array(#"{"v":9,"id":"a","type":"t","sent_at":"2026-01-01T00:00:00Z","body":{}}"#.utf8)),
          ])
    func badFile(label: String, bytes: [UInt8]) throws {
        let (q, got, dir) = try claimAfterPlanting { try writeRaw(bytes, to: $0) }
        defer { dir.remove() }
        #expect(got == [42], "\(label)")
        let dead = q.path + "/dead/0000000000001-bad.json"
        #expect(try Data(contentsOf: URL(fileURLWithPath: dead)) == Data(bytes), "kept byte for byte")
        #expect(FileManager.default.fileExists(atPath: dead + ".reason"))
        #expect(files(in: q.path + "/cur").isEmpty)
    }

    @Test("a 10 MB file is dead-lettered without being delivered")
    func hugeFile() throws {
        let (q, got, dir) = try claimAfterPlanting { try writeRaw([UInt8](repeating: 0x41, count: 10_000_000), to: $0) }
        defer { dir.remove() }
        #expect(got == [42])
        let reason = try String(contentsOfFile: q.path + "/dead/0000000000001-bad.json.reason", encoding: .utf8)
        #expect(reason.contains("exceeds limit"))
    }

    @Test("unknown types are rejected by the consumer's list of known types")
    func unknownType() throws {
        let (q, got, dir) = try claimAfterPlanting({ path in
            var line = try testEnvelope(7, type: "mystery").encodedLine()
            line.append(0x0A)
            try writeRaw(line, to: path)
        }, knownTypes: ["test.thing"])
        defer { dir.remove() }
        #expect(got == [42])
        let reason = try String(contentsOfFile: q.path + "/dead/0000000000001-bad.json.reason", encoding: .utf8)
        #expect(reason == "unknown type \"mystery\"\n")
    }

    @Test("a symlink in new/ is never followed: its target is untouched and the link goes to dead/")
    func symlink() throws {
        let outside = try TemporaryDirectory("queue")
        defer { outside.remove() }
        let target = outside.path + "/secret"
        var good = try testEnvelope(9).encodedLine()
        good.append(0x0A)
        try writeRaw(good, to: target)
        let (q, got, dir) = try claimAfterPlanting { try FileManager.default.createSymbolicLink(atPath: $0, withDestinationPath: target) }
        defer { dir.remove() }
        #expect(got == [42], "the link's target was not delivered")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(good))
        let dead = q.path + "/dead/0000000000001-bad.json"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dead) == target)
        #expect(try String(contentsOfFile: dead + ".reason", encoding: .utf8).contains("symbolic link"))
    }

    @Test("a directory in new/ is not a message and is left alone")
    func directory() throws {
        let (q, got, dir) = try claimAfterPlanting { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false) }
        defer { dir.remove() }
        #expect(got == [42])
        #expect(files(in: q.path + "/new") == ["0000000000001-bad.json"])
        #expect(files(in: q.path + "/dead").isEmpty)
        #expect(q.waitForMessages(timeout: .zero) == false, "a directory does not count as waiting")
    }

    @Test("a hidden file in new/ is ignored")
    func hidden() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("h"))
        var line = try testEnvelope(1).encodedLine()
        line.append(0x0A)
        try writeRaw(line, to: q.path + "/new/.hidden.json")
        #expect(try q.claim(max: 5).isEmpty)
        #expect(files(in: q.path + "/new") == [".hidden.json"])
    }

    @Test("a file with mode 000 is delivered when the reader is root, else dead-lettered as unreadable")
    func mode000() throws {
        var line = try testEnvelope(5).encodedLine()
        line.append(0x0A)
        let (q, got, dir) = try claimAfterPlanting { path in
            try writeRaw(line, to: path)
            chmod(path, 0)
        }
        defer { dir.remove() }
        if getuid() == 0 {
            #expect(got == [5, 42], "root can read mode 000, and the content is a good message")
        } else {
            #expect(got == [42])
            #expect(FileManager.default.fileExists(atPath: q.path + "/dead/0000000000001-bad.json.reason"))
        }
    }

    @Test("a batch file with one bad line: the bad line is dead-lettered alone, the others delivered")
    func partialBatch() throws {
        let (q, got, dir) = try claimAfterPlanting { path in
            var bytes = try testEnvelope(1).encodedLine() + [0x0A]
            bytes += Array("{not json\n".utf8)
            bytes += try testEnvelope(2).encodedLine() + [0x0A]
            try writeRaw(bytes, to: path)
        }
        defer { dir.remove() }
        #expect(got == [1, 2, 42])
        #expect(try String(contentsOfFile: q.path + "/dead/0000000000001-bad.json.1", encoding: .utf8) == "{not json\n")
        #expect(files(in: q.path + "/cur").isEmpty)
    }

    @Test("a file with an invalid name is dead-lettered")
    func invalidFileName() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let q = try Spool(root: dir.path).queue(try QueueName("n"))
        var line = try testEnvelope(1).encodedLine()
        line.append(0x0A)
        try writeRaw(line, to: q.path + "/new/bad name@1-2.json")
        #expect(try q.claim(max: 5).isEmpty)
        #expect(files(in: q.path + "/new").isEmpty)
        #expect(files(in: q.path + "/dead").count == 2)
    }

    // MARK: - Claims, recovery, races

    @Test("a claim held by a dead pid comes back at once; a live one only after the lease")
    func recovery() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let clock = TestClock()
        var limits = SpoolLimits()
        limits.lease = .seconds(60)
        let spool = try Spool(root: dir.path, clock: clock, limits: limits)
        let q = try spool.queue(try QueueName("rec"))
        try q.send(try testEnvelope(1, at: clock))
        try q.send(try testEnvelope(2, at: clock))
        let names = files(in: q.path + "/new")
        let nowMs = clock.now().millisecondsSinceEpoch
        let dead = try deadPid()
        rename(q.path + "/new/" + names[0], q.path + "/cur/\(names[0])@\(dead)-\(nowMs)")
        rename(q.path + "/new/" + names[1], q.path + "/cur/\(names[1])@1-\(nowMs)")  // pid 1 is alive
        #expect(try q.recoverClaims() == 1)
        #expect(files(in: q.path + "/new") == [names[0]])
        clock.advance(by: .milliseconds(60_000))
        #expect(try q.recoverClaims() == 1)
        #expect(files(in: q.path + "/new") == names)
    }

    @Test("another consumer in this process does not steal a live claim before the lease")
    func ownClaimsKept() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let a = try spool.queue(try QueueName("own"))
        let b = try spool.queue(try QueueName("own"))
        try a.send(try testEnvelope(1))
        let d = try #require(try a.claim(max: 1).first)
        #expect(try b.recoverClaims() == 0)
        #expect(try b.claim(max: 1).isEmpty)
        try a.ack(d)
    }

    @Test("two consumers racing on one queue: each message is claimed by exactly one")
    func race() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let name = try QueueName("race")
        let producer = try spool.queue(name)
        for chunk in 0..<20 { try producer.send(batch: try (0..<10).map { try testEnvelope(chunk * 10 + $0) }) }
        for i in 200..<300 { try producer.send(try testEnvelope(i)) }
        let consumers = try (0..<4).map { _ in try spool.queue(name) }
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for c in consumers {
                group.addTask {
                    var mine: [Int] = []
                    while true {
                        let got = try c.claim(max: 7)
                        if got.isEmpty { break }
                        for d in got { mine.append(try d.envelope.decodeBody(QueueTestBody.self).n); try c.ack(d) }
                    }
                    return mine
                }
            }
            var all: [[Int]] = []
            for try await r in group { all.append(r) }
            return all
        }
        let flat = results.flatMap { $0 }
        #expect(flat.count == 300, "no message delivered twice")
        #expect(Set(flat) == Set(0..<300), "none lost")
    }

    @Test("a crash between write and rename leaves only a tmp file, swept after an hour")
    func staleTmp() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let clock = TestClock(Timestamp(Date()))
        let q = try Spool(root: dir.path, clock: clock).queue(try QueueName("tmp"))
        try writeRaw(Array("{\"half".utf8), to: q.path + "/tmp/crashed.json")
        #expect(try q.claim(max: 1).isEmpty, "tmp/ is never delivered")
        #expect(q.sweepTmp() == 0)
        clock.advance(by: .milliseconds(3_600_000 + 5_000))
        #expect(q.sweepTmp() == 1)
        #expect(files(in: q.path + "/tmp").isEmpty)
    }

    // MARK: - Waiting

    @Test("a waiting consumer wakes when a message arrives")
    func wakeUp() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        var limits = SpoolLimits()
        limits.pollInterval = .seconds(30)  // so only inotify can wake it within the test's deadline
        let spool = try Spool(root: dir.path, limits: limits)
        let q = try spool.queue(try QueueName("wake"))
        #expect(q.waitForMessages(timeout: .milliseconds(1)) == false)
        async let waited = try q.messages(max: 5, timeout: TestTime.scaled(.seconds(20)))
        // Gives the consumer time to start waiting; if it has not yet, it finds the message at once and the test still passes.
        try await Task.sleep(for: .milliseconds(50))  // sleep-ok: orders the send after the wait began, no event to wait on
        try spool.queue(try QueueName("wake")).send(try testEnvelope(3))
        let got = try await waited
        #expect(got.count == 1)
    }

    @Test("polling finds a message even without a notification")
    func pollingFallback() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        var limits = SpoolLimits()
        limits.pollInterval = .milliseconds(20)
        let spool = try Spool(root: dir.path, limits: limits)
        let q = try spool.queue(try QueueName("poll"))
        // A file appearing in deferred/ that is already due triggers no inotify event on new/.
        let other = try spool.queue(try QueueName("poll"))
        try other.send(try testEnvelope(1))
        let name = try #require(files(in: q.path + "/new").first)
        rename(q.path + "/new/" + name, q.path + "/deferred/" + name)
        // The async wait: a blocking `waitForMessages` would hold a thread of the cooperative pool.
        #expect(try await q.messages(max: 1, timeout: TestTime.scaled(.seconds(20))).count == 1)
    }

    // MARK: - Exchange

    @Test("publishing writes one copy into each bound queue")
    func fanOut() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let ex = spool.exchange(.events)
        #expect(try ex.bindings().isEmpty)
        for s in AnalyticsService.allCases { try ex.bind(.events(s)) }
        try ex.bind(.events(.openTickets))
        #expect(try ex.bindings() == AnalyticsService.allCases.map { QueueName.events($0) }.sorted())
        #expect(FileManager.default.fileExists(atPath: dir.path + "/exchanges/events/events.open-tickets"))
        let batch = try (0..<5).map { try testEnvelope($0) }
        try ex.publish(batch)
        for s in AnalyticsService.allCases {
            let got = try spool.queue(.events(s)).claim(max: 10)
            #expect(got.map(\.envelope) == batch)
        }
        try ex.unbind(.events(.openTickets))
        #expect(try ex.bindings().count == AnalyticsService.allCases.count - 1)
    }

    // MARK: - Request/reply

    @Test("request gets the reply routed by correlation id")
    func requestReply() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let requester = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "test")
        defer { requester.close() }
        #expect(requester.replyQueue.rawValue == "reply.test.\(getpid())")
        let service = try spool.queue(try QueueName("svc"))
        let stop = Atomic<Bool>(false)
        let responder = Thread {
            while !stop.load(ordering: .relaxed) {
                guard service.waitForMessages(timeout: .milliseconds(50)),
                      let got = try? service.claim(max: 10) else { continue }
                for d in got {
                    let n = (try? d.envelope.decodeBody(QueueTestBody.self).n) ?? -1
                    try? SpoolMessageBroker(spool: spool).reply(to: d.envelope, type: "answer", body: QueueTestBody(n: n * 2))
                    try? service.ack(d)
                }
            }
        }
        responder.start()
        defer { stop.store(true, ordering: .relaxed) }
        for i in 1...5 {
            let reply = try await requester.request(try testEnvelope(i), to: service.name, timeout: TestTime.scaled(.seconds(20)))
            #expect(try reply.decodeBody(QueueTestBody.self).n == i * 2)
            #expect(reply.type == "answer")
        }
    }

    @Test("no reply in time is .timedOut, the request stays queued, and the late reply is discarded")
    func timeoutAndLateReply() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let requester = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "late")
        defer { requester.close() }
        let service = try spool.queue(try QueueName("slow"))
        await #expect(throws: RequestError.timedOut) {
            _ = try await requester.request(try testEnvelope(1), to: service.name, timeout: .milliseconds(30))
        }
        let d = try #require(try service.claim(max: 1).first, "the request is durably queued")
        try SpoolMessageBroker(spool: spool).reply(to: d.envelope, type: "answer", body: QueueTestBody(n: 0))
        try service.ack(d)
        let replyPath = spool.path(of: requester.replyQueue)
        try await eventually("the late reply to be discarded") { requester.discardedReplies > 0 }
        #expect(requester.discardedReplies == 1, "the late reply arrived and was dropped")
        #expect(files(in: replyPath + "/new").isEmpty && files(in: replyPath + "/cur").isEmpty)
    }

    @Test("a send failure is .sendFailed")
    func sendFailed() async throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let requester = try RequestClient(broker: SpoolMessageBroker(spool: spool), processName: "fail")
        defer { requester.close() }
        let big = try Envelope(type: "t", body: QueueTestBody(n: 1, text: String(repeating: "x", count: 2 << 20)), sentAt: Timestamp(millisecondsSinceEpoch: 0))
        await #expect { _ = try await requester.request(big, to: try QueueName("x"), timeout: .seconds(5)) } throws: { error in
            if case .sendFailed(let e) = error as? RequestError { return e.kind == .tooLarge }
            return false
        }
    }

    @Test("reply queues of dead processes are removed; a reply to a vanished queue is dropped quietly")
    func replyQueueCleanup() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path)
        let gone = try QueueName("reply.gateway.\(try deadPid())")
        let alive = try QueueName("reply.gateway.1")
        _ = try spool.queue(gone)
        _ = try spool.queue(alive)
        #expect(spool.removeDeadReplyQueues() == [gone])
        #expect(!spool.queueExists(gone))
        #expect(spool.queueExists(alive))
        let request = Envelope(type: "q", sentAt: Timestamp(millisecondsSinceEpoch: 0), replyTo: gone, correlationID: "c", rawBody: Data("{}".utf8))
        try SpoolMessageBroker(spool: spool).reply(to: request, type: "a", body: QueueTestBody(n: 1))
        #expect(!spool.queueExists(gone))
    }

    // MARK: - Stats

    @Test("stats count messages in batch files, claims, dead letters and the oldest age")
    func stats() throws {
        let dir = try TemporaryDirectory("queue")
        defer { dir.remove() }
        let clock = TestClock(Timestamp(Date()))
        let q = try Spool(root: dir.path, clock: clock).queue(try QueueName("st"))
        #expect(try q.stats() == QueueStats(queue: q.name, waiting: 0, claimed: 0, dead: 0, oldestAgeSeconds: nil))
        try q.send(batch: try (0..<3).map { try testEnvelope($0) })
        try q.send(try testEnvelope(3))
        try writeRaw([], to: q.path + "/new/0000000000000-empty.json")
        let first = try q.claim(max: 1)
        #expect(first.count == 1)
        clock.advance(by: .milliseconds(10_000))
        let s = try q.stats()
        #expect(s.waiting == 1)
        #expect(s.claimed == 3)
        #expect(s.dead == 1)
        #expect((s.oldestAgeSeconds ?? 0) >= 9)
    }
}
