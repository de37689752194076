import Foundation

/// ISO 8601 UTC times as the bot protocol and the admin API write them
/// (`2024-05-01T12:00:00.250Z`). Pure functions: safe from any thread.
public enum Timestamp {
    /// Milliseconds are kept: turns and activities of one second still sort by time.
    public static func string(from date: Date) -> String {
        date.formatted(withMilliseconds)
    }

    /// Reads what bots send: with or without fractional seconds, `Z` or an offset.
    /// nil when it is not an ISO 8601 date-time.
    public static func date(from string: String) -> Date? {
        if let date = try? withMilliseconds.parse(string) { return date }
        return try? Date.ISO8601FormatStyle().parse(string)
    }

    private static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
