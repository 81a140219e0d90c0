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

    /// True for a constraint violation (UNIQUE, CHECK, FOREIGN KEY, NOT NULL).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite error \(code) (extended \(extendedCode)): \(message)"
        if let sql { text += " [sql: \(sql.prefix(200))]" }
        return text
    }
}
