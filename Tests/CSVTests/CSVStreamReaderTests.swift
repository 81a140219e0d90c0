import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import CSV
#if canImport(Glibc)
import Glibc
#endif

/// The incremental reader gives what the whole-buffer parse gives, whatever the chunk boundaries.
// On threads of its own: it blocks one for seconds (imports, long statements, thousands of parses),
// which on the two-thread cooperative pool starved other suites' deadlines (a CI run lost 60 s).
@Suite(.onDedicatedThreads) struct CSVStreamReaderTests {
    /// `bytes` fed in chunks of `size`, then finished.
    static func stream(_ bytes: [UInt8], chunk size: Int) -> Result<[CSVRecord], CSVError> {
        var reader = CSVStreamReader()
        var records: [CSVRecord] = []
        do throws(CSVError) {
            var i = 0
            while i < bytes.count {
                try reader.feed(bytes[i..<min(bytes.count, i + size)], into: &records)
                i += size
            }
            records += try reader.finish()
            return .success(records)
        } catch {
            return .failure(error)
        }
    }

    static func whole(_ bytes: [UInt8]) -> Result<[CSVRecord], CSVError> {
        do throws(CSVError) { return .success(try CSVReader.parse(bytes: bytes)) } catch { return .failure(error) }
    }

    /// A file with every shape: BOM, quoted commas, `""`, CRLF, LF and lone CR, line breaks inside
    /// quotes (CRLF, LF, CR), blank lines, ragged rows, a stray quote in an unquoted field, no final break.
    static let sample: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
        "description,location,status\r\n"
            + "\"Projector, room 3\r\nno signal; \"\"HDMI\"\"\",B1,open\r\n"
            + "plain,,closed\n\n"
            + "\"cr\rinside\",\"lf\ninside\",x\r"
            + "5\" screen,ok\r\n\r\n"
            + "ragged\r\n"
            + "\"\",,\r\n"
            + "\"last\r\n\r\nfield\",é ü 中,end"
    ).utf8)

    @Test("chunks of 1, 7 and 64 KiB give the records of the whole-buffer parse", arguments: [1, 2, 3, 7, 64 * 1024])
    func chunkedEqualsWhole(_ size: Int) throws {
        let expected = try CSVReader.parse(bytes: Self.sample)
        #expect(expected.count == 8)
        #expect(try Self.stream(Self.sample, chunk: size).get() == expected)
    }

    @Test("a quoted field with line breaks is one field when a chunk boundary falls anywhere inside it")
    func quotedNewlineAcrossEveryBoundary() throws {
        let bytes = Array("a,b\r\n\"one\r\ntwo\r\nthree\",x\r\nnext,row\r\n".utf8)
        let expected = [CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["one\r\ntwo\r\nthree", "x"]),
                        CSVRecord(line: 5, fields: ["next", "row"])]
        for cut in 0...bytes.count {
            var reader = CSVStreamReader()
            var records: [CSVRecord] = []
            try reader.feed(bytes[..<cut], into: &records)
            try reader.feed(bytes[cut...], into: &records)
            records += try reader.finish()
            #expect(records == expected, "cut at \(cut)")
        }
    }

    @Test("a byte order mark split over chunks is skipped; a partial one at the end is text")
    func byteOrderMarkSplit() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id\n1\n".utf8)
        #expect(try Self.stream(bytes, chunk: 1).get() == [CSVRecord(line: 1, fields: ["id"]), CSVRecord(line: 2, fields: ["1"])])
        #expect(try Self.stream([0xEF, 0xBB], chunk: 1).get() == CSVReader.parse(bytes: [0xEF, 0xBB]))
        #expect(try Self.stream([], chunk: 1).get() == [])
    }

    @Test("errors come with the same line as the whole-buffer parse")
    func errorsMatch() {
        let unterminated = Array("a,b\n1,2\n3,\"open\nand on\nand on\n".utf8)
        let afterQuote = Array("a\n\"x\"y\n".utf8)
        for size in [1, 7, 64 * 1024] {
            #expect(Self.stream(unterminated, chunk: size) == .failure(CSVError(line: 3, reason: "quoted field is never closed")))
            #expect(Self.stream(afterQuote, chunk: size) == .failure(CSVError(line: 2, reason: "unexpected text after a closing quote")))
        }
    }

    @Test("random inputs over the CSV alphabet parse alike in any chunking (2,000 cases)")
    func randomInputsAgree() {
        var rng = SplitMix64(seed: 22)
        let alphabet: [UInt8] = Array("a,\"\r\n ".utf8) + [0xEF, 0xBB, 0xBF]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            let expected = Self.whole(bytes)
            for size in [1, 3, 7, 64 * 1024] {
                #expect(Self.stream(bytes, chunk: size) == expected, "input \(bytes) chunk \(size)")
            }
        }
    }

    @Test("CSVFileRecords reads a file through read(2) record by record, counting its bytes")
    func fileRecords() throws {
        let dir = try TemporaryDirectory("csv-stream")
        defer { dir.remove() }
        let path = dir.path("in.csv")
        try Data(Self.sample).write(to: URL(fileURLWithPath: path))
        for size in [1, 7, 64 * 1024] {
            let fd = open(path, O_RDONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            var records = CSVFileRecords(fd: fd, chunkSize: size)
            var read: [CSVRecord] = []
            while let r = try records.nextRecord() { read.append(r) }
            #expect(read == (try CSVReader.parse(bytes: Self.sample)))
            #expect(records.bytesRead == Self.sample.count)
        }
    }

    /// Each record's fields array holds about its fields, however many records came before it.
    ///
    /// The reader used to clear its array with `removeAll(keepingCapacity:)` after handing it to a
    /// record; Swift then allocated a new one of the old capacity as malloc reported it, sometimes
    /// a slot more, and the slots compounded: 86 for 7 fields after 50,000 records, 288 after
    /// 400,000, the import's memory creep. Rows shaped like docs/perf-import-csv.py's, read the way
    /// `CSVFileRecords` reads a file (64 KiB chunks), kept in windows of 1,024 as the import keeps them.
    @Test func aRecordsFieldsDoNotGrowWithTheRecordsBeforeIt() throws {
        var text = "description,location,reporter,status,opened_at,closed_at,category\r\n"
        for i in 1...120_000 {
            let description = i % 10 == 0 ? "\"Projector is broken (#\(i))\r\nsecond line, with a comma\"" : "Projector is broken (#\(i))"
            text += "\(description),Library room \(i % 6),user\(i % 977)@campus.example,open,2025-01-0\(1 + i % 9)T10:00:00Z,,\r\n"
        }
        let bytes = Array(text.utf8)
        var reader = CSVStreamReader()
        var ready: [CSVRecord] = []
        var windows: [[[String]]] = []
        var window: [[String]] = []
        var read = 0, widest = 0
        var offset = 0
        while offset < bytes.count {
            ready.removeAll(keepingCapacity: true)
            try reader.feed(bytes[offset..<min(bytes.count, offset + 64 * 1024)], into: &ready)
            offset += 64 * 1024
            for record in ready {
                read += 1
                widest = max(widest, record.fields.capacity)
                window.append(record.fields)
                if window.count == 1_024 {
                    windows.append(window)
                    window = []
                    if windows.count > 2 { windows.removeFirst() }
                }
            }
        }
        #expect(read == 120_001)
        #expect(widest <= 16, "a record of 7 fields had room for \(widest)")
    }
}

