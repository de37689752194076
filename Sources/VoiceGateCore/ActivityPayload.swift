import Foundation

/// The bodies that carry activities: a bot's reply to the gateway's POST, and what a bot POSTs
/// to the callback path. Pure functions: safe from any thread.
public enum ActivityPayload {
    /// The activities of a body, in order.
    ///
    /// Accepted: `{"activities": [...]}`; one activity object (it has a `type`); an empty body;
    /// and any other JSON object, which carries no activities. The last two because bot
    /// frameworks answer a POST they will reply to later with nothing, or with a receipt such as
    /// Bot Framework's `{"id": "..."}`; neither is a failure.
    /// Refused with `ActivityDecodingError`: a body that is not JSON, JSON that is not an object,
    /// `activities` that is not a list of objects, and an activity without a `type` string.
    public static func activities(from body: Data) throws(ActivityDecodingError) -> [Activity] {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return [] }
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw ActivityDecodingError("the body is not JSON")
        }
        guard case .object(let object) = json else {
            throw ActivityDecodingError("the body is not a JSON object")
        }
        if let list = object["activities"] {
            guard case .array(let items) = list else {
                throw ActivityDecodingError("`activities` is not a list")
            }
            var activities: [Activity] = []
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item else {
                    throw ActivityDecodingError("activity \(index) is not a JSON object")
                }
                do {
                    activities.append(try Activity(json: fields))
                } catch {
                    throw ActivityDecodingError("activity \(index): \(error.description)")
                }
            }
            return activities
        }
        if object["type"] != nil { return [try Activity(json: object)] }
        return []
    }

    /// `{"activities": [...]}`, as the gateway answers and as tests play bots.
    public static func body(_ activities: [Activity]) -> Data {
        (try? encoder.encode(["activities": activities])) ?? Data(#"{"activities":[]}"#.utf8)
    }

    /// One activity as a request body.
    public static func body(_ activity: Activity) -> Data {
        // Activity encodes only strings and JSONValue; with non-finite numbers written as
        // strings nothing in it can fail to encode.
        (try? encoder.encode(activity)) ?? Data("{}".utf8)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
