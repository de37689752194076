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
        switch ConfigurationFile.load(path) {
        case .success:
            print("\(path): ok")
            return 0
        case .failure(.unreadable(let message)):
            FileHandle.standardError.write(Data("\(path): \(message)\n".utf8))
            return 2
        case .failure(.invalid(let error)):
            for problem in error.problems { print("\(path): \(problem)") }
            print("\(path): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")")
            return 1
        }
    }
}

/// Reading a configuration file: I/O here, rules in VoiceGateCore.ConfigurationParser.
enum ConfigurationFile {
    enum LoadError: Error {
        case unreadable(String)
        case invalid(ConfigurationError)
    }

    static func load(_ path: String) -> Result<GatewayConfiguration, LoadError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                return .failure(.unreadable(isDirectory.boolValue ? "is a folder, not a file" : "cannot be read (permissions?)"))
            }
            return .failure(.unreadable("no such file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(.unreadable("is not UTF-8 text"))
        }
        return ConfigurationParser.parse(text).mapError { .invalid($0) }
    }
}
