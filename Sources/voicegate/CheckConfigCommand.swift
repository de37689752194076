import Foundation
import VoiceGateCore

struct CheckConfigCommand {
    let arguments: Arguments

    init(_ args: ArraySlice<String>) throws { arguments = try Arguments(args, valued: []) }

    func execute() throws -> Int32 {
        if arguments.flags.contains("help") { print(Help.checkConfig); return 0 }
        guard arguments.positional.count == 1, let path = arguments.positional.first else {
            throw Arguments.UsageError(description: "check-config takes exactly one FILE")
        }
        let text: String
        switch ConfigurationFile.read(path) {
        case .success(let t): text = t
        case .failure(let error):
            FileHandle.standardError.write(Data("\(path): \(error.message)\n".utf8))
            return 2
        }
        let problems: [ConfigurationProblem]
        switch ConfigurationParser.parse(text) {
        case .success(let config): problems = ConfigurationFile.unreadableFiles(config, text: text)
        case .failure(let error): problems = error.problems
        }
        guard !problems.isEmpty else {
            print("\(path): ok")
            return 0
        }
        for problem in problems { print("\(path): \(problem)") }
        print("\(path): \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        return 1
    }
}

/// Reading a configuration file: I/O here, rules in VoiceGateCore.ConfigurationParser.
enum ConfigurationFile {
    enum LoadError: Error {
        case unreadable(String)
        case invalid(ConfigurationError)
    }

    struct Unreadable: Error { let message: String }

    static func load(_ path: String) -> Result<GatewayConfiguration, LoadError> {
        read(path).mapError { .unreadable($0.message) }.flatMap { text in
            ConfigurationParser.parse(text).mapError { .invalid($0) }
        }
    }

    static func read(_ path: String) -> Result<String, Unreadable> {
        if let problem = unreadable(path) { return .failure(Unreadable(message: problem)) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Unreadable(message: "cannot be read (permissions?)"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(Unreadable(message: "is not UTF-8 text"))
        }
        return .success(text)
    }

    /// The files a valid configuration names that `run` could not read, as problems of the
    /// fields naming them. `text` is the configuration's JSON, for their lines.
    static func unreadableFiles(_ config: GatewayConfiguration, text: String) -> [ConfigurationProblem] {
        let root = try? LocatedJSON.parse(text)
        let files: [(field: [String], file: String?)] = [
            (["greeting", "wav"], config.greeting.wavPath),
            (["sip", "tls", "certificate"], config.sip.tls?.certificateFile),
            (["sip", "tls", "privateKey"], config.sip.tls?.privateKeyFile),
        ]
        return files.compactMap { field, file in
            guard let file, let problem = unreadable(file) else { return nil }
            let relative = file.hasPrefix("/") ? "" : " (relative paths are from the working directory)"
            return ConfigurationProblem(path: field.joined(separator: "."), line: root.flatMap { line(of: field, in: $0) },
                                        message: "'\(file)': \(problem)\(relative)")
        }
    }

    /// Why the file at `path` cannot be read, or nil. Opening it is the test: permission bits
    /// alone do not tell (root reads anything; ACLs).
    static func unreadable(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "is a folder, not a file" }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "cannot be read (permissions?)" }
        try? handle.close()
        return nil
    }

    /// The line of the member at `keys` (names of nested objects' fields).
    private static func line(of keys: [String], in json: LocatedJSON) -> Int? {
        var node = json
        for key in keys {
            guard case .object(let members, _) = node, let member = members.first(where: { $0.key == key }) else { return nil }
            node = member.value
        }
        return node.line
    }
}
