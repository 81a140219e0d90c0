import CSQLite

/// The Swift body of an SQL function, kept alive by SQLite as the function's user data.
private final class TextFunction {
    let body: (String) -> String
    init(_ body: @escaping (String) -> String) { self.body = body }
}

/// The Swift body of an SQL function of several arguments, kept alive as ``TextFunction`` is.
private final class TextsFunction {
    let body: ([String?]) -> String
    init(_ body: @escaping ([String?]) -> String) { self.body = body }
}

/// SQLite's "copy the bytes now" destructor, for a result whose Swift buffer goes away on return.
private let transientResult = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Connection {
    /// Registers `name(text)`, an SQL function of one text argument computed by `body`, on this
    /// connection only (triggers and queries on it may call it; other connections, the sqlite3
    /// shell included, do not know it).
    ///
    /// NULL in gives NULL out without calling `body`; any other value is read as text (invalid
    /// UTF-8 repaired as `Statement.text(at:)` repairs it). The function is registered
    /// deterministic (the same input always gives the same output, so SQLite may reuse results)
    /// and innocuous (no side effects, so schema triggers may call it under `trusted_schema=OFF`).
    ///
    /// - Throws: `SQLiteError` when SQLite refuses the registration.
    public func createFunction(_ name: String, _ body: @escaping (String) -> String) throws(SQLiteError) {
        let box = Unmanaged.passRetained(TextFunction(body)).toOpaque()
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        let rc = sqlite3_create_function_v2(handle, name, 1, flags, box, { context, count, arguments in
            guard let context, count == 1, let argument = arguments?[0] else { return }
            guard sqlite3_value_type(argument) != SQLITE_NULL else { return sqlite3_result_null(context) }
            let function = Unmanaged<TextFunction>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
            // text before bytes: the byte count is of the text form (sqlite.org/c3ref/value_blob.html).
            let text = sqlite3_value_text(argument)
            let length = Int(sqlite3_value_bytes(argument))
            let input = text.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
            setTextResult(context, function.body(input))
        }, nil, nil, { box in
            // SQLite calls this once the function is replaced or the connection closes.
            if let box { Unmanaged<TextFunction>.fromOpaque(box).release() }
        })
        guard rc == SQLITE_OK else {
            // On failure SQLite has already called the destructor (sqlite.org/c3ref/create_function.html).
            throw SQLiteError.from(handle, code: rc, sql: nil)
        }
    }

    /// Registers `name(a, b, ...)`, an SQL function of `arguments` arguments read as text and
    /// computed by `body`, on this connection only, deterministic and innocuous as
    /// ``createFunction(_:_:)`` is.
    ///
    /// A NULL argument reaches `body` as nil (numbers as their text form, "3" for 3); the result is
    /// never NULL.
    ///
    /// - Throws: `SQLiteError` when SQLite refuses the registration.
    public func createFunction(_ name: String, arguments: Int, _ body: @escaping ([String?]) -> String) throws(SQLiteError) {
        let box = Unmanaged.passRetained(TextsFunction(body)).toOpaque()
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        let rc = sqlite3_create_function_v2(handle, name, Int32(arguments), flags, box, { context, count, values in
            guard let context else { return }
            var inputs: [String?] = []
            inputs.reserveCapacity(Int(count))
            for i in 0..<Int(count) {
                guard let value = values?[i], sqlite3_value_type(value) != SQLITE_NULL else { inputs.append(nil); continue }
                // text before bytes: the byte count is of the text form (sqlite.org/c3ref/value_blob.html).
                let text = sqlite3_value_text(value)
                let length = Int(sqlite3_value_bytes(value))
                inputs.append(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? "")
            }
            let function = Unmanaged<TextsFunction>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
            setTextResult(context, function.body(inputs))
        }, nil, nil, { box in
            // SQLite calls this once the function is replaced or the connection closes.
            if let box { Unmanaged<TextsFunction>.fromOpaque(box).release() }
        })
        guard rc == SQLITE_OK else {
            // On failure SQLite has already called the destructor (sqlite.org/c3ref/create_function.html).
            throw SQLiteError.from(handle, code: rc, sql: nil)
        }
    }
}

/// Sets a function's result to `text` (copied by SQLite); an empty text stays text, never SQL NULL.
private func setTextResult(_ context: OpaquePointer, _ text: String) {
    var output = text
    output.withUTF8 { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
            // A non-null pointer for an empty result: NULL would make the result SQL NULL.
            if let base = chars.baseAddress {
                sqlite3_result_text(context, base, Int32(chars.count), transientResult)
            } else {
                sqlite3_result_text(context, "", 0, transientResult)
            }
        }
    }
}
