/// Reads RFC 4180 CSV incrementally: bytes go in by chunks of any size, records come out as soon
/// as they end, so a file of any size is read in the memory of one chunk plus one record.
///
/// Gives exactly what `CSVReader.parse(bytes:)` gives for the whole input, whatever the chunk
/// boundaries (a quoted field with line breaks, a CRLF or the byte order mark may be split across
/// two chunks): same records, same line numbers, same errors. An unterminated quote is only known
/// at `finish()`; "text after a closing quote" is thrown by the `feed` that holds that text.
public struct CSVStreamReader: Sendable {
    private enum State: Sendable {
        /// Before the first byte of a field (at the start of a record when `fields` is empty).
        case fieldStart
        /// Inside an unquoted field.
        case unquoted
        /// Inside a quoted field.
        case quoted
        /// Inside a quoted field, just after a `"`: the next byte says whether it was `""` or the close.
        case quotedSawQuote
        /// Just after a CR that ended a record: an LF now belongs to it.
        case afterCR
    }

    private var state: State = .fieldStart
    /// Bytes of the byte order mark seen so far (until 3 bytes decide whether there is one).
    private var head: [UInt8] = []
    private var headDone = false
    private var line = 1
    private var recordLine = 1
    private var openedOn = 1
    /// Something of the current record was read (so end of input finishes it).
    private var inRecord = false
    /// A CR inside quotes whose line is counted unless an LF follows.
    private var quotedCR = false
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var failed: CSVError?

    public init() {}

    /// Reads one chunk; returns the records it completed (possibly none).
    public mutating func feed(_ chunk: [UInt8]) throws(CSVError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        try feed(chunk, into: &records)
        return records
    }

    /// Reads one chunk, appending the records it completed to `records`.
    public mutating func feed(_ chunk: some Collection<UInt8>, into records: inout [CSVRecord]) throws(CSVError) {
        if let failed { throw failed }
        var bytes = chunk[...]
        if !headDone {
            while head.count < 3, let b = bytes.first {
                head.append(b)
                bytes = bytes.dropFirst()
            }
            guard head.count == 3 else { return }
            headDone = true
            let pending = head == [0xEF, 0xBB, 0xBF] ? [] : head
            head = []
            for b in pending { try step(b, into: &records) }
        }
        for b in bytes { try step(b, into: &records) }
    }

    /// Ends the input; returns the last record if the input did not end with a line break.
    public mutating func finish() throws(CSVError) -> [CSVRecord] {
        if let failed { throw failed }
        var records: [CSVRecord] = []
        if !headDone {
            headDone = true
            let pending = head == [0xEF, 0xBB, 0xBF] ? [] : head
            head = []
            for b in pending { try step(b, into: &records) }
        }
        switch state {
        case .quoted:
            let error = CSVError(line: openedOn, reason: "quoted field is never closed")
            failed = error
            throw error
        case .quotedSawQuote, .unquoted, .fieldStart:
            if inRecord { finishRecord(into: &records) }
        case .afterCR:
            break
        }
        state = .fieldStart
        return records
    }

    private mutating func finishField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func finishRecord(into records: inout [CSVRecord]) {
        finishField()
        if fields.count == 1 && fields[0].isEmpty {
            fields.removeAll(keepingCapacity: true)
        } else {
            records.append(CSVRecord(line: recordLine, fields: fields))
            fields = CSVRecord.freshFields(after: fields)
        }
        inRecord = false
    }

    /// A CR or LF outside quotes: ends the record.
    private mutating func endOfLine(_ b: UInt8, into records: inout [CSVRecord]) {
        line += 1
        finishRecord(into: &records)
        state = b == Self.cr ? .afterCR : .fieldStart
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private mutating func step(_ b: UInt8, into records: inout [CSVRecord]) throws(CSVError) {
        switch state {
        case .afterCR:
            state = .fieldStart
            if b == Self.lf { return }
            try step(b, into: &records)
        case .fieldStart:
            if !inRecord {
                inRecord = true
                if fields.isEmpty { recordLine = line }
            }
            if b == Self.quote {
                openedOn = line
                state = .quoted
            } else if b == Self.comma {
                finishField()
            } else if b == Self.cr || b == Self.lf {
                endOfLine(b, into: &records)
            } else {
                field.append(b)
                state = .unquoted
            }
        case .unquoted:
            if b == Self.comma {
                finishField()
                state = .fieldStart
            } else if b == Self.cr || b == Self.lf {
                endOfLine(b, into: &records)
            } else {
                field.append(b)
            }
        case .quoted:
            if quotedCR {
                quotedCR = false
                if b != Self.lf { line += 1 }
            }
            if b == Self.quote {
                state = .quotedSawQuote
            } else {
                if b == Self.lf { line += 1 } else if b == Self.cr { quotedCR = true }
                field.append(b)
            }
        case .quotedSawQuote:
            if b == Self.quote {
                field.append(Self.quote)
                state = .quoted
            } else if b == Self.comma {
                finishField()
                state = .fieldStart
            } else if b == Self.cr || b == Self.lf {
                endOfLine(b, into: &records)
            } else {
                let error = CSVError(line: line, reason: "unexpected text after a closing quote")
                failed = error
                throw error
            }
        }
    }
}
