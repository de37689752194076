import Foundation

/// One structured log line per decision, in logfmt (`key=value`, values quoted when needed), so
/// that grep, fail2ban and log shippers can read it without a parser of ours.
public struct LogLine: Sendable, CustomStringConvertible {
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error
        var rank: Int { Level.allCases.firstIndex(of: self)! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    public let level: Level
    public let event: String
    public let fields: [(String, String)]

    public init(_ level: Level, _ event: String, _ fields: [(String, String)] = []) {
        self.level = level
        self.event = event
        self.fields = fields
    }

    /// The line without a timestamp; the writer adds one.
    public var description: String {
        var out = "level=\(level.rawValue) event=\(LogLine.quote(event))"
        for (key, value) in fields { out += " \(key)=\(LogLine.quote(value))" }
        return out
    }

    /// Quotes a value when it is empty or holds spaces, quotes, `=` or control characters.
    /// Control characters are escaped so a value from the network can never forge a second line.
    public static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7f
        }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
