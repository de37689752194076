import Foundation

/// Where the things the integration tests use live.
enum Paths {
    /// The package root (this file is Tests/VoiceGateIntegrationTests/Paths.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let scenarios = packageRoot.appendingPathComponent("Tests/Scenarios")

    /// ../shared/corpus beside the project (CI clones the project with shared/ next to it).
    static let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    /// The `voicegate` binary `swift test` built: it sits beside the test bundle. VOICEGATE_BINARY
    /// overrides (to test an installed build).
    static var voicegate: URL {
        if let path = ProcessInfo.processInfo.environment["VOICEGATE_BINARY"] { return URL(fileURLWithPath: path) }
        let me = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var dir = me.deletingLastPathComponent()
        // Swift Testing may run from inside the .xctest bundle's folder.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("voicegate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/voicegate")
    }

    static let g711aPcap = URL(fileURLWithPath: "/usr/share/sip-tester/g711a.pcap")
}
