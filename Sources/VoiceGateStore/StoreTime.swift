import Foundation

/// Times in the database: integer milliseconds since 1970-01-01 UTC. Integers sort and compare
/// exactly in SQL (analytics subtract them), and milliseconds are what the admin API shows.
enum StoreTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
