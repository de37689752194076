/// The pieces of the Prometheus text exposition format 0.0.4 that need care: escaping and
/// numbers. Pure functions.
public enum PrometheusText {
    /// A label set as it goes between `{` and `}`: `queue="sales",bot="a\"b"`. Values are escaped
    /// (`\\`, `\"`, `\n`) because queue and bot ids come from the configuration, and one quote in
    /// them would otherwise break every line after it for the scraper. Names are the gateway's
    /// own constants and are taken as they are.
    public static func labels(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { "\($0.key)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
    }

    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// `# HELP` text escapes only backslash and line feed (a quote is literal there).
    public static func escapeHelp(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// A sample value or `le` bound: whole numbers without a fraction (so `le="1"`, and counts
    /// read as integers), infinities and NaN as Prometheus spells them, anything else in Swift's
    /// shortest round-trip form (`0.05`, `1e-05`), which Prometheus's float parser reads.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
