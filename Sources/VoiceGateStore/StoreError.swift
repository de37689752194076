import CSQLite

/// A SQLite result code, extended (`SQLITE_IOERR_FSYNC`) or primary (`SQLITE_IOERR`), usable in
/// `catch let error as StoreError where error.code.primary == .constraint`.
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary code of an extended one (its low 8 bits).
    public var primary: SQLiteResultCode { SQLiteResultCode(rawValue: rawValue & 0xff) }

    public static let error = SQLiteResultCode(rawValue: SQLITE_ERROR)
    public static let busy = SQLiteResultCode(rawValue: SQLITE_BUSY)
    public static let locked = SQLiteResultCode(rawValue: SQLITE_LOCKED)
    public static let noMemory = SQLiteResultCode(rawValue: SQLITE_NOMEM)
    public static let readOnly = SQLiteResultCode(rawValue: SQLITE_READONLY)
    public static let ioError = SQLiteResultCode(rawValue: SQLITE_IOERR)
    public static let corrupt = SQLiteResultCode(rawValue: SQLITE_CORRUPT)
    public static let notFound = SQLiteResultCode(rawValue: SQLITE_NOTFOUND)
    public static let full = SQLiteResultCode(rawValue: SQLITE_FULL)
    public static let cantOpen = SQLiteResultCode(rawValue: SQLITE_CANTOPEN)
    public static let `protocol` = SQLiteResultCode(rawValue: SQLITE_PROTOCOL)
    public static let constraint = SQLiteResultCode(rawValue: SQLITE_CONSTRAINT)
    public static let mismatch = SQLiteResultCode(rawValue: SQLITE_MISMATCH)
    public static let misuse = SQLiteResultCode(rawValue: SQLITE_MISUSE)
    public static let notADatabase = SQLiteResultCode(rawValue: SQLITE_NOTADB)

    /// SQLite's English name for the code ("disk I/O error").
    public var description: String { String(cString: sqlite3_errstr(rawValue)) }
}

/// Why a store operation failed: the SQLite result code, SQLite's message (`sqlite3_errmsg`),
/// and which operation it was ("append turn to conversation 3f2a..."). Failures that are not
/// SQLite's own use a fitting SQLite code: `notFound` for an unknown conversation id, `mismatch`
/// for a value that is not valid JSON or a stored value this version cannot read, `misuse` for
/// a store that is already closed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let code: SQLiteResultCode
    public let message: String
    public let operation: String

    public init(code: SQLiteResultCode, message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation
    }

    /// The storage failed (disk full, I/O error, corruption, locked out), as opposed to the
    /// write itself being wrong (a duplicate id, an unknown conversation): queued writes are
    /// being lost, so the store reports itself unhealthy.
    public var isStorageFailure: Bool {
        switch code.primary {
        case .ioError, .full, .corrupt, .notADatabase, .cantOpen, .readOnly, .noMemory, .busy, .locked, .protocol:
            return true
        default:
            return false
        }
    }

    public var description: String { "\(operation): \(message) (SQLite \(code.rawValue): \(code))" }
}
