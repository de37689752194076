import CSQLite

/// A prepared statement, owned by its connection (which finalizes it). Parameters and columns
/// are numbered as in SQLite: parameters from 1, columns from 0.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    /// What the current use is for, for errors.
    var operation: String

    init(_ handle: OpaquePointer, connection: SQLiteConnection, operation: String) {
        self.handle = handle
        self.connection = connection
        self.operation = operation
    }

    func finalize() { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ index: Int32, _ value: String?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        // An explicit byte count: Swift strings may hold NUL, and the text is copied (TRANSIENT)
        // because the C string lives only for this call.
        try check(value.withCString { csqlite_bind_text_transient(handle, index, $0, Int32(value.utf8.count)) })
    }

    func bind(_ index: Int32, _ value: Int64?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: Int) throws { try bind(index, Int64(value)) }

    func bind(_ index: Int32, _ value: Double?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_double(handle, index, value))
    }

    func bind(_ index: Int32, _ value: Bool) throws { try bind(index, Int64(value ? 1 : 0)) }

    /// Advances one row: true when a row is ready to read, false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, operation)
        }
    }

    /// Steps to the end, for statements that return no rows (or whose rows do not matter).
    func run() throws {
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        // Text first, then its length: that order is what SQLite documents as safe.
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func int64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : sqlite3_column_int64(handle, column)
    }

    func double(_ column: Int32) -> Double? {
        isNull(column) ? nil : sqlite3_column_double(handle, column)
    }

    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK else { throw connection.error(rc, operation) }
    }
}
