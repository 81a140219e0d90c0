/// The lines of a labelled tab-separated file, read the one way both labelled readers share
/// (``LabelledTSV``, ``TriageTSV``): a UTF-8 byte order mark and CRs dropped, a lower-cased
/// header, blank lines skipped, each field without surrounding spaces, and a line with the wrong
/// number of columns collected as malformed.
struct TabSeparatedRows {
    var header: [String]
    var rows: [(line: Int, fields: [String])]
    var malformed: [MalformedLine]

    init(_ content: String) {
        // Bytes, not Characters: grapheme breaking made parsing the corpus the slowest step of
        // start-up. Tab, CR and LF are ASCII, so splitting UTF-8 on them is exact.
        var bytes = Array(content.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        for i in lines.indices where lines[i].last == 0x0D { lines[i] = lines[i].dropLast() }
        header = (lines.first.map(Self.fields) ?? [""]).map { $0.lowercased() }
        rows = []
        malformed = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let fields = Self.fields(line)
            guard fields.count == header.count else {
                malformed.append(MalformedLine(line: number, reason: "expected \(header.count) tab-separated columns, found \(fields.count)"))
                continue
            }
            rows.append((number, fields))
        }
    }

    /// The tab-separated fields of one line, each without leading and trailing spaces.
    private static func fields(_ line: ArraySlice<UInt8>) -> [String] {
        line.split(separator: 0x09, omittingEmptySubsequences: false).map { field in
            var f = field
            while f.first == 0x20 { f.removeFirst() }
            while f.last == 0x20 { f.removeLast() }
            return String(decoding: f, as: UTF8.self)
        }
    }
}
