import Domain
import Logging
import SpoolBroker
import CSV
import Operations
import ServiceLifecycle
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One run of `campusdesk import`: the file read record by record, rows sent a window at a time,
/// a checkpoint after each window, rejected rows into the rejects file.
///
/// Windows are pipelined: the next window is read and sent while the worker still answers the
/// previous ones (`Options.inFlight` at most), so its queue never runs dry at a window boundary
/// (one window at a time drained it: 1,404 rows/s at 1M, docs/performance.md). They settle in file
/// order, and the checkpoint only moves past the oldest window whose every row is answered, so a
/// `kill -9` with several windows in flight resends them under the same command ids: nothing lost,
/// nothing applied twice. Memory holds one read chunk and `inFlight` windows of rows (their
/// commands and fields), whatever the size of the file. A file (not stdin) is read twice: first only to check that its CSV is whole
/// (an unterminated quote at the end refuses the file before anything is sent, as before) and
/// to count its rows for the progress bar; then to send. Resuming: `ImportCheckpoint`.
struct StreamingImport {
    struct Options {
        var waitSeconds = 120
        /// Rows read between two checkpoints (all of a window in flight at once).
        ///
        /// With two in flight, 1,024 rows are queued while the next window is read (2,048 right after
        /// it is sent): at 200,000 rows it peaked at 41 MB where 2,048 took 47 MB and 4,096 took
        /// 56 MB, at the same rate; a 10,000,000-row run with 2,048 crept to 58–65 MB (docs/performance.md).
        var window = 1_024
        /// Windows sent and not yet settled, at most: 2 keeps the worker busy while the oldest settles.
        var inFlight = 2
        /// Where rejected rows go; nil: `FILE.rejected` (none for stdin).
        var rejectsPath: String?
        /// Ignore (delete) a state file left by an earlier run: every row is sent under a new run.
        var restart = false
    }

    let file: String
    let options: Options
    let config: Configuration
    let stderr = CommandLineTool.printError

    var isStdin: Bool { file == "-" }
    var statePath: String? { isStdin ? nil : file + ".import-state" }
    var rejectsPath: String? { options.rejectsPath ?? (isStdin ? nil : file + ".rejected") }

