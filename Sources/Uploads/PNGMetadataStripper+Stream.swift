extension PNGMetadataStripper {
    /// The stripper fed a PNG in chunks: ``PNGMetadataStripper/strip(_:)`` is this fed once. It
    /// holds only a chunk header (8 bytes); kept chunks pass through as they come, removed ones
    /// are skipped. Any split of the same bytes gives the same output and errors.
    public struct Stream: Sendable, ChunkedStripper {
        enum State: Sendable {
            case signature
            case header
            /// Inside a chunk: its data and CRC bytes still to come.
            case body(type: String, keep: Bool, remaining: Int)
            case done
        }

        var state = State.signature
        var buffer: [UInt8] = []
        var chunks = 0
        var trailing = 0
        var removed: [String] = []

        public init() {}

        /// Takes the next bytes of the file and appends what is kept of them to `out`.
        public mutating func feed(_ chunk: ArraySlice<UInt8>, into out: inout [UInt8]) throws(Failure) {
            let c = chunk
            var i = c.startIndex
            while i < c.endIndex {
                switch state {
                case .signature:
                    guard c[i] == signature[buffer.count] else { throw .notPNG }
                    buffer.append(c[i])
                    i += 1
                    if buffer.count == 8 {
                        out += signature
                        buffer.removeAll(keepingCapacity: true)
                        state = .header
                    }
                case .header:
                    let take = min(8 - buffer.count, c.endIndex - i)
                    buffer += c[i..<(i + take)]
                    i += take
                    guard buffer.count == 8 else { continue }
                    let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
                    let type = String(decoding: buffer[4..<8], as: UTF8.self)
                    let critical = buffer[4] & 0x20 == 0  // bit 5 of the first type byte: 0 = critical
                    let keep = critical || keptAncillary.contains(type)
                    if keep { out += buffer }
                    buffer.removeAll(keepingCapacity: true)
                    state = .body(type: type, keep: keep, remaining: length + 4)
                case .body(let type, let keep, let remaining):
                    let take = min(remaining, c.endIndex - i)
                    if keep { out += c[i..<(i + take)] }
                    i += take
                    state = .body(type: type, keep: keep, remaining: remaining - take)
                    if remaining == take { try endChunk(type, keep: keep) }
                case .done:
                    trailing += c.endIndex - i
                    i = c.endIndex
                }
            }
        }

        /// Ends the file: the types of the chunks removed, or why the PNG is refused.
        public func finish() throws(Failure) -> [String] {
            switch state {
            case .done: return trailing > 0 ? removed + ["\(trailing) bytes after IEND"] : removed
            case .signature: throw .notPNG
            default: throw .truncated
            }
        }

        mutating func endChunk(_ type: String, keep: Bool) throws(Failure) {
            // A first chunk that is not IHDR is refused once it is whole (a cut one is `truncated`).
            if chunks == 0, type != "IHDR" { throw .missingIHDR }
            chunks += 1
            if !keep { removed.append(type) }
            state = type == "IEND" ? .done : .header
        }
    }
}
