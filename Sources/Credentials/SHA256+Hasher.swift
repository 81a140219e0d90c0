extension SHA256 {
    /// SHA-256 fed in pieces: the same digest as ``SHA256/hash(_:)`` of the pieces joined, in
    /// memory of one block (the attachment check hashes a file 64 KiB at a time).
    public struct Hasher: Sendable {
        var state = State.initial
        /// Bytes not yet compressed: fewer than one block.
        var tail: [UInt8] = []
        /// Bytes compressed into `state` so far (a whole number of blocks).
        var compressed = 0

        public init() {}

        /// Adds `bytes` to the message.
        public mutating func update(_ bytes: [UInt8]) { update(bytes[...]) }

        /// Adds `bytes` to the message.
        public mutating func update(_ bytes: ArraySlice<UInt8>) {
            var input = bytes
            if !tail.isEmpty {
                let take = min(SHA256.blockLength - tail.count, input.count)
                tail += input.prefix(take)
                input = input.dropFirst(take)
                guard tail.count == SHA256.blockLength else { return }
                state.compress(block: tail)
                compressed += SHA256.blockLength
                tail.removeAll(keepingCapacity: true)
            }
            let whole = input.count / SHA256.blockLength * SHA256.blockLength
            if whole > 0 {
                input.prefix(whole).withUnsafeBytes { raw in
                    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                        for start in stride(from: 0, to: whole, by: SHA256.blockLength) {
                            State.load(UnsafeRawBufferPointer(rebasing: raw[start...]), into: w)
                            state.compress(w)
                        }
                    }
                }
                compressed += whole
            }
            tail += input.dropFirst(whole)
        }

        /// The digest of everything added (32 bytes).
        public func finalize() -> [UInt8] {
            var last = state
            last.finish(tail, after: compressed)
            return last.bytes
        }
    }
}
