import Foundation
import Testing
import TestSupport
import Domain
@testable import SLAMonitor

@Suite struct SLAStateFileTests {
    @Test("a saved state loads back identical; a missing file is an empty state")
    func roundTrip() throws {
        let dir = try TemporaryDirectory("sla-state")
        defer { dir.remove() }
        let path = SLAStateFile.path(inDataDirectory: dir.path)
        #expect(try SLAStateFile.load(from: path).lastSeq == .zero)
        var state = SLAMonitorState()
        var rng = SplitMix64(seed: 16)
        let events = (1...500).map { seq in
            SLAEvents.event(Int64(seq), ticket: Int64.random(in: 1...300, using: &rng),
                            firstResponse: SLAEvents.timer(target: Int64.random(in: 4...600, using: &rng)),
                            resolution: SLAEvents.timer(target: Int64.random(in: 4...6_000, using: &rng), recorded: Bool.random(using: &rng) ? .onTrack : .atRisk))
        }
        state.apply(events)
        _ = state.takeDue(now: SLAEvents.at(minutes: 100))
        try SLAStateFile.save(state, to: path)
        let loaded = try SLAStateFile.load(from: path)
        #expect(loaded.lastSeq == SequenceNumber(500))
        #expect(loaded.timers.entries == state.timers.entries)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 40 + 24 * state.timers.count)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        // The loaded heap keeps working as a heap.
        var a = state, b = loaded
        #expect(a.takeDue(now: SLAEvents.at(minutes: 100_000)) == b.takeDue(now: SLAEvents.at(minutes: 100_000)))
    }

    @Test("a damaged, truncated or foreign file is a clear error, not wrong timers")
    func corrupt() throws {
        let dir = try TemporaryDirectory("sla-state")
        defer { dir.remove() }
        let path = dir.path("sla-monitor.state")
        var state = SLAMonitorState()
        state.apply([SLAEvents.opened(1, ticket: 1), SLAEvents.opened(2, ticket: 2)])
        try SLAStateFile.save(state, to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        var flipped = good
        flipped[50] ^= 0x04
        try flipped.write(to: URL(fileURLWithPath: path))
        #expect { try SLAStateFile.load(from: path) } throws: { ($0 as? SLAStateFileError)?.reason.contains("checksum") == true }

        try good.prefix(good.count - 24).write(to: URL(fileURLWithPath: path))
        #expect { try SLAStateFile.load(from: path) } throws: { ($0 as? SLAStateFileError)?.reason.contains("announces") == true }

        try Data("not a state file, just text!!!!!!!!!!!!!!!!".utf8).prefix(40).write(to: URL(fileURLWithPath: path))
        #expect { try SLAStateFile.load(from: path) } throws: { ($0 as? SLAStateFileError)?.reason.contains("not an SLA monitor state file") == true }

        try Data().write(to: URL(fileURLWithPath: path))
        #expect { try SLAStateFile.load(from: path) } throws: { ($0 as? SLAStateFileError)?.reason.contains("truncated") == true }
    }
}
