import CSQLite

/// One SQLite database handle, confined to one owner (an actor or a single thread).
///
/// Deliberately not `Sendable`: it is opened with `SQLITE_OPEN_NOMUTEX`, so SQLite does no
/// locking of its own and two threads must never use it at once. Each process and each owner
/// opens its own. Opening turns on extended result codes, a 5 s busy timeout and, for writers,
/// WAL (readers read while the writer writes), `foreign_keys=ON` and the chosen `synchronous`.
public final class Connection {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read and write, creating the file if needed.
        case readWrite
        /// Read only (the query side); writes fail with `SQLITE_READONLY`.
        case readOnly
    }

    /// `PRAGMA synchronous`: how often SQLite waits for the disk (sqlite.org/pragma.html#pragma_synchronous).
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Never fsync; a power loss can corrupt nothing in WAL mode but lose recent commits.
        case off = "OFF"
        /// In WAL mode, fsync only at checkpoints: durable across a process crash, not a power loss.
        case normal = "NORMAL"
        /// In WAL mode, fsync the WAL at every commit: durable across a power loss.
        case full = "FULL"
    }

    /// The kind of `BEGIN`.
    public enum TransactionKind: String, Sendable {
        /// Take the write lock at `BEGIN`, so a writer never fails half-way on `SQLITE_BUSY` upgrade.
        case immediate = "IMMEDIATE"
        /// Take locks on first use (fine for read transactions).
        case deferred = "DEFERRED"

        /// The statement that opens a transaction of this kind (a literal: the statement cache's key).
        var beginSQL: String {
            switch self {
            case .immediate: "BEGIN IMMEDIATE"
            case .deferred: "BEGIN DEFERRED"
            }
        }
    }

    /// The file path (or `:memory:`).
    public let path: String
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    private var savepointCache: [String: SavepointStatements] = [:]
    /// The deadline the progress handler reads (`SQLiteConnection+TimeLimit.swift`).
    let timeLimitDeadline = TimeLimitDeadline()

    /// SAVEPOINT, ROLLBACK TO and RELEASE for one name.
    private struct SavepointStatements {
        let begin: Statement
        let rollback: Statement
        let release: Statement
    }

    /// Runs once, before the first connection initialises SQLite: turns off memory statistics.
    private static let configureLibrary: Void = { _ = csqlite_disable_memstatus() }()

    /// Opens (or creates) a database.
    ///
    /// - Throws: `SQLiteError` if the file cannot be opened or configured; the handle is closed then.
    public init(path: String, mode: Mode = .readWrite, synchronous: Synchronous = .full) throws(SQLiteError) {
        _ = Self.configureLibrary
        var db: OpaquePointer?
        let flags = (mode == .readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError.from(db, code: rc, sql: nil)
            // sqlite3_open_v2 allocates a handle even on failure; it must still be closed.
            sqlite3_close_v2(db)
            throw error
        }
        self.path = path
        self.handle = db
        do {
            sqlite3_extended_result_codes(db, 1)
            sqlite3_busy_timeout(db, 5_000)
            if mode == .readWrite {
                // journal_mode returns a row; WAL persists in the file, so readers inherit it.
                try execute("PRAGMA journal_mode=WAL")
                try execute("PRAGMA synchronous=\(synchronous.rawValue)")
            }
            try execute("PRAGMA foreign_keys=ON")
        } catch {
            statementCache.removeAll()
            savepointCache.removeAll()
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit {
        statementCache.removeAll()
        savepointCache.removeAll()
        // close_v2 defers the close until any statement still alive is finalized.
        sqlite3_close_v2(handle)
    }

    // MARK: - Statements

    /// Prepares a new statement (finalized when released).
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(db: handle, sql: sql)
    }

    /// Returns the statement prepared for this SQL text, preparing it once.
    ///
    /// Hot paths (a million imports) would otherwise spend most of their time in the SQL compiler.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs SQL text without bound values (schema, pragmas), possibly several statements.
    ///
    /// Never pass user input here: values go through `Statement.bind`.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let error = SQLiteError.from(handle, code: rc, sql: sql)
            sqlite3_free(message)
            throw error
        }
    }

    /// Runs one statement with bound values through the statement cache.
    public func execute(_ sql: String, _ values: [SQLiteValue]) throws(SQLiteError) {
        try cachedStatement(sql).execute(values)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True while a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// `PRAGMA user_version`, the schema version the migrations maintain.
    public func userVersion() throws(SQLiteError) -> Int {
        let statement = try prepare("PRAGMA user_version")
        return try statement.step() ? Int(statement.int64(at: 0)) : 0
    }

    /// A single-value `PRAGMA` read (for checks and benchmarks), as text.
    public func pragma(_ name: String) throws(SQLiteError) -> String? {
        precondition(name.allSatisfy { $0.isLetter || $0 == "_" }, "pragma name must be an identifier")
        let statement = try prepare("PRAGMA \(name)")
        return try statement.step() ? statement.optionalText(at: 0) : nil
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// The error thrown is the body's original error, not one from the rollback (GRDB's rule),
    /// so callers see why the work failed. If COMMIT itself fails the transaction is rolled back
    /// and the COMMIT error is thrown.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: (Connection) throws -> T) throws -> T {
        // BEGIN and COMMIT are prepared once (the statement cache): compiled by `sqlite3_exec` on
        // each call they were a percent of a list page, which reads in one transaction.
        try cachedStatement(kind.beginSQL).execute()
        let result: T
        do {
            result = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        do {
            try cachedStatement("COMMIT").execute()
        } catch {
            rollbackQuietly()
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to (undone) when it throws.
    ///
    /// Used for one command inside a batch transaction, so a failing command leaves no partial write
    /// while the rest of the batch commits. Nests inside `transaction` or starts one if none is open.
    public func savepoint<T>(_ name: String, _ body: (Connection) throws -> T) throws -> T {
        let statements = try savepointStatements(name)
        try statements.begin.execute()
        let result: T
        do {
            result = try body(self)
        } catch {
            // ROLLBACK TO undoes the work but keeps the savepoint open; RELEASE then closes it.
            // RELEASE only after a successful ROLLBACK TO: releasing otherwise would keep the failed writes.
            if isInTransaction, (try? statements.rollback.execute()) != nil {
                try? statements.release.execute()
            }
            throw error
        }
        try statements.release.execute()
        return result
    }

    /// The three prepared statements of one savepoint name, prepared (and the name checked) once.
    ///
    /// One savepoint per command, a million commands in an import: building the three SQL strings,
    /// hashing them into the statement cache and checking the name with `Character` properties each
    /// time was ~1-2 % of the import's CPU.
    private func savepointStatements(_ name: String) throws(SQLiteError) -> SavepointStatements {
        if let cached = savepointCache[name] { return cached }
        precondition(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") },
                     "savepoint name must be an identifier")
        let statements = SavepointStatements(
            begin: try prepare("SAVEPOINT \(name)"), rollback: try prepare("ROLLBACK TO \(name)"), release: try prepare("RELEASE \(name)"))
        savepointCache[name] = statements
        return statements
    }

    private func rollbackQuietly() {
        // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR, ...).
        guard isInTransaction else { return }
        // A failing ROLLBACK leaves nothing to do better; the original error is what matters.
        try? execute("ROLLBACK")
    }
}
