import Foundation

/// The time range of historical figures: conversations that started in `from..<to`, and the
/// width of the series' buckets (an hour up to two days, a day beyond).
public struct AnalyticsRange: Sendable, Equatable {
    public let from: Date
    public let to: Date

    /// Longer ranges are refused: a year of daily buckets is the most a chart shows.
    public static let maximumDays = 400
    /// A range with no `from` covers the day before `to`.
    public static let defaultSeconds: TimeInterval = 86_400

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// The range of `?from=...&to=...` (ISO 8601; `to` defaults to now, `from` to a day before
    /// `to`), or why it is not one.
    public static func parse(from fromText: String?, to toText: String?, now: Date) -> Result<AnalyticsRange, RangeProblem> {
        var to = now
        if let toText {
            guard let date = ISO8601Milliseconds.date(from: toText) else { return .failure(RangeProblem("to is not an ISO 8601 time: use e.g. 2026-11-21T10:00:00Z")) }
            to = date
        }
        var from = to.addingTimeInterval(-defaultSeconds)
        if let fromText {
            guard let date = ISO8601Milliseconds.date(from: fromText) else { return .failure(RangeProblem("from is not an ISO 8601 time: use e.g. 2026-11-20T10:00:00Z")) }
            from = date
        }
        guard from < to else { return .failure(RangeProblem("from must be before to")) }
        guard to.timeIntervalSince(from) <= Double(maximumDays) * 86_400 else {
            return .failure(RangeProblem("the range is longer than \(maximumDays) days"))
        }
        return .success(AnalyticsRange(from: from, to: to))
    }

    /// The series' bucket width in seconds: hourly up to 48 hours, daily beyond (at most 400).
    public var bucketSeconds: Int { to.timeIntervalSince(from) <= 48 * 3600 ? 3600 : 86_400 }

    /// How many buckets the series has: the last may be cut short by `to`.
    public var bucketCount: Int { Int((to.timeIntervalSince(from) / Double(bucketSeconds)).rounded(.up)) }
}

/// Why a range cannot be used: the admin API's 400 message.
public struct RangeProblem: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
