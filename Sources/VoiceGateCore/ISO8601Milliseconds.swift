import Foundation

/// ISO 8601 timestamps in UTC with milliseconds, such as `2026-11-21T09:16:19.123Z`: the admin
/// API's time format. Done by hand rather than with ISO8601DateFormatter, which truncates the
/// fraction (a time stored as ...123 ms can come back as ...122 through Double) and is a class
/// that is not safe to share across threads. Pure arithmetic: safe from any thread.
public enum ISO8601Milliseconds {
    private static let msPerDay: Int64 = 86_400_000

    /// The date rounded to the nearest millisecond, in UTC with a `Z`.
    public static func string(from date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = ms >= 0 ? ms / msPerDay : (ms - msPerDay + 1) / msPerDay   // floor division
        var rest = ms - days * msPerDay
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3_600_000; rest -= hour * 3_600_000
        let minute = rest / 60_000; rest -= minute * 60_000
        let second = rest / 1000; rest -= second * 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(rest, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any length (rounded to the
    /// millisecond), and `Z` or an offset `±HH:MM` / `±HHMM`. nil when the text is anything else.
    public static func date(from text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take("-"),
              let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2), scanner.take("T") || scanner.take("t"),
              let hour = scanner.number(digits: 2), scanner.take(":"),
              let minute = scanner.number(digits: 2), scanner.take(":"),
              let second = scanner.number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        var fractionMs: Int64 = 0
        if scanner.take(".") || scanner.take(",") {
            // Nanoseconds from the first nine digits, then rounded to milliseconds.
            var nanos: Int64 = 0, count = 0
            while let d = scanner.digit() {
                if count < 9 { nanos = nanos * 10 + d }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
            fractionMs = (nanos + 500_000) / 1_000_000
        }
        var offsetMinutes: Int64 = 0
        if scanner.take("Z") || scanner.take("z") {
        } else if let sign: Int64 = scanner.take("+") ? 1 : (scanner.take("-") ? -1 : nil) {
            guard let oh = scanner.number(digits: 2) else { return nil }
            _ = scanner.take(":")
            guard let om = scanner.number(digits: 2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let days = self.days(fromCivil: year, month, day)
        let ms = days * msPerDay + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + fractionMs
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `days(fromCivil:)` (Hinnant's civil_from_days).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func number(digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let d = digit() else { return nil }
                value = value * 10 + d
            }
            return value
        }
    }
}