@Suite struct ImportCheckpointTests {
    @Test func textRoundTrips() {
        let state = ImportCheckpoint(run: "6b1d86bf-9d34-477d-a64b-d2d950fbe975", size: 2_260_398, prefixDigest: "b492c814cd651528",
                                     settledLine: 1_100, imported: 998, rejected: 2, rejectsBytes: 483)
        #expect(ImportCheckpoint(text: state.text) == state)
        #expect(state.commandID(line: 42) == "import-6b1d86bf-9d34-477d-a64b-d2d950fbe975-42")
    }

    @Test func refusesOtherTextAndACutShortFile() {
        #expect(ImportCheckpoint(text: "") == nil)
        #expect(ImportCheckpoint(text: "hello\nrun x\n") == nil)
        let text = ImportCheckpoint(run: "r", size: 1, prefixDigest: "d").text
        #expect(ImportCheckpoint(text: String(text.prefix(text.count - 20))) == nil)
        #expect(ImportCheckpoint(text: text.replacingOccurrences(of: "run r", with: "run ../x")) == nil)
    }

    @Test func digestTellsPrefixesApart() {
        #expect(ImportCheckpoint.digest([]) == "cbf29ce484222325")
        #expect(ImportCheckpoint.digest(Array("a".utf8)) == "af63dc4c8601ec8c")
        #expect(ImportCheckpoint.digest(Array("ab".utf8)) != ImportCheckpoint.digest(Array("ba".utf8)))
    }
}

@Suite struct TicketCSVRejectsTests {
    @Test("a rejects file reads back as an import file: its two leading columns are ignored without a note")
    func rejectsFileImportsBack() throws {
        let header = ["description", "location", "reporter", "status", "opened_at", "closed_at"]
        let text = TicketCSV.rejectsHeader(header)
            + TicketCSV.rejectRecord(line: 7, reasons: ["closed_at: required when status is closed", "status: 'x'"],
                                     fields: ["Two\r\nlines, \"quoted\"", "B1", "ann", "closed", "2025-03-01T10:00:00Z", ""])
        let records = try CSVReader.parse(text)
        #expect(records[1].fields == ["7", "closed_at: required when status is closed; status: 'x'", "Two\r\nlines, \"quoted\"", "B1", "ann",
                                      "closed", "2025-03-01T10:00:00Z", ""])
        let now = Timestamp(iso8601: "2026-01-10T12:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)
        let batch = try TicketCSV.parseImport(Array(text.utf8), now: now)
        #expect(batch.notes.isEmpty)
        #expect(batch.rejections.map(\.reasons) == [["closed_at: required when status is closed"]])
    }
}
