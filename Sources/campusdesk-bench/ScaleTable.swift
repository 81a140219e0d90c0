import Foundation

/// The scaling table `campusdesk-bench scale` prints: one row per measure, one column per ticket
/// count, and a ratio column (largest size / smallest) so a reader sees how each cost grows.
///
/// Pure (figures in, Markdown out), so its rendering is tested without starting anything.
struct ScaleTable: Sendable, Equatable {
    /// What a row's figures are and how they are written.
    enum Kind: Sendable, Equatable {
        /// Three figures: p50 and p99 in milliseconds, and requests per second.
        case latency
        case seconds
        /// Kilobytes in, megabytes out (as `/proc/<pid>/status` and `ru_maxrss` give them).
        case kilobytes
        case perSecond
        case count
        /// Free text (no ratio), for a failure or a note.
        case text
    }

    struct Row: Sendable, Equatable {
        var measure: String
        var kind: Kind
        /// Whether its cost should not depend on the number of tickets (a keyset-paged page, a
        /// ticket page): a ratio above `flatLimit` is then marked as a finding.
        var flat: Bool
        var figures: [Int: [Double]] = [:]
        var notes: [Int: String] = [:]
    }

    /// A ratio above this on a row that should be flat is marked `⚠` (the machine is shared: 2×
    /// is noise, more is not).
    static let flatLimit = 2.0

    var sizes: [Int]
    private(set) var rows: [Row] = []

    init(sizes: [Int]) { self.sizes = sizes }

    /// Sets one cell (adding the row, in first-seen order, when it is new).
    mutating func set(_ measure: String, _ kind: Kind, flat: Bool = false, size: Int, _ figures: [Double]) {
        if let i = rows.firstIndex(where: { $0.measure == measure }) {
            rows[i].figures[size] = figures
        } else {
            var row = Row(measure: measure, kind: kind, flat: flat)
            row.figures[size] = figures
            rows.append(row)
        }
    }

    /// Sets a cell to text (a failure: `HTTP 400`, `not run`), keeping the row's kind.
    mutating func note(_ measure: String, _ kind: Kind, flat: Bool = false, size: Int, _ text: String) {
        if let i = rows.firstIndex(where: { $0.measure == measure }) {
            rows[i].notes[size] = text
        } else {
            var row = Row(measure: measure, kind: kind, flat: flat)
            row.notes[size] = text
            rows.append(row)
        }
    }

    /// The ratio of the largest size's figures to the smallest's, figure by figure (nil when
    /// either is missing or a divisor is zero).
    func ratio(_ row: Row) -> [Double]? {
        guard sizes.count > 1, let small = sizes.min(), let large = sizes.max(),
              let a = row.figures[small], let b = row.figures[large], a.count == b.count, !a.isEmpty,
              row.kind != .text, a.allSatisfy({ $0 > 0 }) else { return nil }
        return zip(b, a).map { $0 / $1 }
    }

    /// Whether a flat row's cost grew past `flatLimit` (for latency: the p50; a p99 of a few
    /// seconds' run on a shared machine moves ×5 by itself, so it is shown but does not mark).
    func isFinding(_ row: Row) -> Bool {
        guard row.flat, let r = ratio(row) else { return false }
        switch row.kind {
        case .latency: return r[0] > Self.flatLimit
        case .perSecond: return r[0] < 1 / Self.flatLimit
        default: return r.contains { $0 > Self.flatLimit }
        }
    }

