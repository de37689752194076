/// A command line after the verb: `--name value`, `--name=value` and positional arguments.
/// A usage mistake is a `UsageError` with a message for the user, never a crash.
struct Arguments {
    struct UsageError: Error, CustomStringConvertible { let description: String }

    private(set) var options: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []
    /// Every valued option in the order given, repeats included (for options whose order or
    /// repetition matters: --play, --dtmf, --header).
    private(set) var ordered: [(name: String, value: String)] = []

    /// `valued` are the options that take a value; `switches` those that do not.
    init(_ args: ArraySlice<String>, valued: Set<String>, switches: Set<String> = ["help"]) throws {
        var rest = args[...]
        while let arg = rest.popFirst() {
            if arg == "-h" { flags.insert("help"); continue }
            guard arg.hasPrefix("--") else { positional.append(arg); continue }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if switches.contains(name) {
                guard value == nil else { throw UsageError(description: "--\(name) takes no value") }
                flags.insert(name)
            } else if valued.contains(name) {
                if value == nil { value = rest.popFirst() }
                guard let v = value else { throw UsageError(description: "--\(name) needs a value") }
                options[name] = v
                ordered.append((name, v))
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    /// Every value of a repeatable option, in order.
    func values(_ name: String) -> [String] { ordered.filter { $0.name == name }.map(\.value) }

    func port(_ name: String) throws -> Int? {
        guard let text = options[name] else { return nil }
        guard let n = Int(text), (0...65_535).contains(n) else {
            throw UsageError(description: "--\(name) must be a port number from 0 to 65535, not '\(text)'")
        }
        return n
    }
}
