import TestSupport
import Testing
import Domain
@testable import SLAMonitor


@Suite(.onDedicatedThreads) struct SLATimerHeapTests {
    /// The heap against a deliberately simple oracle: one entry per timer in a dictionary, the
    /// earliest found by sorting all of them.
    @Test("random upserts, removals and pops match a sorted-array oracle", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomAgainstOracle(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var heap = SLATimerHeap()
        var oracle: [UInt64: PendingTransition] = [:]
        func oracleFirst() -> PendingTransition? {
            oracle.values.min { ($0.instant, $0.tag) < ($1.instant, $1.tag) }
        }
        for _ in 0..<4_000 {
            let key = TimerKey(ticket: TicketID(Int64.random(in: 1...300, using: &rng)), kind: Bool.random(using: &rng) ? .firstResponse : .resolution)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                // Few distinct instants, so ties (broken by the tag) are common.
                let instant = Int64.random(in: 0...50, using: &rng)
                let entry = PendingTransition(instant: instant, due: instant + 10, tag: key.rawValue << 1 | UInt64.random(in: 0...1, using: &rng))
                heap.upsert(entry)
                oracle[key.rawValue] = entry
            case 6..<8:
                #expect(heap.remove(key) == (oracle.removeValue(forKey: key.rawValue) != nil))
            default:
                let expected = oracleFirst()
                #expect(heap.popFirst() == expected)
                if let expected { oracle[expected.key.rawValue] = nil }
            }
            #expect(heap.count == oracle.count)
            #expect(heap.first == oracleFirst())
        }
        for (raw, entry) in oracle { #expect(heap.entry(for: TimerKey(rawValue: raw)) == entry) }
        // Adopting the array as it is (a loaded file) keeps the index; an array out of heap order is refused.
        let adopted = SLATimerHeap(heapOrdered: heap.entries)
        #expect(adopted?.entries == heap.entries)
        for (raw, entry) in oracle { #expect(adopted?.entry(for: TimerKey(rawValue: raw)) == entry) }
        if heap.count > 2 { #expect(SLATimerHeap(heapOrdered: heap.entries.reversed()) == nil) }
        var drained: [PendingTransition] = []
        while let e = heap.popFirst() { drained.append(e) }
        #expect(drained == oracle.values.sorted { ($0.instant, $0.tag) < ($1.instant, $1.tag) })
    }

    @Test("an entry packs ticket, timer and state, and moves on from at risk to breached to nothing")
    func packing() throws {
        let timer = SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: 750), due: Timestamp(millisecondsSinceEpoch: 1_000)))
        let entry = try #require(PendingTransition(ticket: TicketID(123_456_789_012), kind: .resolution, timer: timer))
        #expect(entry.key.ticket == TicketID(123_456_789_012) && entry.key.kind == .resolution && entry.state == .atRisk && entry.instant == 750)
        let next = try #require(entry.following)
        #expect(next.key == entry.key && next.state == .breached && next.instant == 1_000)
        #expect(next.following == nil)
        #expect(MemoryLayout<PendingTransition>.stride == SLAStateFile.bytesPerTimer)
        var recorded = timer
        recorded.recorded = .atRisk
        #expect(PendingTransition(ticket: TicketID(1), kind: .firstResponse, timer: recorded)?.state == .breached)
        recorded.recorded = .breached
        #expect(PendingTransition(ticket: TicketID(1), kind: .firstResponse, timer: recorded) == nil)
        var met = timer
        met.metAt = Timestamp(millisecondsSinceEpoch: 500)
        #expect(PendingTransition(ticket: TicketID(1), kind: .firstResponse, timer: met) == nil)
    }
}