    func markdown() -> String {
        let small = sizes.min() ?? 0, large = sizes.max() ?? 0
        var header = ["Measure"] + sizes.map { Self.grouped($0) + " tickets" }
        if sizes.count > 1 { header.append("ratio \(Self.short(large)) / \(Self.short(small))") }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|"]
        for row in rows {
            var cells = [row.measure]
            for size in sizes {
                if let note = row.notes[size] { cells.append(note) } else if let f = row.figures[size] { cells.append(Self.format(f, row.kind)) } else { cells.append("–") }
            }
            if sizes.count > 1 {
                if let r = ratio(row) {
                    let text = row.kind == .latency ? "×\(Self.times(r[0])) / ×\(Self.times(r[1])) · ×\(Self.times(r[2]))" : r.map { "×" + Self.times($0) }.joined(separator: " / ")
                    cells.append(isFinding(row) ? "**\(text)** ⚠" : text)
                } else {
                    cells.append("–")
                }
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ f: [Double], _ kind: Kind) -> String {
        switch kind {
        case .latency:
            guard f.count == 3 else { return "?" }
            return "\(ms(f[0])) / \(ms(f[1])) ms · \(grouped(Int(f[2].rounded())))/s"
        case .seconds: return String(format: f[0] < 10 ? "%.2f s" : "%.1f s", f[0])
        case .kilobytes: return String(format: "%.1f MB", f[0] / 1024)
        case .perSecond: return "\(grouped(Int(f[0].rounded())))/s"
        case .count: return grouped(Int(f[0].rounded()))
        case .text: return ""
        }
    }

    static func ms(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : "%.1f", v) }

    static func times(_ v: Double) -> String { String(format: v < 1 ? "%.2f" : v < 10 ? "%.1f" : "%.0f", v) }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 10000 → "10k", 1000000 → "1M", 2500 → "2.5k".
    static func short(_ n: Int) -> String {
        if n >= 1_000_000 && n % 100_000 == 0 { return n % 1_000_000 == 0 ? "\(n / 1_000_000)M" : String(format: "%.1fM", Double(n) / 1e6) }
        if n >= 1_000 && n % 100 == 0 { return n % 1_000 == 0 ? "\(n / 1_000)k" : String(format: "%.1fk", Double(n) / 1e3) }
        return String(n)
    }
}

/// What `campusdesk-bench scale` is asked to do.
struct ScaleOptions: Sendable, Equatable {
    var sizes = [10_000, 100_000, 1_000_000]
    /// Seconds each page is driven (after a short warm-up).
    var seconds = 2.0
    /// Keep-alive connections per page, each on its own thread.
    var connections = 4
    /// Attachment files uploaded per size; nil: one per 300 tickets (at least 20).
    var attachments: Int?
    /// Commands (new reports, then as many status changes) sent through the gateway.
    var commands = 300
    var output: String?
    /// Where the spool goes (a tmpfs by default, as the other round-trip benches' spools are in /tmp).
    var spoolParent = "/dev/shm"
    var keep = false
    /// Load the tickets with one SQL transaction (``BenchAnalyticsRoundTripCommand/BulkTickets``,
    /// what `analytics-roundtrip` does) instead of `campusdesk import`: for a size whose import
    /// would not finish in the time at hand; the import rows then say "bulk load".
    var bulk = false

    static let usage = """
        usage: campusdesk-bench scale [--tickets N[,N...]] [--seconds S] [--connections C] [--attachments K]
                                      [--commands N] [--spool-dir DIR] [--output FILE] [--keep] [--bulk]
          For each N (default 10000,100000,1000000), in a fresh data directory (under $TMPDIR) and spool
          (under --spool-dir, default /dev/shm): starts the eight real processes of the `campusdesk`
          beside this binary, imports N generated tickets with `campusdesk import`, uploads K small
          JPEGs (default N/300, at least 20), sends N new reports and N status changes through the
          gateway, drives every list, filter, sort, search, page, dashboard and API list with C
          keep-alive connections for S seconds each (p50 / p99 ms and req/s), reads each process's
          VmRSS and VmHWM, then times export, backup (with the attachments) and restore, with the peak
          memory (ru_maxrss) of each command. Prints one Markdown table (a column per N and the ratio
          largest / smallest) to stdout, and to FILE with --output. --tickets 2000 is a quick self-check.
          --bulk writes the tickets into tickets.db in one SQL transaction (as analytics-roundtrip does) instead of
          importing them, when the import would take too long; the import rows then say so.

        """

    /// Parses the arguments after `scale`; nil on a usage error.
    static func parse(_ args: [String]) -> ScaleOptions? {
        var o = ScaleOptions()
        var rest = args[...]
        if rest.first == "scale" { rest = rest.dropFirst() }
        while let flag = rest.first {
            rest = rest.dropFirst()
            if flag == "--keep" { o.keep = true; continue }
            if flag == "--bulk" { o.bulk = true; continue }
            guard let value = rest.first else { return nil }
            rest = rest.dropFirst()
            switch flag {
            case "--tickets":
                let parts = value.split(separator: ",", omittingEmptySubsequences: false)
                let sizes = parts.compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
                guard !sizes.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ (100...20_000_000).contains($0) }), Set(sizes).count == sizes.count else { return nil }
                o.sizes = sizes.sorted()
            case "--seconds":
                guard let s = Double(value), s >= 0.2, s <= 600 else { return nil }
                o.seconds = s
            case "--connections":
                guard let c = Int(value), (1...256).contains(c) else { return nil }
                o.connections = c
            case "--attachments":
                guard let k = Int(value), (0...1_000_000).contains(k) else { return nil }
                o.attachments = k
            case "--commands":
                guard let n = Int(value), (1...100_000).contains(n) else { return nil }
                o.commands = n
            case "--output": o.output = value
            case "--spool-dir": o.spoolParent = value
            default: return nil
            }
        }
        return o
    }

    /// Attachment files for `size` tickets.
    func attachmentCount(for size: Int) -> Int { attachments ?? max(20, size / 300) }
}
