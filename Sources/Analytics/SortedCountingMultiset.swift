/// A sorted multiset of `Int64` that counts the values at or above a bound in O(log n).
///
/// Why: open-tickets must count not-closed tickets with `opened_at ≥ since` at query time at
/// the same cost for 1,000 or 1,000,000 tickets, while imports insert past timestamps anywhere.
/// A single sorted array would cost O(n) per insert; a Fenwick tree over minutes would cost
/// memory proportional to the time span (a 1970 timestamp next to a 2026 one is 29 M minutes).
/// So values live in sorted chunks of at most `2 × chunkLoad` elements (insert costs one small
/// memmove), and a Fenwick tree over chunk sizes answers "how many in later chunks" in O(log n).
public struct SortedCountingMultiset: Sendable, Equatable {
    private var chunks: [[Int64]] = []
    /// The last (largest) value of each chunk, for binary search over chunks.
    private var maxima: [Int64] = []
    private var sizes: FenwickTree = FenwickTree(count: 0)
    /// How many values are held, counting repeats.
    public private(set) var count: Int = 0

    static let chunkLoad = 512

    public init() {}

    /// Builds the multiset from values already in ascending order, in O(n).
    public init<S: Sequence>(ascending values: S) where S.Element == Int64 {
        var chunk: [Int64] = []
        chunk.reserveCapacity(Self.chunkLoad)
        var previous = Int64.min
        for v in values {
            precondition(v >= previous, "SortedCountingMultiset(ascending:) needs ascending input")
            previous = v
            chunk.append(v)
            if chunk.count == Self.chunkLoad {
                chunks.append(chunk)
                // A new buffer of the chunk's size: `removeAll(keepingCapacity:)` on the shared one
                // would ask for its capacity, which malloc's rounding can grow chunk after chunk.
                chunk = []
                chunk.reserveCapacity(Self.chunkLoad)
            }
        }
        if !chunk.isEmpty { chunks.append(chunk) }
        rebuildIndex()
    }

    public static func == (a: SortedCountingMultiset, b: SortedCountingMultiset) -> Bool {
        a.count == b.count && a.chunks.joined().elementsEqual(b.chunks.joined())
    }

    /// All values in ascending order (repeats included).
    public var ascending: some Sequence<Int64> { chunks.joined() }

    /// Adds one occurrence of `value`.
    public mutating func insert(_ value: Int64) {
        count += 1
        if chunks.isEmpty {
            chunks = [[value]]
            rebuildIndex()
            return
        }
        let c = min(firstChunk(withMaximumAtLeast: value), chunks.count - 1)
        let position = Self.upperBound(chunks[c], value)
        chunks[c].insert(value, at: position)
        if value > maxima[c] { maxima[c] = value }
        sizes.add(1, at: c)
        if chunks[c].count > 2 * Self.chunkLoad {
            let upper = Array(chunks[c][Self.chunkLoad...])
            chunks[c].removeSubrange(Self.chunkLoad...)
            chunks.insert(upper, at: c + 1)
            rebuildIndex()
        }
    }

    /// Removes one occurrence of `value`; false (and no change) if it is not held.
    @discardableResult
    public mutating func remove(_ value: Int64) -> Bool {
        let c = firstChunk(withMaximumAtLeast: value)
        guard c < chunks.count else { return false }
        let position = Self.lowerBound(chunks[c], value)
        guard position < chunks[c].count, chunks[c][position] == value else { return false }
        count -= 1
        chunks[c].remove(at: position)
        if chunks[c].isEmpty {
            chunks.remove(at: c)
            rebuildIndex()
        } else {
            maxima[c] = chunks[c][chunks[c].count - 1]
            sizes.add(-1, at: c)
        }
        return true
    }

    /// How many held values are ≥ `bound`.
    public func count(atLeast bound: Int64) -> Int {
        let c = firstChunk(withMaximumAtLeast: bound)
        guard c < chunks.count else { return 0 }
        let inChunk = chunks[c].count - Self.lowerBound(chunks[c], bound)
        let throughChunk = sizes.prefixSum(through: c)
        return inChunk + (count - throughChunk)
    }

    /// The smallest held value ≥ `bound`, if any, in O(log n).
    public func first(atLeast bound: Int64) -> Int64? {
        let c = firstChunk(withMaximumAtLeast: bound)
        guard c < chunks.count else { return nil }
        return chunks[c][Self.lowerBound(chunks[c], bound)]
    }

    /// How many held values are ≤ `bound`.
    public func count(atMost bound: Int64) -> Int {
        bound == Int64.max ? count : count - count(atLeast: bound + 1)
    }

    /// The value at zero-based `rank` in ascending order (repeats counted), in O(log n); nil if out of range.
    ///
    /// Why: a median (rank `count / 2`) is asked at query time over values that change by single
    /// inserts and removals; the Fenwick tree over chunk sizes finds the chunk holding the rank.
    public func value(atRank rank: Int) -> Int64? {
        guard rank >= 0, rank < count else { return nil }
        let (c, before) = sizes.firstIndex(withPrefixSumAbove: rank)
        return chunks[c][rank - before]
    }

    /// How many times `value` is held.
    public func multiplicity(of value: Int64) -> Int {
        value == Int64.max ? count(atLeast: value) : count(atLeast: value) - count(atLeast: value + 1)
    }

    // MARK: - Internals

    private func firstChunk(withMaximumAtLeast value: Int64) -> Int {
        var lo = 0
        var hi = maxima.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if maxima[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func rebuildIndex() {
        maxima = chunks.map { $0[$0.count - 1] }
        sizes = FenwickTree(chunks.map(\.count))
        count = chunks.reduce(0) { $0 + $1.count }
    }

    private static func lowerBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func upperBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A Fenwick (binary indexed) tree of counts: point update and prefix sum in O(log n).
struct FenwickTree: Sendable, Equatable {
    private var tree: [Int]

    init(count: Int) { tree = Array(repeating: 0, count: count + 1) }

    /// Builds the tree from initial values in O(n).
    init(_ values: [Int]) {
        tree = [0] + values
        let n = values.count
        var i = 1
        while i <= n {
            let parent = i + (i & -i)
            if parent <= n { tree[parent] += tree[i] }
            i += 1
        }
    }

    /// Adds `delta` to the value at zero-based `index`.
    mutating func add(_ delta: Int, at index: Int) {
        var i = index + 1
        while i < tree.count {
            tree[i] += delta
            i += i & -i
        }
    }

    /// The first zero-based index whose prefix sum exceeds `target`, with the sum of the values
    /// before it (a Fenwick descent, O(log n)); values must be non-negative and `target` < the total.
    func firstIndex(withPrefixSumAbove target: Int) -> (index: Int, before: Int) {
        var position = 0
        var remaining = target
        var step = 1
        while step * 2 < tree.count { step *= 2 }
        while step > 0 {
            let next = position + step
            if next < tree.count, tree[next] <= remaining {
                position = next
                remaining -= tree[next]
            }
            step /= 2
        }
        return (position, target - remaining)
    }

    /// The sum of values at zero-based indices 0...index.
    func prefixSum(through index: Int) -> Int {
        var i = index + 1
        var sum = 0
        while i > 0 {
            sum += tree[i]
            i -= i & -i
        }
        return sum
    }
}