    func run() async throws(CommandLineError) -> Int32 {
        MallocTrim.fixMapThreshold()
        let fd = isStdin ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .failure("campusdesk import: cannot read \(file): \(String(cString: strerror(errno)))")
        }
        defer { if !isStdin { close(fd) } }
        // One import of a file at a time: two would share the state file (no duplicates, their ids
        // being the same, but each would resend what the other settled).
        guard isStdin || flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw .failure("campusdesk import: another import of \(file) is running")
        }

        // First pass (files only): the CSV is whole, the header is good, and how many rows there are.
        var total = 0
        var size = 0, prefix = ""
        if !isStdin {
            var records = CSVFileRecords(fd: fd)
            do throws(CSVFileRecords.Failure) {
                guard let first = try records.nextRecord() else { throw .csv(CSVError(line: 1, reason: "the file is empty; expected a header row")) }
                do { _ = try TicketCSV.ImportHeader(first) } catch { throw .csv(error) }
                while try records.nextRecord() != nil { total += 1 }
            } catch {
                throw .failure("campusdesk import: \(file): \(error)")
            }
            size = records.bytesRead
            var head = [UInt8](repeating: 0, count: 64 * 1024)
            let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            prefix = ImportCheckpoint.digest(head.prefix(max(0, n)))
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw .failure("campusdesk import: cannot reread \(file): \(String(cString: strerror(errno)))") }
        }

        // The checkpoint: a new run, or the one a stopped run left.
        var state = ImportCheckpoint(run: UUID().uuidString.lowercased(), size: size, prefixDigest: prefix)
        var resuming = false
        if let statePath {
            if options.restart { unlink(statePath) }
            if let text = try? String(contentsOfFile: statePath, encoding: .utf8) {
                guard let saved = ImportCheckpoint(text: text) else {
                    throw .failure("campusdesk import: \(statePath) is not an import state file; delete it (or pass --restart) to import afresh")
                }
                guard saved.size == size, saved.prefixDigest == prefix else {
                    throw .failure("campusdesk import: \(statePath) was left by an import of another version of \(file); "
                        + "pass --restart to import this one afresh (rows the stopped run sent stay imported)")
                }
                state = saved
                resuming = true
            }
        }

        var header: TicketCSV.ImportHeader
        var records = CSVFileRecords(fd: fd)
        do throws(CSVFileRecords.Failure) {
            guard let first = try records.nextRecord() else { throw .csv(CSVError(line: 1, reason: "the file is empty; expected a header row")) }
            do { header = try TicketCSV.ImportHeader(first) } catch { throw .csv(error) }
        } catch {
            throw .failure("campusdesk import: \(file): \(error)")
        }
        for note in header.notes { stderr("campusdesk import: note: \(note)\n") }

        let rejects: RejectsFile?
        if let rejectsPath {
            do { rejects = try RejectsFile(path: rejectsPath, header: header.fields, keep: resuming ? state.rejectsBytes : 0) } catch {
                throw .failure("campusdesk import: cannot write \(rejectsPath): \(error)")
            }
            state.rejectsBytes = rejects?.length ?? 0
        } else {
            rejects = nil
        }
        if let statePath {
            do { try Self.save(state, to: statePath) } catch { throw .failure("campusdesk import: cannot write \(statePath): \(error)") }
        }
        if resuming {
            stderr("campusdesk import: resuming the import stopped after line \(state.settledLine) "
                + "(imported \(state.imported), rejected \(state.rejected) so far)\n")
        }

        var logger = Logger(component: "import")
        logger.minimumLevel = .warning
        let client: RequestClient
        do {
            let broker = try SpoolMessageBroker(root: config.spoolDirectory, logger: logger)
            client = try RequestClient(broker: broker, processName: "import", logger: logger)
        } catch {
            throw .failure("campusdesk import: \(error)")
        }
        defer { client.close() }

        let display = ProgressDisplay(label: "importing", total: total)
        let progress = ImportProgress(display: display)
        var bulk = RequestClient.BulkOptions()
        bulk.giveUpAfter = .seconds(options.waitSeconds)
        bulk.window = max(bulk.window, options.window)

        var done = 0               // records read (data rows), for the progress bar
        var imported = state.imported, rejected = state.rejected
        var stopped: String?
        var unconfirmed = 0
        var failure: CommandLineError?

        /// Settles the oldest window in flight: counts its replies, writes its rejects, advances the
        /// checkpoint past it. Once a window has stopped (unanswered rows), the later ones are only
        /// counted: the checkpoint stays before the first open row, and their rejects are found
        /// again by the run that resumes.
        func settle(_ window: ImportWindow, _ outcome: RequestClient.BulkOutcome?) throws(CommandLineError) {
            let s = window.settlement(of: outcome)
            for r in s.rejected { stderr("line \(r.line): \(r.reasons.joined(separator: "; "))\n") }
            imported += s.appliedLines.count
            rejected += s.rejected.count
            unconfirmed += s.unconfirmed
            if stopped == nil {
                let settledRejects = s.rejected.filter { $0.line <= s.settledUpTo }
                do {
                    if let rejects {
                        try rejects.append(settledRejects.map { TicketCSV.rejectRecord(line: $0.line, reasons: $0.reasons, fields: $0.fields) })
                        state.rejectsBytes = rejects.length
                    }
                    state.settledLine = s.settledUpTo
                    state.imported += s.appliedLines.count { $0 <= s.settledUpTo }
                    state.rejected += settledRejects.count
                    if let statePath { try Self.save(state, to: statePath) }
                } catch {
                    throw .failure("campusdesk import: cannot save progress: \(error)")
                }
            }
            if s.firstOpen != nil, stopped == nil { stopped = outcome?.stopReason.map { "\($0)" } ?? "stopped" }
            MallocTrim.releaseFreeMemory()
        }

        let now = SystemClock().now()
        var readFailure: CSVFileRecords.Failure?
        let depth = max(1, options.inFlight), windowSize = options.window
        await withTaskGroup(of: (Int, RequestClient.BulkOutcome).self) { group in
            // Windows sent and not yet settled, oldest first; `oldest` is the sequence number of the first.
            var inFlight: [ImportWindow] = []
            var outcomes: [Int: RequestClient.BulkOutcome] = [:]
            var oldest = 0

            func launch(_ window: ImportWindow) {
                let seq = oldest + inFlight.count
                inFlight.append(window)
                guard !window.commands.isEmpty else { return }
                let base = window.base + window.rejects.count
                let commands = window.commands, bulk = bulk
                group.addTask {
                    let outcome = await client.send(commands, options: bulk) { p in progress.report(p, base: base) }
                    return (seq, outcome)
                }
            }

            /// Waits for the oldest window's run (the others' outcomes are kept until their turn) and settles it.
            func settleOldest() async {
                // A window without commands (all its rows refused by the CSV checks) has no run to wait for.
                while !inFlight[0].commands.isEmpty, outcomes[oldest] == nil, let next = await group.next() { outcomes[next.0] = next.1 }
                let window = inFlight.removeFirst()
                let outcome = outcomes.removeValue(forKey: oldest)
                oldest += 1
                do throws(CommandLineError) { try settle(window, outcome) } catch {
                    failure = error
                    group.cancelAll()
                }
                // Stopped: the later windows are only counted, so they stop too rather than wait
                // out their own `giveUpAfter` (what they sent stays queued, as the oldest's does).
                if stopped != nil { group.cancelAll() }
            }

            var current = ImportWindow(base: 0, capacity: windowSize)
            while failure == nil && stopped == nil {
                let record: CSVRecord?
                do throws(CSVFileRecords.Failure) { record = try records.nextRecord() } catch { readFailure = error; break }
                guard let record else { break }
                done += 1
                if record.line <= state.settledLine { current.base = done; continue }
                current.lastLine = record.line
                switch header.row(record, now: now) {
                case .success(let row):
                    current.rows.append(ImportWindow.Row(line: row.line, fields: record.fields))
                    // As the operator (admin without an account): taken on the campus and the network desk alike.
                    current.commands.append(Command(id: CommandID(state.commandID(line: row.line)), role: .admin,
                                                    action: .importTicket(row.ticket), channel: .import))
                case .failure(let rejection):
                    current.rejects.append(ImportWindow.Rejected(line: rejection.line, reasons: rejection.reasons, fields: record.fields))
                }
                if current.count >= windowSize {
                    launch(current)
                    current = ImportWindow(base: done, capacity: windowSize)
                    // The next window is read while this one (and up to `depth - 2` before it) is answered.
                    while inFlight.count >= depth && failure == nil { await settleOldest() }
                }
            }
            if failure == nil && stopped == nil && current.count > 0 { launch(current) }
            while !inFlight.isEmpty && failure == nil { await settleOldest() }
            if failure != nil { group.cancelAll() }
        }
        if let failure { throw failure }
        display.finish(done: done)

        if let readFailure {
            stderr("campusdesk import: \(file): \(readFailure); the rows before it were sent\n")
        }
        if let stopped {
            stderr("campusdesk import: \(unconfirmed) rows are not confirmed (\(stopped)); those already sent stay queued and "
                + "are applied when the ticket worker runs\n")
            if let statePath {
                stderr("campusdesk import: stopped after line \(state.settledLine); run the same import again to go on from there "
                    + "(no row is imported twice; progress in \(statePath))\n")
            }
        } else if readFailure == nil, let statePath {
            unlink(statePath)
        }
        if rejects != nil, let path = rejectsPath {
            if state.rejected == 0 && stopped == nil && readFailure == nil {
                unlink(path)
            } else if rejected > 0 {
                stderr("campusdesk import: rejected rows with their line and reason are in \(path)\n")
            }
        }
        print("imported \(imported), rejected \(rejected)" + (unconfirmed > 0 ? ", unconfirmed \(unconfirmed)" : ""))
        return rejected == 0 && unconfirmed == 0 && readFailure == nil ? 0 : 1
    }

    /// Writes the checkpoint atomically: a temporary file, fsync, rename over the old one.
    static func save(_ state: ImportCheckpoint, to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "open", path: tmp) }
        defer { close(fd) }
        let bytes = Array(state.text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw POSIXFailure(operation: "write", path: tmp) }
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync", path: tmp) }
        guard rename(tmp, path) == 0 else { throw POSIXFailure(operation: "rename", path: path) }
    }
}

