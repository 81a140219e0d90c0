/// The running SLA timers as a binary min-heap of their next transitions, indexed by timer.
///
/// Why an indexed heap and not a scan or lazy deletion: the next due instant is the root (O(1)),
/// a new event replaces or removes one timer's entry in O(log n), and there is never more than
/// one entry per timer, so memory is the running timers and nothing stale: 24 bytes per entry in
/// the array plus the index (`Dictionary<UInt64, Int32>`, about 12 bytes per bucket).
/// Ties are broken by the tag, so the order is a total order and the same on every run.
public struct SLATimerHeap: Sendable {
    public private(set) var entries: [PendingTransition] = []
    /// Where each timer's entry sits in `entries`.
    private var position: [UInt64: Int32] = [:]

    public init() {}

    /// Rebuilds a heap from entries in any order (a loaded state file); a later duplicate of a timer replaces the earlier one.
    public init<S: Sequence>(_ loaded: S) where S.Element == PendingTransition {
        for entry in loaded { upsert(entry) }
    }

    /// Adopts entries already in heap order (a saved state file), building only the index: one
    /// pass instead of a million inserts. Nil when they are not a heap or a timer appears twice.
    public init?(heapOrdered: [PendingTransition]) {
        position.reserveCapacity(heapOrdered.count)
        for (i, entry) in heapOrdered.enumerated() {
            if i > 0, Self.precedes(entry, heapOrdered[(i - 1) / 2]) { return nil }
            guard position.updateValue(Int32(i), forKey: entry.key.rawValue) == nil else { return nil }
        }
        entries = heapOrdered
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The earliest pending transition.
    public var first: PendingTransition? { entries.first }

    /// Makes room for `n` timers up front, so a known size does not double the array on the way.
    public mutating func reserveCapacity(_ n: Int) {
        entries.reserveCapacity(n)
        position.reserveCapacity(n)
    }

    /// The entry of one timer, if it is running.
    public func entry(for key: TimerKey) -> PendingTransition? {
        position[key.rawValue].map { entries[Int($0)] }
    }

    /// Inserts the timer's entry, or replaces the one it had.
    public mutating func upsert(_ entry: PendingTransition) {
        let key = entry.key.rawValue
        if let at = position[key] {
            let i = Int(at)
            let old = entries[i]
            entries[i] = entry
            if Self.precedes(entry, old) { siftUp(i) } else { siftDown(i) }
        } else {
            entries.append(entry)
            position[key] = Int32(entries.count - 1)
            siftUp(entries.count - 1)
        }
    }

    /// Removes the timer's entry (met, closed, breached recorded); returns whether there was one.
    @discardableResult
    public mutating func remove(_ key: TimerKey) -> Bool {
        guard let at = position.removeValue(forKey: key.rawValue) else { return false }
        let i = Int(at)
        let last = entries.removeLast()
        guard i < entries.count else { return true }
        entries[i] = last
        position[last.key.rawValue] = Int32(i)
        if i > 0, Self.precedes(last, entries[(i - 1) / 2]) { siftUp(i) } else { siftDown(i) }
        return true
    }

    /// Removes and returns the earliest entry.
    @discardableResult
    public mutating func popFirst() -> PendingTransition? {
        guard let top = entries.first else { return nil }
        remove(top.key)
        return top
    }

    /// Whether `a` comes before `b`: earlier instant, then smaller tag.
    @inline(__always)
    static func precedes(_ a: PendingTransition, _ b: PendingTransition) -> Bool {
        a.instant != b.instant ? a.instant < b.instant : a.tag < b.tag
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        let moving = entries[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.precedes(moving, entries[parent]) else { break }
            entries[i] = entries[parent]
            position[entries[i].key.rawValue] = Int32(i)
            i = parent
        }
        entries[i] = moving
        position[moving.key.rawValue] = Int32(i)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let moving = entries[i]
        let n = entries.count
        while true {
            let left = 2 * i + 1
            guard left < n else { break }
            var child = left
            if left + 1 < n, Self.precedes(entries[left + 1], entries[left]) { child = left + 1 }
            guard Self.precedes(entries[child], moving) else { break }
            entries[i] = entries[child]
            position[entries[i].key.rawValue] = Int32(i)
            i = child
        }
        entries[i] = moving
        position[moving.key.rawValue] = Int32(i)
    }
}
