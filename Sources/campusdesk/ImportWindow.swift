import Domain
import SpoolBroker

/// One window of `campusdesk import`: rows read together, sent as one bulk run, settled together.
///
/// Why windows are values: `StreamingImport` keeps more than one in flight (the next one is read
/// and sent while the worker still answers the last), and settles them strictly in file order,
/// so the checkpoint only ever moves past a window whose every row has its reply.
struct ImportWindow {
    /// A row sent as a command: what its reply or refusal needs (positions match `commands`).
    struct Row {
        var line: Int
        var fields: [String]
    }

    /// A rejected row: refused by the CSV checks, by the ticket worker, or not sendable.
    struct Rejected {
        var line: Int
        var reasons: [String]
        var fields: [String]
    }

    /// Rows read before this window (data rows, skipped ones included): the progress bar's base.
    var base = 0
    var rows: [Row] = []
    var commands: [Command] = []
    /// Rows the CSV checks refused (never sent).
    var rejects: [Rejected] = []
    /// The line of the last record read into the window.
    var lastLine = 0

    /// Records read into the window.
    var count: Int { rows.count + rejects.count }

    init(base: Int, capacity: Int) {
        self.base = base
        rows.reserveCapacity(capacity)
        commands.reserveCapacity(capacity)
    }

    /// What a window's replies say, once its bulk run has returned.
    struct Settlement {
        /// Lines of the rows the worker applied (or had applied: a resent id answered from its stored reply).
        var appliedLines: [Int] = []
        /// Every rejected row of the window, in line order.
        var rejected: [Rejected] = []
        /// Rows sent but not answered (the run stopped); they stay queued.
        var unconfirmed = 0
        /// The first row without an answer; nil when every row was answered.
        var firstOpen: Int?
        /// The last line whose record is settled: the window's last, or the one before the first open row.
        var settledUpTo: Int
    }

    /// Reads `outcome` (the bulk run of `commands`; nil when there were none) into applied, rejected and open rows.
    func settlement(of outcome: RequestClient.BulkOutcome?) -> Settlement {
        var result = Settlement(rejected: rejects, settledUpTo: lastLine)
        guard let outcome else { return result }
        for (i, reply) in outcome.replies.enumerated() {
            let row = rows[i]
            if let refusal = reply?.refusal {
                let reason = "refused by the ticket worker: " + (refusal.field.map { "\($0): " } ?? "") + refusal.reason
                result.rejected.append(Rejected(line: row.line, reasons: [reason], fields: row.fields))
            } else if reply != nil {
                result.appliedLines.append(row.line)
            } else if let reason = outcome.notSent[i] {
                result.rejected.append(Rejected(line: row.line, reasons: ["not sent: \(reason)"], fields: row.fields))
            } else {
                result.unconfirmed += 1
                if result.firstOpen == nil { result.firstOpen = row.line }
            }
        }
        result.rejected.sort { $0.line < $1.line }
        if let firstOpen = result.firstOpen { result.settledUpTo = firstOpen - 1 }
        return result
    }
}
