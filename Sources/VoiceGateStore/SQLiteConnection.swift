import CSQLite

/// One SQLite connection and its prepared statements: the one owner of the `sqlite3` handle,
/// closed explicitly (deinit only as a safety net). Not thread-safe: one thread uses it at a
/// time (the writer thread, or a reader holding the store's read lock). It is `@unchecked
/// Sendable` only so that the opening thread can hand it to the writer thread.
final class SQLiteConnection: @unchecked Sendable {
    private(set) var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (and with `create`, creates) the file. Extended result codes are on, so errors
    /// say which I/O call failed; the busy timeout covers other processes on the same file.
    init(path: String, create: Bool, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw StoreError(code: SQLiteResultCode(rawValue: rc), message: message, operation: "open \(path)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { close() }

    /// Finalizes every statement and closes the handle. Safe to call twice.
    func close() {
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// The error SQLite reports for `rc` on this connection, with the operation that failed.
    func error(_ rc: Int32, _ operation: String) -> StoreError {
        // With extended result codes on, rc is already the extended code (SQLITE_IOERR_FSYNC).
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        return StoreError(code: SQLiteResultCode(rawValue: rc), message: message, operation: operation)
    }

    /// A prepared statement for `sql`, kept for the next call with the same text. Use it through
    /// `withStatement`, which resets it afterwards.
    private func statement(_ sql: String, _ operation: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        guard let handle else {
            throw StoreError(code: .misuse, message: "the store is closed", operation: operation)
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc, operation) }
        let statement = SQLiteStatement(raw, connection: self, operation: operation)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` with the prepared statement for `sql`, then resets it and clears its
    /// bindings, so a later use starts clean and no read transaction is left open.
    func withStatement<T>(_ sql: String, _ operation: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let statement = try statement(sql, operation)
        statement.operation = operation
        defer { statement.reset() }
        return try body(statement)
    }

    /// Runs one statement that returns no rows.
    func execute(_ sql: String, _ operation: String) throws {
        try withStatement(sql, operation) { try $0.run() }
    }

    /// Runs several statements separated by semicolons, without keeping them prepared: for
    /// schema scripts, which run once.
    func executeScript(_ sql: String, _ operation: String) throws {
        guard let handle else { throw StoreError(code: .misuse, message: "the store is closed", operation: operation) }
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, operation) }
    }

    /// The value of `PRAGMA name` (or of `PRAGMA name = value`), as text.
    func pragma(_ name: String, set value: String? = nil) throws -> String? {
        let sql = value.map { "PRAGMA \(name) = \($0)" } ?? "PRAGMA \(name)"
        return try withStatement(sql, "PRAGMA \(name)") { statement in
            try statement.step() ? statement.text(0) : nil
        }
    }

    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Inside BEGIN...COMMIT. After some errors (disk full, I/O) SQLite rolls the whole
    /// transaction back by itself; this is how the writer notices.
    var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }
}
