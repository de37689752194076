extension Turn {
    /// The turn as the admin API and `SetContext`'s `channelData.transcript` show it:
    /// `{at, from, kind, text, data}` with `at` in ISO 8601 UTC.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "at": .string(Timestamp.string(from: at)),
            "from": .string(from.rawValue),
            "kind": .string(kind.rawValue),
            "text": .string(text),
            "data": .object(data),
        ]
        if let sentiment { fields["sentiment"] = .number(sentiment) }
        return .object(fields)
    }
}
