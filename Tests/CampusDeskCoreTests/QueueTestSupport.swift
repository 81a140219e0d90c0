import Foundation
import Synchronization
@testable import Domain
@testable import SpoolBroker
#if canImport(Glibc)
import Glibc
#endif

/// A clock the test moves by hand.
final class QueueTestClock: WallClock {
    private let ms: Mutex<Int64>
    init(_ start: Int64 = 1_795_000_000_000) { ms = Mutex(start) }
    func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: ms.withLock { $0 }) }
    func advance(milliseconds: Int64) { ms.withLock { $0 += milliseconds } }
}

/// A fresh temp directory per test, removed by `cleanup()`.
struct QueueTempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("queue-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

struct QueueTestBody: Codable, Equatable, Sendable {
    var n: Int
    var text: String = "hello"
}

func testEnvelope(_ n: Int, type: String = "test.thing", at clock: any WallClock = SystemClock()) throws -> Envelope {
    try Envelope(type: type, body: QueueTestBody(n: n), sentAt: clock.now())
}

func files(in dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

func writeRaw(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// The pid of a process that has exited (so it is certainly not alive).
func deadPid() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
}
