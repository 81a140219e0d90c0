import Foundation
import TestSupport
@testable import Domain
@testable import SpoolBroker

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
