import Foundation

extension Conversation {
    /// The JSON of the admin API (../shared/spec/admin-api.md): times as ISO 8601 UTC with
    /// milliseconds and `Z`, keys sorted (stable output for tests and diffs), unset fields as
    /// `null`. A new encoder per call: JSONEncoder is a class, so threads must not share one.
    public static func adminAPIEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601Milliseconds.string(from: date))
        }
        return encoder
    }

    /// Reads what `adminAPIEncoder()` writes (and ISO 8601 times with any fraction or offset).
    public static func adminAPIDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = ISO8601Milliseconds.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not an ISO 8601 time")
            }
            return date
        }
        return decoder
    }
}
