import CSQLite

/// Records the row changes one connection makes to chosen tables, as a changeset (SQLite's session
/// extension, sqlite.org/sessionintro.html).
///
/// Why: a replica of a database elsewhere is kept by applying, in order, the changesets its writer
/// recorded for each transaction (`Connection.apply(_:)`), instead of re-running the writer's logic.
/// Only tables with a declared PRIMARY KEY are recorded (SQLite 3.40 ignores others); changes made
/// by triggers are recorded like any other (the pre-update hook sees them); virtual tables are not.
/// Not `Sendable`: it belongs to its connection's owner. It keeps the connection alive, because a
/// session must be deleted before the handle it watches is closed.
public final class Session {
    let handle: OpaquePointer
    private let connection: Connection

    /// Starts recording changes to `tables` of the `main` database.
    public init(_ connection: Connection, tables: [String]) throws(SQLiteError) {
        var session: OpaquePointer?
        let rc = sqlite3session_create(connection.handle, "main", &session)
        guard rc == SQLITE_OK, let session else {
            throw SQLiteError.from(connection.handle, code: rc, sql: nil)
        }
        self.handle = session
        self.connection = connection
        for table in tables {
            let rc = sqlite3session_attach(session, table)
            guard rc == SQLITE_OK else {
                throw SQLiteError(code: rc, message: "session cannot record table \(table)")
            }
        }
    }

    deinit { sqlite3session_delete(handle) }

    /// True while nothing has been recorded.
    public var isEmpty: Bool { sqlite3session_isempty(handle) != 0 }

    /// Everything recorded so far, as one changeset (net changes per row: an insert then an update is one insert).
    public func changeset() throws(SQLiteError) -> Changeset {
        var size: Int32 = 0
        var bytes: UnsafeMutableRawPointer?
        let rc = sqlite3session_changeset(handle, &size, &bytes)
        defer { sqlite3_free(bytes) }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: "changeset not produced") }
        guard let bytes, size > 0 else { return Changeset(bytes: []) }
        return Changeset(bytes: Array(UnsafeRawBufferPointer(start: bytes, count: Int(size))))
    }
}

/// The row changes of one recorded transaction, in SQLite's changeset format.
public struct Changeset: Sendable, Equatable {
    /// The encoded changeset (what travels and what `Connection.apply(_:)` takes).
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// One row change read back from a changeset.
    public struct Change: Sendable, Equatable {
        public enum Operation: Sendable, Equatable { case insert, update, delete }
        public var table: String
        public var operation: Operation
        /// Old values per column (deletes: all; updates: the key and the changed columns; nil elsewhere).
        public var old: [SQLiteValue?]
        /// New values per column (inserts: all; updates: the changed columns; nil elsewhere).
        public var new: [SQLiteValue?]
    }

    /// The changes it holds, in the order `apply` performs them.
    public func changes() throws -> [Change] {
        guard !bytes.isEmpty else { return [] }
        var copy = bytes
        return try copy.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) throws -> [Change] in
            var iterator: OpaquePointer?
            var rc = sqlite3changeset_start(&iterator, Int32(buffer.count), buffer.baseAddress)
            guard rc == SQLITE_OK, let iterator else { throw SQLiteError(code: rc, message: "changeset not readable") }
            var changes: [Change] = []
            while true {
                rc = sqlite3changeset_next(iterator)
                guard rc == SQLITE_ROW else { break }
                var table: UnsafePointer<CChar>?
                var columns: Int32 = 0
                var op: Int32 = 0
                var indirect: Int32 = 0
                rc = sqlite3changeset_op(iterator, &table, &columns, &op, &indirect)
                guard rc == SQLITE_OK else { break }
                let operation: Change.Operation = op == SQLITE_INSERT ? .insert : op == SQLITE_DELETE ? .delete : .update
                var old = [SQLiteValue?](repeating: nil, count: Int(columns))
                var new = [SQLiteValue?](repeating: nil, count: Int(columns))
                for column in 0..<columns {
                    var value: OpaquePointer?
                    if operation != .insert, sqlite3changeset_old(iterator, column, &value) == SQLITE_OK, let value {
                        old[Int(column)] = SQLiteValue(value)
                    }
                    value = nil
                    if operation != .delete, sqlite3changeset_new(iterator, column, &value) == SQLITE_OK, let value {
                        new[Int(column)] = SQLiteValue(value)
                    }
                }
                changes.append(Change(table: table.map { String(cString: $0) } ?? "", operation: operation, old: old, new: new))
            }
            let finalized = sqlite3changeset_finalize(iterator)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW, finalized == SQLITE_OK else {
                throw SQLiteError(code: rc == SQLITE_DONE ? finalized : rc, message: "changeset damaged")
            }
            return changes
        }
    }
}

