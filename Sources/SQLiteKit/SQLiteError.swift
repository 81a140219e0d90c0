import CSQLite

/// A failure reported by SQLite, with the context needed to act on it.
///
/// Carries the primary and extended result codes, SQLite's message and the SQL text, but never
/// the bound values: those may hold personal data (descriptions, names) and errors end up in logs.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`, ...).
    public var code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, ...), which tells constraint kinds apart.
    public var extendedCode: Int32
    /// SQLite's own explanation (`sqlite3_errmsg`) or the wrapper's.
    public var message: String
    /// The statement that failed, if any.
    public var sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// Builds the error from a connection's last failure; `code` is the value an API call returned.
    static func from(_ db: OpaquePointer?, code: Int32, sql: String?) -> SQLiteError {
        let extended = db.map { sqlite3_extended_errcode($0) } ?? code
        let message: String
        if let db, let text = sqlite3_errmsg(db) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        // The primary code is the low byte of the extended one (sqlite.org/rescode.html).
        return SQLiteError(code: code & 0xFF, extendedCode: extended, message: message, sql: sql)
    }

    /// Creates an error with a named primary result code (the wrapper's own failures, decoders' `.corrupt`).
    public init(_ resultCode: ResultCode, message: String, sql: String? = nil) {
        self.init(code: resultCode.rawValue, message: message, sql: sql)
    }

    /// The primary result code by name, for `catch` clauses that act on the kind of failure.
    public var resultCode: ResultCode { ResultCode(rawValue: code) }

    /// True for a constraint violation (UNIQUE, CHECK, FOREIGN KEY, NOT NULL).
    public var isConstraintViolation: Bool { resultCode == .constraint }

    /// True when the statement was stopped before it finished: its time limit passed
    /// (`Connection.withTimeLimit`). The connection is fine; the query was too slow.
    public var isInterrupted: Bool { resultCode == .interrupted }

    public var description: String {
        var text = "SQLite error \(code) (extended \(extendedCode)): \(message)"
        if let sql { text += " [sql: \(sql.prefix(200))]" }
        return text
    }
}

extension SQLiteError {
    /// A primary SQLite result code (sqlite.org/rescode.html), named.
    ///
    /// Why a type: callers decided on bare numbers (`code == 26 || code == 11`), which nobody can
    /// read or grep; the names are SQLite's own without the `SQLITE_` prefix.
    public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `SQLITE_ERROR`: a generic failure (SQL error, the wrapper's own checks such as migrations).
        public static let error = ResultCode(rawValue: SQLITE_ERROR)
        /// `SQLITE_ABORT`: an operation was aborted (a changeset conflict, `Connection.apply(_:)`).
        public static let abort = ResultCode(rawValue: SQLITE_ABORT)
        /// `SQLITE_SCHEMA`: the schema changed, or a session cannot describe a table (generated columns in 3.40).
        public static let schema = ResultCode(rawValue: SQLITE_SCHEMA)
        /// `SQLITE_BUSY`: another connection holds a lock past the busy timeout.
        public static let busy = ResultCode(rawValue: SQLITE_BUSY)
        /// `SQLITE_LOCKED`: a conflict inside this connection's own shared cache.
        public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
        /// `SQLITE_READONLY`: a write on a read-only connection or file.
        public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
        /// `SQLITE_INTERRUPT`: the statement was stopped before it finished (its time limit passed).
        public static let interrupted = ResultCode(rawValue: SQLITE_INTERRUPT)
        /// `SQLITE_IOERR`: the operating system reported an I/O error.
        public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
        /// `SQLITE_CORRUPT`: the file (or a value this code wrote) is damaged.
        public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
        /// `SQLITE_FULL`: the disk is full.
        public static let full = ResultCode(rawValue: SQLITE_FULL)
        /// `SQLITE_CANTOPEN`: the file could not be opened (missing directory, permissions).
        public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
        /// `SQLITE_CONSTRAINT`: a UNIQUE, CHECK, FOREIGN KEY or NOT NULL constraint failed.
        public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
        /// `SQLITE_MISUSE`: the library was called the wrong way (a programming error).
        public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
        /// `SQLITE_RANGE`: a bind index or value count out of range.
        public static let range = ResultCode(rawValue: SQLITE_RANGE)
        /// `SQLITE_NOTADB`: the file is not an SQLite database.
        public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)

        public var description: String { String(cString: sqlite3_errstr(rawValue)) }
    }
}
