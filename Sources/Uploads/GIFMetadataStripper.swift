/// Removes comments and application metadata from a GIF; everything else is copied byte for byte.
///
/// A GIF is a header, a logical screen descriptor (with a global colour table), then blocks:
/// images (descriptor, local colour table, LZW data in sub-blocks), extensions (`21`, a label,
/// sub-blocks) and the trailer `3B`. Removed: Comment Extensions (`21 FE`), Application
/// Extensions other than the looping ones (`NETSCAPE2.0`, `ANIMEXTS1.0`), such as XMP
/// (`XMP DataXMP`) or ICC profiles, and every byte after the trailer. Kept: the header, colour
/// tables, images, Graphic Control (frame timing, transparency) and Plain Text extensions, other
/// extensions as they are, and the looping application extensions.
public enum GIFMetadataStripper {
    public enum Failure: Error, Sendable, Equatable {
        /// Does not start with `GIF87a` or `GIF89a`.
        case notGIF
        /// The file ends before the trailer.
        case truncated
        /// A block that is neither an image, an extension nor the trailer, at this offset.
        case unknownBlock(offset: Int)

        public var message: String {
            switch self {
            case .notGIF: "not a GIF file"
            case .truncated: "damaged GIF: the file is cut short"
            case .unknownBlock(let o): "damaged GIF: unknown block at byte \(o)"
            }
        }
    }

    /// Application extensions kept: their first sub-block (size 11, identifier and code).
    static let keptApplications: [[UInt8]] = ["NETSCAPE2.0", "ANIMEXTS1.0"].map { [11] + Array($0.utf8) }

    /// The GIF without comments and application metadata, and what was removed.
    public static func strip(_ gif: some Collection<UInt8>) throws(Failure) -> (bytes: [UInt8], removed: [String]) {
        var stream = Stream()
        var out: [UInt8] = []
        out.reserveCapacity(gif.count)
        try stream.feed(Array(gif), into: &out)
        return (out, try stream.finish())
    }

    /// The stripper fed a GIF in chunks: ``strip(_:)`` is this fed once. It holds at most an
    /// application extension's identifier (256 bytes); everything else passes through as it
    /// comes. Any split of the same bytes gives the same output and errors.
    public struct Stream: Sendable, ChunkedStripper {
        enum State: Sendable {
            /// Header and logical screen descriptor (13 bytes).
            case header
            /// Colour table bytes still to copy, then a block (global table) or the LZW code size (local).
            case colourTable(remaining: Int, beforeImage: Bool)
            /// Expecting a block introducer.
            case block
            /// After `21`: the label.
            case label
            /// After `21 FF`: the first sub-block, which names the application.
            case application
            /// Image descriptor bytes after `2C` (9).
            case imageDescriptor
            /// The LZW minimum code size byte.
            case codeSize
            /// Expecting a sub-block size (0 ends the block).
            case subBlockSize(keep: Bool)
            /// Inside a sub-block.
            case subBlock(keep: Bool, remaining: Int)
            /// After the trailer.
            case done
        }

        var state = State.header
        var buffer: [UInt8] = []
        var position = 0
        var trailing = 0
        var removed: [String] = []

        public init() {}

        /// Takes the next bytes of the file and appends what is kept of them to `out`.
        public mutating func feed(_ chunk: ArraySlice<UInt8>, into out: inout [UInt8]) throws(Failure) {
            let c = chunk
            var i = c.startIndex
            defer { position += c.count }
            while i < c.endIndex {
                let byte = c[i]
                switch state {
                case .header:
                    if buffer.count < 6, byte != Array("GIF89a".utf8)[buffer.count], byte != Array("GIF87a".utf8)[buffer.count] { throw .notGIF }
                    buffer.append(byte)
                    i += 1
                    guard buffer.count == 13 else { continue }
                    out += buffer
                    let flags = buffer[10]
                    buffer.removeAll(keepingCapacity: true)
                    state = flags & 0x80 != 0 ? .colourTable(remaining: 3 << ((Int(flags) & 7) + 1), beforeImage: false) : .block
                case .colourTable(let remaining, let beforeImage):
                    let take = min(remaining, c.endIndex - i)
                    out += c[i..<(i + take)]
                    i += take
                    if take == remaining {
                        state = beforeImage ? .codeSize : .block
                    } else {
                        state = .colourTable(remaining: remaining - take, beforeImage: beforeImage)
                    }
                case .block:
                    i += 1
                    switch byte {
                    case 0x21: state = .label
                    case 0x2C:
                        out.append(byte)
                        state = .imageDescriptor
                    case 0x3B:
                        out.append(byte)
                        state = .done
                    default: throw .unknownBlock(offset: position + i - 1 - c.startIndex)
                    }
                case .label:
                    i += 1
                    switch byte {
                    case 0xFE:
                        removed.append("comment")
                        state = .subBlockSize(keep: false)
                    case 0xFF:
                        state = .application
                    default:
                        out += [0x21, byte]
                        state = .subBlockSize(keep: true)
                    }
                case .application:
                    buffer.append(byte)
                    i += 1
                    guard buffer.count == Int(buffer[0]) + 1 else { continue }
                    let kept = keptApplications.contains(buffer)
                    if kept {
                        out += [0x21, 0xFF] + buffer
                    } else {
                        let name = String(decoding: buffer.dropFirst().prefix(8), as: UTF8.self).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
                        removed.append("application \(name.isEmpty ? "?" : name)")
                    }
                    state = buffer[0] == 0 ? .block : .subBlockSize(keep: kept)
                    buffer.removeAll(keepingCapacity: true)
                case .imageDescriptor:
                    buffer.append(byte)
                    i += 1
                    guard buffer.count == 9 else { continue }
                    out += buffer
                    let flags = buffer[8]
                    buffer.removeAll(keepingCapacity: true)
                    state = flags & 0x80 != 0 ? .colourTable(remaining: 3 << ((Int(flags) & 7) + 1), beforeImage: true) : .codeSize
                case .codeSize:
                    out.append(byte)
                    i += 1
                    state = .subBlockSize(keep: true)
                case .subBlockSize(let keep):
                    if keep { out.append(byte) }
                    i += 1
                    state = byte == 0 ? .block : .subBlock(keep: keep, remaining: Int(byte))
                case .subBlock(let keep, let remaining):
                    let take = min(remaining, c.endIndex - i)
                    if keep { out += c[i..<(i + take)] }
                    i += take
                    state = take == remaining ? .subBlockSize(keep: keep) : .subBlock(keep: keep, remaining: remaining - take)
                case .done:
                    trailing += c.endIndex - i
                    i = c.endIndex
                }
            }
        }

        /// Ends the file: what was removed, or why the GIF is refused.
        public func finish() throws(Failure) -> [String] {
            switch state {
            case .done: return trailing > 0 ? removed + ["\(trailing) bytes after the trailer"] : removed
            case .header: throw .notGIF
            default: throw .truncated
            }
        }
    }
}
