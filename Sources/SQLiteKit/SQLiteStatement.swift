import CSQLite

/// SQLite's "copy the bytes now" destructor; the Swift buffer is gone once the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared SQL statement: prepared in `init`, finalized in `deinit` (the GRDB model).
///
/// Not `Sendable`: it belongs to the connection that prepared it and to that connection's owner.
/// Reuse it (bind, step, reset) instead of preparing the same SQL again on hot paths.
public final class Statement {
    /// The SQL text, kept for error reports (never the bound values).
    public let sql: String
    let handle: OpaquePointer
    private let db: OpaquePointer

    init(db: OpaquePointer, sql: String) throws(SQLiteError) {
        var stmt: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { sqlite3_prepare_v2(db, $0, -1, &stmt, &tail) }
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw SQLiteError.from(db, code: rc, sql: sql)
        }
        self.db = db
        self.sql = sql
        self.handle = stmt
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: - Binding

    /// The number of `?` parameters the statement takes.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Resets the statement and binds `values` to parameters 1...n; the count must match exactly.
    ///
    /// A mismatch is an error rather than a silent NULL, because an unbound parameter is a bug.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        reset()
        guard values.count == parameterCount else {
            throw SQLiteError(.range, message: "expected \(parameterCount) values, got \(values.count)", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value to a 1-based parameter index, checking SQLite's return code.
    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case .integer(let v):
            rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            rc = sqlite3_bind_double(handle, index, v)
        case .text(let v):
            var text = v
            rc = text.withUTF8 { buf in
                // An empty buffer may have a nil base address, which SQLite would bind as NULL.
                guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_text(handle, index, "", 0, transient) }
                return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(buf.count), transient)
                }
            }
        case .blob(let v):
            rc = v.withUnsafeBytes { buf in
                sqlite3_bind_blob(handle, index, buf.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buf.count), transient)
            }
        }
        guard rc == SQLITE_OK else { throw SQLiteError.from(db, code: rc, sql: sql) }
    }

    /// Makes the statement ready to run again and drops earlier bindings.
    public func reset() {
        // sqlite3_reset repeats the last step's error, which was already thrown by `step`.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Running

    /// Advances one row: true when a row is available to read, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError.from(db, code: rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds `values`, runs to completion (ignoring rows) and resets.
    public func execute(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        try bind(values)
        defer { reset() }
        while try step() {}
    }

    /// Binds `values`, maps every row and resets.
    public func query<T>(_ values: [SQLiteValue] = [], _ row: (Statement) throws -> T) throws -> [T] {
        try bind(values)
        defer { reset() }
        var rows: [T] = []
        while try step() { rows.append(try row(self)) }
        return rows
    }

    /// Resets, lets `bind` bind parameters by index, runs to completion (ignoring rows) and resets.
    ///
    /// For hot paths: unlike `execute(_ values:)` it builds no `[SQLiteValue]` array per row.
    /// Parameters `bind` leaves alone are NULL (the reset clears every binding).
    public func execute(binding bind: (Statement) throws -> Void) throws {
        reset()
        defer { reset() }
        try bind(self)
        while try step() {}
    }

    /// Binds `values` and maps the first row, if any.
    public func queryFirst<T>(_ values: [SQLiteValue] = [], _ row: (Statement) throws -> T) throws -> T? {
        try bind(values)
        defer { reset() }
        return try step() ? try row(self) : nil
    }

    // MARK: - Column reads (0-based, on the current row)

    /// The number of columns in a result row.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// True when the column holds NULL.
    public func isNull(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// The column as a 64-bit integer (0 for NULL, SQLite's conversion rules otherwise).
    public func int64(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// The column as an integer, or nil for NULL.
    public func optionalInt64(at index: Int32) -> Int64? { isNull(at: index) ? nil : int64(at: index) }

    /// The column as a double.
    public func double(at index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// The column as a double, or nil for NULL.
    public func optionalDouble(at index: Int32) -> Double? { isNull(at: index) ? nil : double(at: index) }

    /// The column as UTF-8 text ("" for NULL).
    public func text(at index: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as text, or nil for NULL.
    public func optionalText(at index: Int32) -> String? { isNull(at: index) ? nil : text(at: index) }

    /// True when the column holds a BLOB (as opposed to TEXT, a number or NULL).
    public func isBlob(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_BLOB }

    /// Calls `body` with the column's bytes, without copying them; the buffer is valid only inside `body`.
    public func withBlob<T, E: Error>(at index: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let base = sqlite3_column_blob(handle, index), count > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The column as bytes (empty for NULL).
    public func blob(at index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let base = sqlite3_column_blob(handle, index), count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}
