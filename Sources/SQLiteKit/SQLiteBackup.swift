import CSQLite
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// Copies this database, as one consistent snapshot, into a new file at `path` (SQLite's online backup API).
    ///
    /// Why the backup API and not `cp`: a copy of the file while the writer commits can catch
    /// half a transaction, and misses whatever sits in the `-wal` file. `sqlite3_backup_step(-1)`
    /// copies every page inside one read transaction, so the copy is the database exactly as of
    /// one commit, WAL content included; in WAL mode that read transaction never blocks the writer
    /// (sqlite.org/backup.html, sqlite.org/wal.html). Copying in smaller steps would let a busy
    /// writer restart the copy again and again. The copy is then switched to `journal_mode=DELETE`
    /// so it is one self-contained file with no `-wal`/`-shm` beside it.
    ///
    /// The destination file is created or overwritten; on failure it may hold partial content and
    /// the caller removes it. Busy or locked steps are retried for up to `busyTimeout` seconds.
    ///
    /// - Throws: `SQLiteError` from opening the destination, the copy (`SQLITE_FULL` on a full
    ///   disk, `SQLITE_IOERR_*`, `SQLITE_CANTOPEN`) or the journal-mode switch.
    public func backup(toFile path: String, busyTimeout: Double = 5) throws(SQLiteError) {
        var opened: OpaquePointer?
        let rc = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let destination = opened else {
            let error = SQLiteError.from(opened, code: rc, sql: nil)
            // sqlite3_open_v2 allocates a handle even on failure; it must still be closed.
            sqlite3_close_v2(opened)
            throw error
        }
        defer { sqlite3_close_v2(destination) }
        sqlite3_extended_result_codes(destination, 1)
        // The destination is a scratch file until the copy is done: no rollback journal on disk
        // (a failed copy is deleted anyway, and each page is written once instead of twice).
        var message: UnsafeMutablePointer<CChar>?
        let scratch = "PRAGMA journal_mode=MEMORY"
        let scratchRC = sqlite3_exec(destination, scratch, nil, nil, &message)
        sqlite3_free(message)
        guard scratchRC == SQLITE_OK else { throw SQLiteError.from(destination, code: scratchRC, sql: scratch) }

        guard let backup = sqlite3_backup_init(destination, "main", handle, "main") else {
            throw SQLiteError.from(destination, code: sqlite3_errcode(destination), sql: nil)
        }
        var step: Int32
        var waitedMicroseconds: Double = 0
        repeat {
            step = sqlite3_backup_step(backup, -1)
            if step == SQLITE_BUSY || step == SQLITE_LOCKED {
                guard waitedMicroseconds < busyTimeout * 1_000_000 else { break }
                // A WAL source is busy only during recovery by another connection: wait a moment.
                usleep(10_000)
                waitedMicroseconds += 10_000
            }
        } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
        // finish releases the source's read transaction and reports the step's error (if any).
        let finished = sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE, finished == SQLITE_OK else {
            let code = step == SQLITE_DONE ? finished : step
            throw SQLiteError(code: code & 0xFF, extendedCode: code,
                              message: "backup of \(self.path.suffix(120)) failed: \(String(cString: sqlite3_errstr(code)))", sql: nil)
        }
        // The copied header says WAL (it came from a WAL database); one file is what a backup should be.
        let pragma = "PRAGMA journal_mode=DELETE"
        let mode = sqlite3_exec(destination, pragma, nil, nil, &message)
        sqlite3_free(message)
        guard mode == SQLITE_OK else { throw SQLiteError.from(destination, code: mode, sql: pragma) }
    }

    /// `PRAGMA integrity_check`: an empty array when the database is sound, else SQLite's findings (at most `limit`).
    ///
    /// Why: a backup is only worth keeping if it opens and every b-tree, index and constraint in it
    /// checks out; this is the check `campusdesk backup` runs on each copy before calling it done.
    public func integrityProblems(limit: Int = 20) throws(SQLiteError) -> [String] {
        let statement = try prepare("PRAGMA integrity_check(\(max(1, limit)))")
        var rows: [String] = []
        while try statement.step() { rows.append(statement.optionalText(at: 0) ?? "") }
        return rows == ["ok"] ? [] : rows
    }
}
