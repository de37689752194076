import Foundation
import VoiceGateCore

/// JSON text of variables and turn data. One per connection owner: JSONEncoder and JSONDecoder
/// are classes that threads must not share.
final class StoreCodec {
    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()

    init() {
        encoder = JSONEncoder()
        // Sorted: the same object is always the same text (diffs, tests, equality in SQL).
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Fails (code `mismatch`) for what JSON cannot hold: a number that is NaN or infinite.
    func text(_ object: [String: JSONValue], _ operation: String) throws -> String {
        do {
            return String(decoding: try encoder.encode(object), as: UTF8.self)
        } catch {
            throw StoreError(code: .mismatch, message: "not valid JSON: \(error)", operation: operation)
        }
    }

    func object(_ text: String, _ operation: String) throws -> [String: JSONValue] {
        do {
            return try decoder.decode([String: JSONValue].self, from: Data(text.utf8))
        } catch {
            throw StoreError(code: .mismatch, message: "stored JSON is not an object: \(error)", operation: operation)
        }
    }
}
