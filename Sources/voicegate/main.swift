import Foundation

let arguments = CommandLine.arguments.dropFirst()
let verb = arguments.first ?? "help"
let rest = arguments.dropFirst()

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("voicegate: \(message)\n".utf8))
    exit(code)
}

do {
    switch verb {
    case "run":
        exit(try RunCommand(rest).execute())
    case "call":
        exit(try CallCommand(rest).execute())
    case "check-config":
        exit(try CheckConfigCommand(rest).execute())
    case "version":
        exit(try VersionCommand(rest).execute())
    case "help", "--help", "-h":
        if let topic = rest.first {
            guard let text = Help.forVerb(topic) else { fail("no such verb '\(topic)'\n\n\(Help.overview)") }
            print(text)
        } else {
            print(Help.overview)
        }
        exit(0)
    default:
        fail("no such verb '\(verb)'\n\n\(Help.overview)")
    }
} catch let error as Arguments.UsageError {
    fail("\(error)\n\n\(Help.forVerb(verb) ?? Help.overview)")
} catch {
    fail("\(error)", code: 1)
}
