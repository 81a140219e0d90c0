/// One record of a CSV file: its fields and the line it starts on.
public struct CSVRecord: Sendable, Equatable {
    /// The 1-based physical line the record starts on (a quoted field may span several lines).
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    /// An empty array for the next record's fields, room for as many as `previous` (just handed
    /// to a record) holds.
    ///
    /// Why not `previous.removeAll(keepingCapacity: true)`: the record shares that buffer, so
    /// Swift allocates a new one with the old *capacity*, which it takes from the size malloc
    /// returned, sometimes a few bytes more than asked. Compounded record after record, every
    /// record's array grew: 288 slots (4.6 KB) for 7 fields after 400,000 records, which was the
    /// creeping memory of `campusdesk import` (docs/performance.md). Sizing by the count stops it.
    static func freshFields(after previous: [String]) -> [String] {
        var fields: [String] = []
        fields.reserveCapacity(previous.count)
        return fields
    }
}

/// A CSV file that cannot be read as a whole (the records before it were fine).
public struct CSVError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line where the problem starts.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Reads RFC 4180 CSV: comma separated, `"` quoted fields with `""` for a quote, records ended
/// by CRLF (LF and lone CR accepted too), line breaks allowed inside quotes.
///
/// Pure and byte based: a UTF-8 byte order mark at the start is skipped (spreadsheets write one),
/// blank lines between records are skipped, a `"` in the middle of an unquoted field is kept as
/// text (as spreadsheets do), and an unterminated quote is an error at the line it opened on,
/// because it would swallow the rest of the file.
public enum CSVReader {
    public static func parse(_ text: String) throws(CSVError) -> [CSVRecord] {
        try parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes input: [UInt8]) throws(CSVError) -> [CSVRecord] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var i = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var recordLine = 1

        func endOfLine() -> Bool {
            // Consumes CRLF, LF or CR at `i`; true if one was there.
            guard i < input.count else { return false }
            if input[i] == cr {
                i += input.count > i + 1 && input[i + 1] == lf ? 2 : 1
            } else if input[i] == lf {
                i += 1
            } else {
                return false
            }
            line += 1
            return true
        }
        func finishRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            if fields.count == 1 && fields[0].isEmpty {
                fields.removeAll(keepingCapacity: true)
            } else {
                records.append(CSVRecord(line: recordLine, fields: fields))
                fields = CSVRecord.freshFields(after: fields)
            }
        }

        var atFieldStart = true
        while i < input.count {
            if atFieldStart { if fields.isEmpty { recordLine = line }; atFieldStart = false }
            let c = input[i]
            if c == quote && field.isEmpty {
                // A quoted field: up to the closing quote, `""` standing for one quote.
                let openedOn = line
                i += 1
                var closed = false
                while i < input.count {
                    let q = input[i]
                    if q == quote {
                        if i + 1 < input.count && input[i + 1] == quote {
                            field.append(quote)
                            i += 2
                        } else {
                            i += 1
                            closed = true
                            break
                        }
                    } else {
                        if q == lf || (q == cr && !(i + 1 < input.count && input[i + 1] == lf)) { line += 1 }
                        field.append(q)
                        i += 1
                    }
                }
                guard closed else { throw CSVError(line: openedOn, reason: "quoted field is never closed") }
                guard i == input.count || input[i] == comma || input[i] == cr || input[i] == lf else {
                    throw CSVError(line: line, reason: "unexpected text after a closing quote")
                }
                continue
            }
            if c == comma {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                i += 1
                continue
            }
            if endOfLine() {
                finishRecord()
                atFieldStart = true
                continue
            }
            field.append(c)
            i += 1
        }
        if !atFieldStart || !fields.isEmpty || !field.isEmpty { finishRecord() }
        return records
    }
}