/// The progress bar and the "waiting for the worker" note, fed by every window in flight.
private final class ImportProgress: Sendable {
    let display: ProgressDisplay
    /// The highest value shown: each window reports its answers from its own base, the later ones ahead.
    private let shown = Mutex(0)
    private let warned = Mutex(false)

    init(display: ProgressDisplay) { self.display = display }

    /// A window's bulk progress, `base` being the records read before its first command.
    func report(_ p: RequestClient.BulkProgress, base: Int) {
        let value = base + p.answered
        if shown.withLock({ s in defer { s = max(s, value) }; return value > s }) { display.update(done: value) }
        if p.sinceLastReply >= .seconds(5), p.answered < p.total, !warned.withLock({ w in defer { w = true }; return w }) {
            FileHandle.standardError.write(Data("waiting for the ticket worker to answer (is `campusdesk up` running?)\n".utf8))
        }
    }
}

/// A failed system call on a path, with errno's text.
struct POSIXFailure: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32 = errno
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// The rejects file (`TicketCSV+Rejects`): appended to and fsynced window by window, so its length
/// at each checkpoint is what a resumed run cuts it back to.
final class RejectsFile {
    let fd: Int32
    let path: String
    private(set) var length: Int

    /// Opens `path`, keeping its first `keep` bytes (a resumed run) or starting it with the header.
    init(path: String, header: [String], keep: Int) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "open", path: path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw POSIXFailure(operation: "fstat", path: path) }
        length = min(keep, Int(st.st_size))
        guard ftruncate(fd, off_t(length)) == 0, lseek(fd, off_t(length), SEEK_SET) == off_t(length) else {
            close(fd)
            throw POSIXFailure(operation: "truncate", path: path)
        }
        if length == 0 { try append([TicketCSV.rejectsHeader(header)]) }
    }

    deinit { close(fd) }

    /// Appends records and fsyncs (nothing when there are none).
    func append(_ records: [String]) throws {
        guard !records.isEmpty else { return }
        let bytes = Array(records.joined().utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure(operation: "write", path: path)
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync", path: path) }
        length += bytes.count
    }
}
