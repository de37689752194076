import Foundation

/// Transcripts as CSV (RFC 4180): one row per turn, with its conversation's columns repeated, so
/// a spreadsheet filters and pivots it without joins.
///
/// Transcript text is untrusted (what callers said, what bots and SIP headers set): a cell that
/// a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a
/// leading apostrophe, as OWASP's CSV-injection advice has it; plain numbers are left alone.
public enum TranscriptCSV {
    public static let header = ["conversation_id", "started_at", "caller", "dialed", "bot", "queue", "agent", "outcome",
                                "end_reason", "turn", "at", "from", "kind", "text", "sentiment"]

    /// The header line and every turn of every conversation, CRLF line ends.
    public static func text(_ conversations: [Conversation]) -> String {
        var out = line(header)
        for c in conversations {
            let caller: String
            if c.callerWithheld { caller = "anonymous" }
            else if case .string(let n)? = c.variables[ContextVariable.customerPhoneNumber] { caller = n }
            else { caller = "" }
            var dialed = ""
            if case .string(let n)? = c.variables[ContextVariable.organizationPhoneNumber] { dialed = n }
            let fixed = [c.id, ISO8601Milliseconds.string(from: c.startedAt), caller, dialed, c.bot ?? "", c.queue ?? "",
                         c.agent ?? "", c.outcome?.rawValue ?? "", c.endReason ?? ""]
            for (i, t) in c.transcript.enumerated() {
                out += line(fixed + [String(i + 1), ISO8601Milliseconds.string(from: t.at), t.from.rawValue, t.kind.rawValue,
                                     t.text, t.sentiment.map { String(format: "%.4f", $0) } ?? ""])
            }
        }
        return out
    }

    static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    static func cell(_ raw: String) -> String {
        var value = raw
        // A plain number (-0.4767, +14155550123) is no formula and stays a number.
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
