extension JPEGMetadataStripper {
    /// The stripper fed a JPEG in chunks: ``JPEGMetadataStripper/stripReporting(_:)`` is this fed
    /// once. It holds at most one marker segment (under 64 KiB: its length field is 16 bits) and
    /// passes entropy-coded data through as it comes, so the output of each ``feed(_:into:)`` is
    /// about the size of its chunk. Any split of the same bytes gives the same output and errors.
    public struct Stream: Sendable, ChunkedStripper {
        enum State: Sendable {
            /// Expecting FF D8.
            case start
            /// Expecting the FF of a marker.
            case marker
            /// After one or more FF; the last at this offset.
            case fill(Int)
            /// Reading a segment's two length bytes.
            case length(UInt8)
            /// Reading a segment's payload (its length bytes are in the buffer).
            case segment(UInt8, length: Int)
            /// Entropy-coded data after SOS.
            case scan
            /// Entropy-coded data, an FF just read at this offset.
            case scanFF(Int)
            /// After EOI: what follows is counted and dropped.
            case done
        }

        var state = State.start
        /// Offset in the file of the next byte fed.
        var position = 0
        var buffer: [UInt8] = []
        var lengthOffset = 0
        var sawFrame = false, sawScan = false
        var removed = Removed()

        public init() {}

        /// Takes the next bytes of the file and appends what is kept of them to `out`.
        public mutating func feed(_ chunk: ArraySlice<UInt8>, into out: inout [UInt8]) throws(JPEGError) {
            let c = chunk
            var i = c.startIndex
            let end = c.endIndex
            defer { position += c.count }
            func offset(_ index: Int) -> Int { position + index - c.startIndex }
            while i < end {
                switch state {
                case .start:
                    buffer.append(c[i])
                    i += 1
                    if buffer.count == 1, buffer[0] != 0xFF { throw .notJPEG }
                    if buffer.count == 2 {
                        guard buffer[1] == 0xD8 else { throw .notJPEG }
                        out += [0xFF, 0xD8]
                        buffer.removeAll(keepingCapacity: true)
                        state = .marker
                    }
                case .marker:
                    guard c[i] == 0xFF else { throw .expectedMarker(offset: offset(i)) }
                    state = .fill(offset(i))
                    i += 1
                case .fill(let last):
                    let marker = c[i]
                    if marker == 0xFF {  // fill bytes before a marker
                        state = .fill(offset(i))
                        i += 1
                        continue
                    }
                    i += 1
                    switch marker {
                    case 0xD9:
                        guard sawScan else { throw .noImage }
                        out += [0xFF, 0xD9]
                        state = .done
                    case 0x01:  // TEM: no length
                        out += [0xFF, 0x01]
                        state = .marker
                    case 0x00, 0xD0...0xD8, 0xF0...0xFD, 0x02...0xBF:
                        throw .unexpectedMarker(marker, offset: last)
                    default:
                        lengthOffset = offset(i)
                        state = .length(marker)
                    }
                case .length(let marker):
                    buffer.append(c[i])
                    i += 1
                    guard buffer.count == 2 else { continue }
                    let length = Int(buffer[0]) << 8 | Int(buffer[1])
                    guard length >= 2 else { throw .badSegmentLength(offset: lengthOffset) }
                    state = .segment(marker, length: length)
                    if length == 2 { try endSegment(marker, into: &out) }
                case .segment(let marker, let length):
                    let take = min(length - buffer.count, end - i)
                    buffer += c[i..<(i + take)]
                    i += take
                    if buffer.count == length { try endSegment(marker, into: &out) }
                case .scan:
                    var j = i
                    while j < end, c[j] != 0xFF { j += 1 }
                    out += c[i..<j]
                    if j < end {
                        state = .scanFF(offset(j))
                        j += 1
                    }
                    i = j
                case .scanFF(let ff):
                    let next = c[i]
                    if next == 0x00 || (0xD0...0xD7).contains(next) {
                        out += [0xFF, next]
                        state = .scan
                        i += 1
                    } else if next == 0xFF {  // the first FF is data; the marker is further on
                        out.append(0xFF)
                        state = .scanFF(offset(i))
                        i += 1
                    } else {
                        state = .fill(ff)  // this byte is the marker: read it again there
                    }
                case .done:
                    removed.trailingBytes += end - i
                    i = end
                }
            }
        }

        /// Ends the file: what was removed, or why the JPEG is refused.
        public func finish() throws(JPEGError) -> Removed {
            switch state {
            case .done: return removed
            case .start: throw .notJPEG
            default: throw .truncated
            }
        }

        /// A whole segment is in the buffer (its length bytes, then its payload): keep or drop it.
        mutating func endSegment(_ marker: UInt8, into out: inout [UInt8]) throws(JPEGError) {
            defer { buffer.removeAll(keepingCapacity: true) }
            let payload = buffer[2...]
            state = .marker
            switch marker {
            case 0xE0 where payload.starts(with: Array("JFIF\0".utf8)) && payload.count >= 14:
                // Version, units, densities (9 bytes after the id); then a thumbnail we drop.
                let fixed = Array(payload.prefix(12)) + [0, 0]
                removed.thumbnailBytes += payload.count - 14
                out += [0xFF, 0xE0, 0, UInt8(fixed.count + 2)] + fixed
            case 0xE2 where payload.starts(with: Array("ICC_PROFILE\0".utf8)), 0xEE where payload.starts(with: Array("Adobe".utf8)):
                out += [0xFF, marker] + buffer
            case 0xE0...0xEF, 0xFE:
                removed.markers.append(marker)
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                sawFrame = true
                out += [0xFF, marker] + buffer
            case 0xDA:
                guard sawFrame else { throw .noImage }
                sawScan = true
                out += [0xFF, marker] + buffer
                state = .scan
            default:  // DQT, DHT, DAC, DRI, DNL, DHP, EXP
                out += [0xFF, marker] + buffer
            }
        }
    }
}
