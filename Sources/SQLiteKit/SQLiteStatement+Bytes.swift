import CSQLite

extension Statement {
    /// The column's UTF-8 text as a view into SQLite's row buffer, or nil for NULL.
    ///
    /// Why: list pages copy each row's text straight into the page; making a `String` first cost
    /// an allocation and a validation per field. The buffer belongs to SQLite and is valid only
    /// until the next `step`, `reset` or type conversion of this column, so callers keep it inside
    /// a non-escaping closure (see `TicketRows`). `sqlite3_column_text` is called before
    /// `sqlite3_column_bytes`, the order SQLite documents as safe. No `sqlite3_column_type` first:
    /// `sqlite3_column_text` answers a NULL pointer for NULL (and an empty text with a pointer to
    /// its terminator), and that third call per column was 2 % of the list page's instructions.
    public func textBytes(at index: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let base = sqlite3_column_text(handle, index) else { return nil }
        return UnsafeBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, index)))
    }
}
