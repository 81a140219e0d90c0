/// How far an import of a file has come, kept beside the file (`FILE.import-state`) so that a run
/// stopped by anything, `kill -9` included, resumes where it stopped without sending a row twice.
///
/// Every row gets the command id `import-<run>-<line>`: the same in every run that resumes `run`,
/// so a row sent by a killed run and sent again is applied once (the ticket worker keeps each
/// applied id with its reply and answers a repeat with it). `settledLine` says which rows need not
/// be sent again at all: every record that starts on a line up to it has its reply (or was
/// refused) and its rejection written to the rejects file, which was `rejectsBytes` long then.
/// `size` and `prefixDigest` tell whether the file is still the one the run started on.
///
/// Text, one `key value` per line, under a first line naming the format.
public struct ImportCheckpoint: Sendable, Equatable {
    public var run: String
    public var size: Int
    public var prefixDigest: String
    public var settledLine: Int
    public var imported: Int
    public var rejected: Int
    public var rejectsBytes: Int

    public init(run: String, size: Int, prefixDigest: String, settledLine: Int = 0, imported: Int = 0, rejected: Int = 0, rejectsBytes: Int = 0) {
        self.run = run
        self.size = size
        self.prefixDigest = prefixDigest
        self.settledLine = settledLine
        self.imported = imported
        self.rejected = rejected
        self.rejectsBytes = rejectsBytes
    }

    static let magic = "campusdesk import state 1"

    /// The command id of the row that starts on `line`.
    public func commandID(line: Int) -> String { "import-\(run)-\(line)" }

    public var text: String {
        """
        \(Self.magic)
        run \(run)
        size \(size)
        prefix_digest \(prefixDigest)
        settled_line \(settledLine)
        imported \(imported)
        rejected \(rejected)
        rejects_bytes \(rejectsBytes)

        """
    }

    /// Reads a state file's text; nil when it is not one (or is cut short).
    public init?(text: String) {
        let lines = text.split(separator: "\n")
        guard lines.first == Substring(Self.magic) else { return nil }
        var values: [Substring: Substring] = [:]
        for line in lines.dropFirst() {
            guard let space = line.firstIndex(of: " ") else { return nil }
            values[line[..<space]] = line[line.index(after: space)...]
        }
        func int(_ key: Substring) -> Int? { values[key].flatMap { Int($0) } }
        guard let run = values["run"], !run.isEmpty, run.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
              let size = int("size"), let digest = values["prefix_digest"], let settled = int("settled_line"),
              let imported = int("imported"), let rejected = int("rejected"), let rejectsBytes = int("rejects_bytes") else { return nil }
        self.init(run: String(run), size: size, prefixDigest: String(digest), settledLine: settled, imported: imported,
                  rejected: rejected, rejectsBytes: rejectsBytes)
    }

    /// FNV-1a (64 bit) of `bytes` in hex: tells two versions of a file apart (not a security check).
    public static func digest(_ bytes: some Sequence<UInt8>) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
