extension WebPMetadataStripper {
    /// The stripper fed a WebP in chunks: ``WebPMetadataStripper/strip(_:)`` is this fed once.
    ///
    /// It holds only a chunk header (8 bytes); kept chunks pass through as they come. The RIFF
    /// size at the start of the output is known only at the end, so the output starts with a
    /// 12-byte header whose size is zero, and ``finish()`` gives the real 12 bytes to write over
    /// it (at offset 0). Any split of the same bytes gives the same output and errors.
    public struct Stream: Sendable, ChunkedStripper {
        enum State: Sendable {
            case header
            case chunkHeader
            /// Inside a chunk: bytes still to come before the RIFF's end, and whether a pad byte
            /// past that end must be added to a kept chunk.
            case body(type: String, keep: Bool, remaining: Int, padAfter: Bool)
            case done
        }

        var state = State.header
        var buffer: [UInt8] = []
        var position = 0
        var riffEnd = 0
        var bodyBytes = 0
        var clearFlags = false
        var removed: [String] = []

        public init() {}

        /// Takes the next bytes of the file and appends what is kept of them to `out`.
        public mutating func feed(_ chunk: ArraySlice<UInt8>, into out: inout [UInt8]) throws(Failure) {
            let c = chunk
            var i = c.startIndex
            defer { position += c.count }
            func offset(_ index: Int) -> Int { position + index - c.startIndex }
            while i < c.endIndex {
                switch state {
                case .header:
                    let magic = buffer.count < 4 ? Array("RIFF".utf8)[buffer.count] : buffer.count >= 8 ? Array("WEBP".utf8)[buffer.count - 8] : nil
                    if let magic, c[i] != magic { throw .notWebP }
                    buffer.append(c[i])
                    i += 1
                    guard buffer.count == 12 else { continue }
                    riffEnd = 8 + WebPMetadataStripper.littleEndian(buffer, 4)
                    out += Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)
                    buffer.removeAll(keepingCapacity: true)
                    state = riffEnd > 12 ? .chunkHeader : .done
                case .chunkHeader:
                    let at = offset(i) - buffer.count
                    guard at + 8 <= riffEnd else { throw .truncated }
                    let take = min(8 - buffer.count, c.endIndex - i)
                    buffer += c[i..<(i + take)]
                    i += take
                    guard buffer.count == 8 else { continue }
                    let type = String(decoding: buffer[0..<4], as: UTF8.self)
                    let size = WebPMetadataStripper.littleEndian(buffer, 4)
                    let end = at + 8 + size + (size & 1)  // chunks are padded to an even size
                    guard size <= riffEnd - at - 8, end <= riffEnd || (end == riffEnd + 1 && at + 8 + size == riffEnd) else { throw .truncated }
                    let keep = kept.contains(type)
                    if keep {
                        out += buffer
                        bodyBytes += 8
                        clearFlags = type == "VP8X" && size >= 1
                    } else {
                        removed.append(type)
                    }
                    buffer.removeAll(keepingCapacity: true)
                    state = .body(type: type, keep: keep, remaining: min(end, riffEnd) - at - 8, padAfter: end > riffEnd)
                    if min(end, riffEnd) == at + 8 { endChunk(at: at + 8, keep: keep, padAfter: end > riffEnd, into: &out) }
                case .body(let type, let keep, let remaining, let padAfter):
                    let take = min(remaining, c.endIndex - i)
                    if keep {
                        let from = out.count
                        out += c[i..<(i + take)]
                        bodyBytes += take
                        if clearFlags, take > 0 {
                            out[from] &= ~UInt8(0x08 | 0x04)  // EXIF and XMP flags
                            clearFlags = false
                        }
                    }
                    i += take
                    state = .body(type: type, keep: keep, remaining: remaining - take, padAfter: padAfter)
                    if remaining == take { endChunk(at: offset(i), keep: keep, padAfter: padAfter, into: &out) }
                case .done:
                    i = c.endIndex
                }
            }
        }

        /// A chunk ended at `at` (a kept chunk cut by the RIFF's end gets its pad byte here).
        mutating func endChunk(at: Int, keep: Bool, padAfter: Bool, into out: inout [UInt8]) {
            if keep && padAfter {
                out.append(0)
                bodyBytes += 1
            }
            state = padAfter || at >= riffEnd ? .done : .chunkHeader
        }

        /// Ends the file: the 12 bytes to write at offset 0 of the output (with the output's RIFF
        /// size), and the FourCCs of the chunks removed; or why the WebP is refused.
        public func finish() throws(Failure) -> (header: [UInt8], removed: [String]) {
            switch state {
            case .done: break
            case .header: throw .notWebP
            default: throw .truncated
            }
            let size = UInt32(4 + bodyBytes)
            let header = Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)] + Array("WEBP".utf8)
            return (header, position > riffEnd ? removed + ["\(position - riffEnd) bytes after the RIFF chunk"] : removed)
        }
    }
}
