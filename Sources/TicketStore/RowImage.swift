import SQLiteKit

/// One row of a replicated table as a committed transaction left it: its values, or nil when the
/// transaction deleted it.
///
/// Why row images and not SQLite's session changesets: `tickets` has generated columns, and the
/// session extension of SQLite 3.40 refuses any such table (`SessionTests`). A full row image is
/// also idempotent: applying one twice leaves the same row.
public struct RowImage: Sendable, Equatable {
    /// The table (one of ``ReplicatedTable/all``).
    public var table: String
    /// The values of the table's key columns (``ReplicatedTable/key``).
    public var key: [SQLiteValue]
    /// The stored columns in ``ReplicatedTable/columns`` order; nil: the row is gone.
    public var row: [SQLiteValue]?

    /// First in a batch that carries every row of the writer's file: a replica with no data may start
    /// from it. Without it, an empty replica refuses batch 1 (it would miss what came before).
    public static let snapshotMarker = RowImage(table: "", key: [], row: nil)

    public init(table: String, key: [SQLiteValue], row: [SQLiteValue]?) {
        self.table = table
        self.key = key
        self.row = row
    }
}

// MARK: - Encoding

/// Row images as bytes: per image the table, the key values, then a column count (-1: deleted)
/// and the values. Each value is a tag byte (0 NULL, 1 integer, 2 real, 3 text, 4 blob) and, for
/// the last three, its 8 bytes or a 4-byte length and the bytes, little-endian.
public enum RowImages {
    public static func encode(_ images: [RowImage]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(images.count * 128)
        for image in images {
            put(.text(image.table), into: &out)
            put(.integer(Int64(image.key.count)), into: &out)
            for value in image.key { put(value, into: &out) }
            put(.integer(Int64(image.row?.count ?? -1)), into: &out)
            for value in image.row ?? [] { put(value, into: &out) }
        }
        return out
    }

    /// - Throws: `SQLiteError(.corrupt)` when the bytes are not images this encoder wrote.
    public static func decode(_ bytes: [UInt8]) throws(SQLiteError) -> [RowImage] {
        var reader = Reader(bytes: bytes)
        var images: [RowImage] = []
        while !reader.atEnd {
            guard case .text(let table) = try reader.value(), case .integer(let keyCount) = try reader.value(), (0...8).contains(keyCount)
            else { throw Reader.corrupt }
            var key: [SQLiteValue] = []
            for _ in 0..<keyCount { key.append(try reader.value()) }
            guard case .integer(let columns) = try reader.value(), (-1...500).contains(columns) else { throw Reader.corrupt }
            var row: [SQLiteValue]?
            if columns >= 0 {
                var values: [SQLiteValue] = []
                values.reserveCapacity(Int(columns))
                for _ in 0..<columns { values.append(try reader.value()) }
                row = values
            }
            images.append(RowImage(table: table, key: key, row: row))
        }
        return images
    }

    private static func put(_ value: SQLiteValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .integer(let v): out.append(1); putWord(UInt64(bitPattern: v), into: &out)
        case .real(let v): out.append(2); putWord(v.bitPattern, into: &out)
        case .text(let v):
            out.append(3)
            var text = v
            text.withUTF8 { utf8 in
                putLength(utf8.count, into: &out)
                out.append(contentsOf: utf8)
            }
        case .blob(let v): out.append(4); putLength(v.count, into: &out); out.append(contentsOf: v)
        }
    }

    private static func putWord(_ word: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    private static func putLength(_ count: Int, into out: inout [UInt8]) {
        let length = UInt32(truncatingIfNeeded: count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0
        static let corrupt = SQLiteError(.corrupt, message: "row images damaged")

        var atEnd: Bool { offset >= bytes.count }

        mutating func take(_ count: Int) throws(SQLiteError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw Self.corrupt }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func word(_ width: Int) throws(SQLiteError) -> UInt64 {
            var word: UInt64 = 0
            for (index, byte) in try take(width).enumerated() { word |= UInt64(byte) << UInt64(8 * index) }
            return word
        }

        mutating func value() throws(SQLiteError) -> SQLiteValue {
            switch try take(1).first {
            case 0: return .null
            case 1: return .integer(Int64(bitPattern: try word(8)))
            case 2: return .real(Double(bitPattern: try word(8)))
            case 3: return .text(String(decoding: try take(Int(try word(4))), as: UTF8.self))
            case 4: return .blob(Array(try take(Int(try word(4)))))
            default: throw Self.corrupt
            }
        }
    }
}
