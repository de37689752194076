/// Why the embedded recognizer could not do its work. Messages are safe to log: they name files
/// and operations, never what a caller said.
public enum RecognitionError: Error, Equatable, CustomStringConvertible {
    /// A model file is missing: setup was not run, or the model directory is wrong.
    case modelMissing(path: String)
    /// PocketSphinx refused a parameter (its name and value).
    case badParameter(name: String, value: String)
    /// A PocketSphinx call failed; its own message, if any, went to stderr.
    case decoderFailed(operation: String)

    public var description: String {
        switch self {
        case .modelMissing(let path):
            return "speech model file missing: \(path) (run deploy/setup.sh, or set the model directory)"
        case .badParameter(let name, let value):
            return "pocketsphinx rejected parameter \(name)=\(value)"
        case .decoderFailed(let operation):
            return "pocketsphinx \(operation) failed"
        }
    }
}