extension SQLiteValue {
    /// Copies a protected `sqlite3_value` (a changeset's column value).
    init(_ value: OpaquePointer) {
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: self = .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT: self = .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            let count = Int(sqlite3_value_bytes(value))
            if let text = sqlite3_value_text(value) {
                self = .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            } else {
                self = .text("")
            }
        case SQLITE_BLOB:
            let count = Int(sqlite3_value_bytes(value))
            if let blob = sqlite3_value_blob(value), count > 0 {
                self = .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
            } else {
                self = .blob([])
            }
        default: self = .null
        }
    }
}

// MARK: - Applying

extension Connection {
    /// Applies a changeset recorded elsewhere; any conflict aborts it (nothing of it stays) and throws.
    ///
    /// Why never skip or replace: a replica that applies changesets in order meets a conflict only
    /// when it has diverged (a gap, a change applied twice, a write of its own), and then every later
    /// change is suspect; the caller must stop and say so. Runs in a savepoint of its own, so it
    /// nests inside the caller's transaction. Triggers fire as for any statement unless turned off
    /// (``setTriggersEnabled(_:)``).
    ///
    /// - Throws: `SQLiteError` with code `SQLITE_ABORT` and the conflict's kind and table in its message.
    public func apply(_ changeset: Changeset) throws(SQLiteError) {
        guard !changeset.bytes.isEmpty else { return }
        let conflicts = ConflictLog()
        var copy = changeset.bytes
        let rc = copy.withUnsafeMutableBytes { buffer in
            withExtendedLifetime(conflicts) {
                sqlite3changeset_apply(handle, Int32(buffer.count), buffer.baseAddress, nil, { context, kind, iterator in
                    guard let context else { return SQLITE_CHANGESET_ABORT }
                    let log = Unmanaged<ConflictLog>.fromOpaque(context).takeUnretainedValue()
                    var table: UnsafePointer<CChar>?
                    var columns: Int32 = 0
                    var op: Int32 = 0
                    var indirect: Int32 = 0
                    if let iterator, sqlite3changeset_op(iterator, &table, &columns, &op, &indirect) == SQLITE_OK, let table {
                        log.first = log.first ?? "\(ConflictLog.name(kind)) on table \(String(cString: table))"
                    } else {
                        log.first = log.first ?? ConflictLog.name(kind)
                    }
                    return SQLITE_CHANGESET_ABORT
                }, Unmanaged.passUnretained(conflicts).toOpaque())
            }
        }
        guard rc == SQLITE_OK else {
            if let conflict = conflicts.first {
                throw SQLiteError(code: SQLITE_ABORT, message: "changeset conflict: \(conflict)")
            }
            throw SQLiteError.from(handle, code: rc, sql: nil)
        }
    }

    /// Turns triggers on or off for this connection (`SQLITE_DBCONFIG_ENABLE_TRIGGER`).
    ///
    /// A replica applying changesets that already hold what the writer's triggers derived turns them
    /// off, so nothing is derived twice. Prepared statements are re-prepared by SQLite afterwards.
    public func setTriggersEnabled(_ enabled: Bool) throws(SQLiteError) {
        var now: Int32 = 0
        let rc = csqlite_db_config_int(handle, SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled ? 1 : 0, &now)
        guard rc == SQLITE_OK, (now != 0) == enabled else {
            throw SQLiteError(code: rc == SQLITE_OK ? SQLITE_ERROR : rc, message: "triggers could not be turned \(enabled ? "on" : "off")")
        }
    }
}

/// The first conflict `sqlite3changeset_apply` reported, for the error message.
///
/// A class so the C callback can reach it through its context pointer; used on one thread, during one call.
private final class ConflictLog {
    var first: String?

    static func name(_ kind: Int32) -> String {
        switch kind {
        case SQLITE_CHANGESET_DATA: "the row differs from the change's old values"
        case SQLITE_CHANGESET_NOTFOUND: "the row is missing"
        case SQLITE_CHANGESET_CONFLICT: "the row already exists"
        case SQLITE_CHANGESET_CONSTRAINT: "a constraint failed"
        case SQLITE_CHANGESET_FOREIGN_KEY: "foreign keys are violated"
        default: "conflict \(kind)"
        }
    }
}
